import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { Role } from '@app/contracts';
import type { Principal } from './principal';

export const ROLES_META = 'bz:roles';
export const PUBLIC_META = 'bz:public';

/** Roles allowed on a route (admin is always allowed). A route with no @Roles and no @Public is admin-only. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_META, roles);
/** Health, metrics and docs: no key needed. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_META, true);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!req.principal) throw new Error('no principal on a guarded route');
  return req.principal;
});
