import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OrgUnitRetiredV1, OrgUnitUpsertedV2, type Tree } from '@app/contracts';
import { groupBy, presentContacts } from '@app/domain';
import { CampaignCalendar, EventOutbox, ProblemException, type Principal } from '@app/platform';
import { ancestorsCte, BOTH_TREES, descendantsCte } from '@app/persistence';
import { parseUnitsCsv } from './org-units-csv';
import { levelOf, parentsFirst, validateDrafts, withDefaults, type DraftField, type DraftIssue, type UnitDraft } from './org-unit.rules';
import { ORG_UNIT_COLUMNS, SELECT_ORG_UNIT, sameAsDraft, treeNodeOf, upsertedDataOf, type OrgUnitRow } from './org-unit.row';
import type { ListOrgUnitsQuery } from './dto/list-org-units.query';

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface OrgUnitView {
  code: string;
  name: string;
  type: string;
  bloc: string | null;
  level: number | null;
  adminParentCode: string | null;
  accountableToCode: string | null;
  /** Phone and e-mail masked: the registry takes them, compliance shows them (docs/data-protection.md). */
  head: { name: string; title: string; phone: string | null; email: string | null; contactsMasked: boolean } | null;
  active: boolean;
  retiredOn: string | null;
  revision: number;
}

export interface UnitRef {
  code: string;
  name: string;
  type: string;
  level: number | null;
  active: boolean;
}

export interface ImportSummary {
  units: number;
  created: number;
  updated: number;
  unchanged: number;
  eventsPublished: number;
}

const PARENT_COLUMN: Record<Tree, 'admin_parent_code' | 'accountable_to_code'> = {
  administrative: 'admin_parent_code',
  accountability: 'accountable_to_code',
};
const CSV_COLUMN: Record<DraftField, string> = {
  code: 'code',
  type: 'type',
  bloc: 'bloc',
  adminParentCode: 'parent_code',
  accountableToCode: 'accountable_to_code',
};

export function viewOf(r: OrgUnitRow): OrgUnitView {
  return {
    code: r.code,
    name: r.name,
    type: r.type,
    bloc: r.bloc,
    level: r.level,
    adminParentCode: r.admin_parent_code,
    accountableToCode: r.accountable_to_code,
    // The registry holds heads' contacts but never shows them: they are read (and every read recorded) in compliance.
    head:
      r.head_name !== null && r.head_title !== null
        ? { name: r.head_name, title: r.head_title, ...presentContacts(r.head_phone, r.head_email, false) }
        : null,
    active: r.active,
    retiredOn: r.retired_on,
    revision: r.revision,
  };
}

@Injectable()
export class OrgUnitsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly calendar: CampaignCalendar,
  ) {}

  /** PUT /v1/org-units/{code}: creates or replaces a unit; publishes only when something changed. */
  async upsert(draft: UnitDraft): Promise<{ outcome: UpsertOutcome; unit: OrgUnitView }> {
    return this.ds.transaction(async (m) => {
      const [result] = await this.applyDrafts(m, [withDefaults(draft)], (issues) => {
        throw new ProblemException(
          422,
          `org unit ${draft.code} breaks the registry's rules: ${issues.map((i) => i.message).join('; ')}`,
          issues.map((i) => ({ field: i.field, message: i.message })),
        );
      });
      return { outcome: result.outcome, unit: viewOf(result.row) };
    });
  }

  /** POST /v1/org-units/import: all or nothing, every bad line listed; a re-import changes and publishes nothing. */
  async importCsv(text: string): Promise<ImportSummary> {
    const parsed = parseUnitsCsv(text);
    if (!parsed.ok) {
      if (parsed.fatal !== null) throw new ProblemException(400, parsed.fatal, [{ field: 'body', message: parsed.fatal }]);
      throw this.lineProblem(parsed.errors);
    }
    return this.ds.transaction(async (m) => {
      const results = await this.applyDrafts(
        m,
        parsed.rows.map((r) => r.draft),
        (issues) => {
          const byLine = groupBy(issues, (i) => parsed.rows[i.index].line);
          throw this.lineProblem(
            [...byLine.entries()]
              .sort((a, b) => a[0] - b[0])
              .map(([line, is]) => ({ line, reason: is.map((i) => `${CSV_COLUMN[i.field]}: ${i.message}`).join('; ') })),
          );
        },
      );
      const count = (o: UpsertOutcome) => results.filter((r) => r.outcome === o).length;
      return {
        units: results.length,
        created: count('created'),
        updated: count('updated'),
        unchanged: count('unchanged'),
        eventsPublished: results.length - count('unchanged'),
      };
    });
  }

  private lineProblem(errors: ReadonlyArray<{ line: number; reason: string }>): ProblemException {
    return new ProblemException(
      422,
      `the file was not imported (nothing stored): ${errors.length} bad line(s): ${errors.map((e) => `line ${e.line}: ${e.reason}`).join(' | ')}`,
      errors.map((e) => ({ field: `line ${e.line}`, message: `line ${e.line}: ${e.reason}` })),
      { rejected: errors },
    );
  }

  /**
   * Validates a batch against every unit held and writes the real changes, parents first, each with its
   * event in the caller's transaction. Serialised by an advisory lock so two concurrent writes cannot
   * together make a cycle that neither sees alone. The whole tree is read: a province holds thousands
   * of units, not millions, and whole-ancestry cycle checks need it.
   */
  async applyDrafts(
    m: EntityManager,
    drafts: readonly UnitDraft[],
    onIssues: (issues: DraftIssue[]) => never,
  ): Promise<Array<{ outcome: UpsertOutcome; row: OrgUnitRow }>> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('registry.org_units'))`);
    const rows: OrgUnitRow[] = await m.query(SELECT_ORG_UNIT);
    const held = new Map(rows.map((r) => [r.code, r]));
    const issues = validateDrafts(drafts, new Map(rows.map((r) => [r.code, treeNodeOf(r)])));
    if (issues.length > 0) onIssues(issues);

    const out: Array<{ outcome: UpsertOutcome; row: OrgUnitRow }> = [];
    const changed: Array<{ draft: UnitDraft; level: number | null; outcome: UpsertOutcome }> = [];
    for (const { draft } of parentsFirst(drafts.map((draft) => ({ draft })))) {
      const level = levelOf(draft.type);
      const before = held.get(draft.code);
      if (before && sameAsDraft(before, draft, level)) out.push({ outcome: 'unchanged', row: before });
      else changed.push({ draft, level, outcome: before ? 'updated' : 'created' });
    }
    if (changed.length > 0) {
      // One statement for every change, whatever the batch size (parent references are checked at commit).
      const written: OrgUnitRow[] = await m.query(
        `INSERT INTO org_units AS u (code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, head_phone, head_email,
           level, active, revision)
         SELECT code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, head_phone, head_email, level, true, 1
         FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text, type text, bloc text, admin_parent_code text, accountable_to_code text,
           head_name text, head_title text, head_phone text, head_email text, level integer)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, type = EXCLUDED.type, bloc = EXCLUDED.bloc,
           admin_parent_code = EXCLUDED.admin_parent_code, accountable_to_code = EXCLUDED.accountable_to_code, head_name = EXCLUDED.head_name,
           head_title = EXCLUDED.head_title, head_phone = EXCLUDED.head_phone, head_email = EXCLUDED.head_email, level = EXCLUDED.level, active = true, retired_on = NULL, revision = u.revision + 1, updated_at = now()
         RETURNING ${ORG_UNIT_COLUMNS}`,
        [
          JSON.stringify(
            changed.map(({ draft, level }) => ({
              code: draft.code,
              name: draft.name,
              type: draft.type,
              bloc: draft.bloc,
              admin_parent_code: draft.adminParentCode,
              accountable_to_code: draft.accountableToCode,
              head_name: draft.head?.name ?? null,
              head_title: draft.head?.title ?? null,
              head_phone: draft.head?.phone ?? null,
              head_email: draft.head?.email ?? null,
              level,
            })),
          ),
        ],
      );
      const byCode = new Map(written.map((r) => [r.code, r]));
      // Revisions and events in parents-first order, as the changes were decided.
      const rows = changed.map((c) => byCode.get(c.draft.code)!);
      await this.recordRevisions(m, rows);
      await this.outbox.recordMany(
        m,
        rows.map((row) => this.outbox.build(OrgUnitUpsertedV2, row.code, upsertedDataOf(row))),
      );
      changed.forEach((c, i) => {
        held.set(rows[i].code, rows[i]);
        out.push({ outcome: c.outcome, row: rows[i] });
      });
    }
    // The caller's order, so a single upsert's result is its own unit.
    const byCode = new Map(out.map((o) => [o.row.code, o]));
    return drafts.map((d) => byCode.get(d.code)!);
  }

  /**
   * Retiring keeps the unit and its history; refused while active units still hang under it. The unit is
   * inactive from now on, so its retirement date is on the campaign calendar (by default today), not ahead.
   */
  async retire(code: string, retiredOn?: string): Promise<{ outcome: 'retired' | 'unchanged'; unit: OrgUnitView }> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('registry.org_units'))`);
      const [unit]: OrgUnitRow[] = await m.query(`${SELECT_ORG_UNIT} WHERE code = $1`, [code]);
      if (!unit) throw new NotFoundException({ detail: `unknown org unit ${code}` });
      const on = retiredOn ?? this.calendar.today();
      await this.calendar.assertWithin({ retiredOn: on }, m);
      if (!unit.active) return { outcome: 'unchanged' as const, unit: viewOf(unit) };
      const children: Array<{ code: string }> = await m.query(
        `SELECT code FROM org_units WHERE active AND (admin_parent_code = $1 OR accountable_to_code = $1) ORDER BY code`,
        [code],
      );
      if (children.length > 0) {
        const message = `${code} still has active units under it: ${children.map((c) => c.code).join(', ')}; retire or move them first`;
        throw new ProblemException(422, message, [{ field: 'code', message }]);
      }
      const [row]: OrgUnitRow[] = await m
        .query(
          `UPDATE org_units SET active = false, retired_on = $2, revision = revision + 1, updated_at = now() WHERE code = $1
           RETURNING ${ORG_UNIT_COLUMNS}`,
          [code, on],
        )
        .then((r: [OrgUnitRow[], number]) => r[0]);
      await this.recordRevisions(m, [row]);
      await this.outbox.record(m, OrgUnitRetiredV1, code, { code, retiredOn: on, revision: row.revision });
      return { outcome: 'retired' as const, unit: viewOf(row) };
    });
  }

  private async recordRevisions(m: EntityManager, rows: readonly OrgUnitRow[]): Promise<void> {
    await m.query(
      `INSERT INTO org_unit_revisions (code, revision, state)
       SELECT code, revision, state FROM jsonb_to_recordset($1::jsonb) AS x(code text, revision integer, state jsonb)`,
      [JSON.stringify(rows.map((row) => ({ code: row.code, revision: row.revision, state: viewOf(row) })))],
    );
  }

  async find(code: string): Promise<OrgUnitRow | null> {
    const [row]: OrgUnitRow[] = await this.ds.query(`${SELECT_ORG_UNIT} WHERE code = $1`, [code]);
    return row ?? null;
  }

  /** A unit with its ancestors (nearest first) and direct children on both trees. */
  async describe(code: string): Promise<OrgUnitView & { parents: Record<Tree, UnitRef[]>; children: Record<Tree, UnitRef[]> }> {
    const row = await this.find(code);
    if (!row) throw new NotFoundException({ detail: `unknown org unit ${code}` });
    const parents = {
      administrative: await this.ancestors(code, 'administrative'),
      accountability: await this.ancestors(code, 'accountability'),
    };
    const children = {
      administrative: await this.children(code, 'administrative'),
      accountability: await this.children(code, 'accountability'),
    };
    return { ...viewOf(row), parents, children };
  }

  private async ancestors(code: string, tree: Tree): Promise<UnitRef[]> {
    const col = PARENT_COLUMN[tree];
    return this.ds.query(
      `WITH RECURSIVE ${ancestorsCte('up', 'SELECT $1::text', { table: 'org_units', parentColumns: [col], maxDepth: 64 })}
       SELECT p.code, p.name, p.type, p.level, p.active FROM up JOIN org_units p ON p.code = up.code ORDER BY up.depth`,
      [code],
    );
  }

  private async children(code: string, tree: Tree): Promise<UnitRef[]> {
    return this.ds.query(
      `SELECT code, name, type, level, active FROM org_units WHERE ${PARENT_COLUMN[tree]} = $1 ORDER BY level NULLS LAST, code`,
      [code],
    );
  }

  /** Lists units, paginated; a portal key sees only its own unit and what lies under it on either tree. */
  async list(q: ListOrgUnitsQuery, principal: Principal): Promise<{ items: OrgUnitView[]; total: number; limit: number; offset: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    let withClause = '';
    if (principal.role === 'portal') {
      const root = `SELECT ${p(principal.orgUnitCode)}::text`;
      withClause = `WITH RECURSIVE ${descendantsCte('scope', root, { table: 'org_units', parentColumns: BOTH_TREES })} `;
      where.push(`code IN (SELECT code FROM scope)`);
    }
    if (q.parent !== undefined) {
      const parent = p(q.parent);
      where.push(q.tree ? `${PARENT_COLUMN[q.tree]} = ${parent}` : `(admin_parent_code = ${parent} OR accountable_to_code = ${parent})`);
    } else if (q.tree) {
      where.push(`(${PARENT_COLUMN[q.tree]} IS NOT NULL OR type = 'province')`);
    }
    if (q.type !== undefined) where.push(`type = ${p(q.type)}`);
    if (q.level !== undefined) where.push(`level = ${p(q.level)}`);
    if (!q.includeRetired) where.push('active');
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }]: Array<{ total: number }> = await this.ds.query(
      `${withClause}SELECT count(*)::int AS total FROM org_units ${filter}`,
      params,
    );
    const rows: OrgUnitRow[] = await this.ds.query(
      `${withClause}SELECT code, name, type, bloc, admin_parent_code, accountable_to_code, head_name, head_title, level, active, retired_on::text AS retired_on, revision
       FROM org_units ${filter} ORDER BY level NULLS LAST, code LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
      params,
    );
    return { items: rows.map(viewOf), total, limit: q.limit, offset: q.offset };
  }
}
