import { Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { Lang } from '@app/domain';
import { UNIT_SCOPE, type Principal, type UnitScope } from './principal';
import { outsideScope } from './scope-messages';

/**
 * Which units a key may act for (docs/api.md, Roles), the one rule of every service: admin all; analyst
 * reads everything and writes nothing; every other key (portal, ez_board, transport, telecom) its own unit
 * and that unit's subtree on either tree. An EZ-board key is issued for the board, a zone or a park and acts
 * for the enterprises under it, never for another zone's (issue 21: the old rule let any EZ-board key act
 * for every enterprise under every zone).
 */
@Injectable()
export class ScopeService {
  constructor(@Inject(UNIT_SCOPE) private readonly units: UnitScope) {}

  /**
   * A write for `unitCode`. Throws 404 for an unknown unit, 422 for a retired one, 403 outside the key's scope
   * (in `lang`, or in Vietnamese then English when the caller does not know the reader's language).
   */
  async assertCanWrite(principal: Principal, unitCode: string, lang?: Lang): Promise<{ type: string; ancestors: string[] }> {
    const unit = await this.units.describe(unitCode);
    if (!unit)
      throw new NotFoundException({
        detail: `unknown org unit ${unitCode}`,
        errors: [{ field: 'orgUnitCode', message: `orgUnitCode ${unitCode} is not a known unit` }],
      });
    if (!unit.active)
      throw new UnprocessableEntityException({
        detail: `org unit ${unitCode} is retired`,
        errors: [{ field: 'orgUnitCode', message: `orgUnitCode ${unitCode} is retired` }],
      });
    if (!(await this.mayWrite(principal, unitCode, unit))) throw outsideScope(principal, unitCode, lang);
    return unit;
  }

  /**
   * When `unit` carries its ancestors (as `describe` gives them), the subtree question is answered from
   * them: one lookup per check instead of a second walk up the trees.
   */
  async mayWrite(principal: Principal, unitCode: string, unit?: { ancestors?: string[] } | null): Promise<boolean> {
    if (principal.role === 'admin') return true;
    if (principal.role === 'analyst') return false;
    const root = principal.orgUnitCode;
    if (root === null) return false;
    if (unitCode === root) return (unit ?? (await this.units.describe(unitCode))) !== null;
    if (unit?.ancestors) return unit.ancestors.includes(root);
    return this.units.isWithin(unitCode, root);
  }

  /** Reads: admin and analyst see everything; the others their own subtree. */
  async mayRead(principal: Principal, unitCode: string): Promise<boolean> {
    if (principal.role === 'admin' || principal.role === 'analyst') return true;
    return this.mayWrite(principal, unitCode);
  }

  async assertCanRead(principal: Principal, unitCode: string, lang?: Lang): Promise<void> {
    if (!(await this.mayRead(principal, unitCode))) throw outsideScope(principal, unitCode, lang);
  }
}
