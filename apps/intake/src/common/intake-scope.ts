import { ForbiddenException } from '@nestjs/common';
import { ScopeService, type Principal, type UnitScope } from '@app/platform';

/**
 * Which units a key may report for and read in intake: the platform's rule, and for an `ez_board` key the
 * unit must also lie within the key's own unit (the board, a zone or a park) on either tree. The platform's
 * rule alone lets any EZ-board key act for every enterprise under every zone or park, so a key issued for
 * one industrial park could write another zone's reports (issue 21, item 7; workforce's RosterScope holds
 * rosters to the same rule). Every intake write (single, grouped, batch, CSV, activity) and read asks here.
 */
export class IntakeScope {
  private readonly platform: ScopeService;

  constructor(private readonly units: UnitScope) {
    this.platform = new ScopeService(units);
  }

  /** 404 unknown unit, 422 retired, 403 outside the key's scope (ez_board: outside its own unit's subtree). */
  async assertCanWrite(principal: Principal, unitCode: string): Promise<{ type: string; ancestors: string[] }> {
    const unit = await this.platform.assertCanWrite(principal, unitCode);
    if (!withinEzBoardUnit(principal, unitCode, unit.ancestors)) throw outsideEzBoardUnit(principal, unitCode);
    return unit;
  }

  async assertCanRead(principal: Principal, unitCode: string): Promise<void> {
    await this.platform.assertCanRead(principal, unitCode);
    if (principal.role !== 'ez_board') return;
    const unit = await this.units.describe(unitCode);
    if (!withinEzBoardUnit(principal, unitCode, unit?.ancestors ?? [])) throw outsideEzBoardUnit(principal, unitCode);
  }
}

function withinEzBoardUnit(principal: Principal, unitCode: string, ancestors: readonly string[]): boolean {
  if (principal.role !== 'ez_board') return true;
  const root = principal.orgUnitCode;
  return root !== null && (unitCode === root || ancestors.includes(root));
}

function outsideEzBoardUnit(principal: Principal, unitCode: string): ForbiddenException {
  const keyUnit = principal.orgUnitCode ?? '-';
  return new ForbiddenException({
    detail:
      `Khóa của Ban quản lý này chỉ dùng cho đơn vị ${keyUnit} và các đơn vị trực thuộc; đơn vị ${unitCode} nằm ngoài phạm vi đó ` +
      `(this EZ-board key acts for unit ${keyUnit} and its subtree; unit ${unitCode} is outside it)`,
    errors: [
      { field: 'orgUnitCode', message: `orgUnitCode ${unitCode} is outside the subtree of ${keyUnit}, the unit of this EZ-board key` },
    ],
  });
}
