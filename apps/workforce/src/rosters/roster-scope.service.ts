import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { ScopeService, UNIT_SCOPE, type Principal, type UnitScope } from '@app/platform';
import { rosterMessage, type Lang } from './roster-messages';

/**
 * Who may upload and read an enterprise's rosters: the platform's scope rule, and for an `ez_board` key
 * the enterprise must also lie within the key's own unit (the board, a zone or a park, on either tree).
 * The platform's rule alone lets any EZ-board key act for every enterprise under every zone or park, so a
 * key issued for one industrial park could replace the rosters of another zone's enterprises.
 */
@Injectable()
export class RosterScope {
  constructor(
    private readonly scope: ScopeService,
    @Inject(UNIT_SCOPE) private readonly units: UnitScope,
  ) {}

  /** 404 unknown, 422 retired, 403 outside the key's scope (ez_board: outside its unit's subtree). */
  async assertCanWrite(principal: Principal, code: string, lang: Lang): Promise<{ type: string; ancestors: string[] }> {
    const unit = await this.scope.assertCanWrite(principal, code);
    if (!(await this.withinEzBoardUnit(principal, code, unit.ancestors))) throw this.outside(principal, code, lang);
    return unit;
  }

  async mayRead(principal: Principal, code: string): Promise<boolean> {
    return (await this.scope.mayRead(principal, code)) && (await this.withinEzBoardUnit(principal, code));
  }

  /** Whether the key may write for the enterprise (as `assertCanWrite`, without the 404/422 of an unknown or retired unit). */
  async mayWrite(principal: Principal, code: string): Promise<boolean> {
    return (await this.scope.mayWrite(principal, code)) && (await this.withinEzBoardUnit(principal, code));
  }

  async assertCanRead(principal: Principal, code: string, lang: Lang): Promise<void> {
    await this.scope.assertCanRead(principal, code);
    if (!(await this.withinEzBoardUnit(principal, code))) throw this.outside(principal, code, lang);
  }

  /**
   * An erasure on request: like a write, but a retired enterprise's rows can be erased too (and an unknown
   * code is not an error for an admin: nothing is stored under it).
   */
  async assertCanErase(principal: Principal, code: string, lang: Lang): Promise<void> {
    if (principal.role === 'admin') return;
    if (!(await this.scope.mayWrite(principal, code)) || !(await this.withinEzBoardUnit(principal, code)))
      throw this.outside(principal, code, lang);
  }

  private async withinEzBoardUnit(principal: Principal, code: string, ancestors?: readonly string[]): Promise<boolean> {
    if (principal.role !== 'ez_board') return true;
    const root = principal.orgUnitCode;
    if (root === null) return false;
    if (code === root) return true;
    return ancestors ? ancestors.includes(root) : this.units.isWithin(code, root);
  }

  private outside(principal: Principal, code: string, lang: Lang): ForbiddenException {
    return new ForbiddenException({ detail: rosterMessage('outsideKeyUnit', { keyUnit: principal.orgUnitCode ?? '-', code }, lang) });
  }
}
