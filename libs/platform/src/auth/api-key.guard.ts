import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@app/contracts';
import { PUBLIC_META, ROLES_META } from './auth.decorators';
import { hashApiKey, KEY_DIRECTORY, type KeyDirectory, type Principal } from './principal';
import { PLATFORM_OPTIONS, type PlatformOptions } from '../platform.options';

/**
 * Every route is guarded unless marked @Public: a missing or unknown key is 401, a known key whose
 * role the route does not allow is 403. Scope (which units a key may act for) is checked by the
 * services through ScopeService, since only they know which unit a request is about.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly adminHash: string | null;

  constructor(
    private readonly reflector: Reflector,
    @Inject(KEY_DIRECTORY) private readonly keys: KeyDirectory,
    @Inject(PLATFORM_OPTIONS) options: PlatformOptions,
  ) {
    this.adminHash = options.config.ADMIN_API_KEY ? hashApiKey(options.config.ADMIN_API_KEY) : null;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_META, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new UnauthorizedException({ detail: 'missing API key: send Authorization: Bearer <key>' });
    const principal = await this.resolve(hashApiKey(m[1]));
    if (!principal) throw new UnauthorizedException({ detail: 'unknown or revoked API key' });
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_META, targets) ?? [];
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new ForbiddenException({ detail: `role ${principal.role} may not call this endpoint` });
    }
    return true;
  }

  private async resolve(hash: string): Promise<Principal | null> {
    if (this.adminHash && hash === this.adminHash) return { keyId: 'bootstrap-admin', role: 'admin', orgUnitCode: null };
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const principal = await this.keys.findByHash(hash);
    // Short cache: a revoked key stops working everywhere within a couple of seconds.
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + 2000 });
    return principal;
  }
}
