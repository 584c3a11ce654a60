import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Principal } from '@app/platform';
import { RosterScope } from '../rosters/roster-scope.service';
import type { EnterpriseChoice } from './roster-page.render';

/**
 * The enterprises a key may upload rosters for, from the registry's replica this service keeps
 * (replica_org_units), each judged by the one scope rule (RosterScope → the platform's ScopeService): an
 * EZ-board key the enterprises under its board, zone or park; an enterprise's own key itself; an admin all.
 */
@Injectable()
export class RosterPageEnterprises {
  constructor(
    private readonly ds: DataSource,
    private readonly scope: RosterScope,
  ) {}

  /** Active enterprises in the key's scope, by name. */
  async forKey(principal: Principal): Promise<EnterpriseChoice[]> {
    const rows: EnterpriseChoice[] = await this.ds.query(
      `SELECT code, name FROM replica_org_units WHERE type = 'enterprise' AND active ORDER BY name, code`,
    );
    const out: EnterpriseChoice[] = [];
    for (const r of rows) if (await this.scope.mayWrite(principal, r.code)) out.push({ code: r.code, name: r.name });
    return out;
  }

  /** Names of units by code (for uploads listed by enterprise code). */
  async names(codes: readonly string[]): Promise<Map<string, string>> {
    if (!codes.length) return new Map();
    const rows: Array<{ code: string; name: string }> = await this.ds.query(
      `SELECT code, name FROM replica_org_units WHERE code = ANY($1)`,
      [[...new Set(codes)]],
    );
    return new Map(rows.map((r) => [r.code, r.name]));
  }
}
