import { Injectable } from '@nestjs/common';
import { ProblemException, ScopeService, type Principal } from '@app/platform';

/**
 * Who may do what with support points. Writes: admin everything; a `telecom` key (the Post Office's
 * key is a telecom-role key for its own unit) only points whose operator is its unit or inside its
 * subtree. Reads: admin, analyst and telecom everything (coverage is about the whole province);
 * a portal key the communes of its own subtree.
 */
@Injectable()
export class SupportScopeService {
  constructor(private readonly scope: ScopeService) {}

  async assertCanManage(principal: Principal, operatorCode: string): Promise<void> {
    if (principal.role === 'admin') return;
    if (principal.role === 'telecom' && (await this.scope.mayWrite(principal, operatorCode))) return;
    throw new ProblemException(403, `this key (${describe(principal)}) may not manage support points of operator ${operatorCode}`);
  }

  /** The unit a reader is confined to (null: everything). */
  readRoot(principal: Principal): string | null {
    switch (principal.role) {
      case 'admin':
      case 'analyst':
      case 'telecom':
        return null;
      case 'portal':
        if (!principal.orgUnitCode) throw new ProblemException(403, 'this portal key has no unit, so it may read nothing');
        return principal.orgUnitCode;
      case 'ez_board':
      case 'transport':
        throw new ProblemException(403, `role ${principal.role} may not read support points`);
    }
  }

  async assertCanReadUnit(principal: Principal, unitCode: string, field: string): Promise<void> {
    if (this.readRoot(principal) === null) return;
    if (!(await this.scope.mayRead(principal, unitCode))) {
      throw new ProblemException(403, `this key (${describe(principal)}) may not read unit ${unitCode}`, [
        { field, message: `${unitCode} is outside this key's scope` },
      ]);
    }
  }
}

function describe(p: Principal): string {
  return `${p.role}${p.orgUnitCode ? ` for ${p.orgUnitCode}` : ''}`;
}
