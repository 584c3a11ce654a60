import { Injectable } from '@nestjs/common';
import { outsideScope, ScopeService, type Principal } from '@app/platform';
import type { Lang } from './roster-messages';

/**
 * Who may upload, read and erase an enterprise's rosters: the platform's scope rule (an EZ-board key acts
 * for its own board, zone or park and the enterprises under it), refused in the reader's language; and an
 * erasure, which an admin may ask for any code and which reaches retired enterprises too.
 */
@Injectable()
export class RosterScope {
  constructor(private readonly scope: ScopeService) {}

  /** 404 unknown, 422 retired, 403 outside the key's scope. */
  assertCanWrite(principal: Principal, code: string, lang: Lang): Promise<{ type: string; ancestors: string[] }> {
    return this.scope.assertCanWrite(principal, code, lang);
  }

  mayRead(principal: Principal, code: string): Promise<boolean> {
    return this.scope.mayRead(principal, code);
  }

  /** Whether the key may write for the enterprise (as `assertCanWrite`, without the 404/422 of an unknown or retired unit). */
  mayWrite(principal: Principal, code: string): Promise<boolean> {
    return this.scope.mayWrite(principal, code);
  }

  assertCanRead(principal: Principal, code: string, lang: Lang): Promise<void> {
    return this.scope.assertCanRead(principal, code, lang);
  }

  /**
   * An erasure on request: like a write, but a retired enterprise's rows can be erased too (and an unknown
   * code is not an error for an admin: nothing is stored under it).
   */
  async assertCanErase(principal: Principal, code: string, lang: Lang): Promise<void> {
    if (principal.role === 'admin') return;
    if (!(await this.scope.mayWrite(principal, code))) throw outsideScope(principal, code, lang);
  }
}
