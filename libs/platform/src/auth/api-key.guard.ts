import {
  ForbiddenException,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@app/contracts';
import { PUBLIC_META, ROLES_META } from './auth.decorators';
import { hashApiKey, KEY_DIRECTORY, type KeyDirectory, type KeyVerdict, type Principal } from './principal';
import { PLATFORM_OPTIONS, type PlatformOptions } from '../platform.options';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** How long a key's verdict is reused; part of the revocation bound (README, Security). */
export const KEY_CACHE_MS = 2000;

/**
 * Every route is guarded unless marked @Public: a missing or unknown key is 401, a known key whose
 * role the route does not allow is 403. Scope (which units a key may act for) is checked by the
 * services through ScopeService, since only they know which unit a request is about.
 *
 * When the directory cannot confirm a key is still valid (its replica may be stale and the registry does
 * not answer: README, Design notes, Revocation while the bus is down), an issued admin key may read but not
 * write (503, retry later); every other key keeps working within its scope, so no agency's report is lost.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly cache = new Map<string, { verdict: KeyVerdict; until: number }>();
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
    const req = ctx.switchToHttp().getRequest<{ method: string; headers: Record<string, string | undefined>; principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) throw new UnauthorizedException({ detail: 'missing API key: send Authorization: Bearer <key>' });
    const { principal, confirmed } = await this.resolve(m[1]);
    if (!principal) throw new UnauthorizedException({ detail: 'unknown or revoked API key' });
    req.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_META, targets) ?? [];
    if (principal.role !== 'admin' && !roles.includes(principal.role)) {
      throw new ForbiddenException({ detail: `role ${principal.role} may not call this endpoint` });
    }
    if (!confirmed && principal.role === 'admin' && !READS.has(req.method)) {
      throw new ServiceUnavailableException({
        detail:
          'this admin key cannot be confirmed as not revoked (no word from the registry within KEY_STALENESS_MS and the registry does not answer): admin writes wait until it does; reads, and every other key, keep working',
      });
    }
    return true;
  }

  private async resolve(key: string): Promise<KeyVerdict> {
    const hash = hashApiKey(key);
    // The bootstrap key comes from the environment, not from the registry: nothing can revoke it but a restart.
    if (this.adminHash && hash === this.adminHash)
      return { principal: { keyId: 'bootstrap-admin', role: 'admin', orgUnitCode: null }, confirmed: true };
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.verdict;
    const verdict = this.keys.verify ? await this.keys.verify(key, hash) : { principal: await this.keys.findByHash(hash), confirmed: true };
    // Short cache: a revoked key stops working everywhere within a couple of seconds.
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { verdict, until: now + KEY_CACHE_MS });
    return verdict;
  }
}
