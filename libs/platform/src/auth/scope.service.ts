import { ForbiddenException, Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { UNIT_SCOPE, type Principal, type UnitScope } from './principal';

/**
 * Which units a key may act for (docs/api.md, Roles): admin all; portal its unit and its subtree on either tree;
 * ez_board enterprises under an economic zone or industrial park; transport hubs under its unit;
 * telecom its own operator's units; analyst reads everything and writes nothing.
 */
@Injectable()
export class ScopeService {
  constructor(@Inject(UNIT_SCOPE) private readonly units: UnitScope) {}

  /** A write for `unitCode`. Throws 404 for an unknown unit, 422 for a retired one, 403 outside the key's scope. */
  async assertCanWrite(principal: Principal, unitCode: string): Promise<{ type: string; ancestors: string[] }> {
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
    if (!(await this.mayWrite(principal, unitCode, unit))) {
      throw new ForbiddenException({
        detail: `this key (${principal.role}${principal.orgUnitCode ? ` for ${principal.orgUnitCode}` : ''}) may not act for unit ${unitCode}`,
      });
    }
    return unit;
  }

  /**
   * When `unit` carries its ancestors (as `describe` gives them), the subtree question is answered from
   * them: one lookup per check instead of a second walk up the trees.
   */
  async mayWrite(
    principal: Principal,
    unitCode: string,
    unit?: { type: string; ancestorTypes: string[]; ancestors?: string[] } | null,
  ): Promise<boolean> {
    const u = unit ?? (await this.units.describe(unitCode));
    if (!u) return false;
    const within = async (root: string): Promise<boolean> =>
      unitCode === root || (u.ancestors ? u.ancestors.includes(root) : await this.units.isWithin(unitCode, root));
    switch (principal.role) {
      case 'admin':
        return true;
      case 'analyst':
        return false;
      case 'ez_board':
        return (
          (u.type === 'enterprise' && (u.ancestorTypes.includes('economic_zone') || u.ancestorTypes.includes('industrial_park'))) ||
          (principal.orgUnitCode !== null && (await within(principal.orgUnitCode)))
        );
      case 'portal':
      case 'transport':
      case 'telecom':
        return principal.orgUnitCode !== null && (await within(principal.orgUnitCode));
    }
  }

  /** Reads: admin and analyst see everything; the others their own subtree. */
  async mayRead(principal: Principal, unitCode: string): Promise<boolean> {
    if (principal.role === 'admin' || principal.role === 'analyst') return true;
    return this.mayWrite(principal, unitCode);
  }

  async assertCanRead(principal: Principal, unitCode: string): Promise<void> {
    if (!(await this.mayRead(principal, unitCode))) throw new ForbiddenException({ detail: `this key may not read unit ${unitCode}` });
  }
}
