import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@app/persistence';
import {
  QualityFollowUpChangedV1,
  QualityViolationRaisedV1,
  treeOfCohort,
  type Cohort,
  type EventEnvelope,
  type FollowUpStatus,
  type QualityRule,
} from '@app/contracts';
import { addDays, compareStrings, groupBy, type AdoptionCounts } from '@app/domain';
import type { EventOutbox } from '@app/platform';
import { HISTORY_LIMIT, type Finding, type HistoryPoint, type QualityInputs, type QualityReport } from './quality.rules';

/** A quality_reports row as a `QualityReport`; `t` names the table's alias where the query needs one. */
const reportColumns = (
  t = '',
) => `${t}unit_code AS "unitCode", ${t}cohort, ${t}as_of::text AS "asOf", ${t}revision, ${t}report_id AS "reportId",
  ${t}headcount, ${t}smartphone_holders AS "smartphoneHolders", ${t}installed, ${t}bluetooth_on AS "bluetoothOn"`;
const REPORT_COLUMNS = reportColumns();
/** A quality_reports row as a `HistoryPoint`: what the rules read of the ~30 earlier reports of each report judged. */
const historyColumns = (t = '') =>
  `${t}as_of::text AS "asOf", ${t}headcount, ${t}smartphone_holders AS "smartphoneHolders", ${t}installed, ${t}bluetooth_on AS "bluetoothOn"`;

/** The rules' inputs, read from compliance's own quality tables and its registry replica (siblings). */
export class SqlQualityInputs implements QualityInputs {
  constructor(private readonly m: EntityManager) {}

  history(unitCode: string, cohort: Cohort, before: string, limit: number): Promise<HistoryPoint[]> {
    return this.m.query(
      `SELECT ${historyColumns()} FROM quality_reports WHERE unit_code = $1 AND cohort = $2 AND as_of < $3 ORDER BY as_of DESC LIMIT $4`,
      [unitCode, cohort, before, limit],
    );
  }

  async siblingReports(unitCode: string, cohort: Cohort, from: string, to: string): Promise<QualityReport[]> {
    return (await siblingReportsOf(this.m, [{ unitCode, cohort, from, to }]))[0];
  }

  async denominator(unitCode: string, cohort: Cohort, asOf: string): Promise<number | null> {
    const rows: Array<{ headcount: number }> = await this.m.query(
      `SELECT headcount FROM quality_denominators WHERE unit_code = $1 AND cohort = $2 AND as_of <= $3 ORDER BY as_of DESC LIMIT 1`,
      [unitCode, cohort, asOf],
    );
    return rows[0]?.headcount ?? null;
  }

  async roster(unitCode: string, asOf: string): Promise<AdoptionCounts | null> {
    const rows: AdoptionCounts[] = await this.m.query(
      `SELECT headcount, smartphone_holders AS "smartphoneHolders", installed, bluetooth_on AS "bluetoothOn"
         FROM quality_rosters WHERE unit_code = $1 AND as_of <= $2 ORDER BY as_of DESC LIMIT 1`,
      [unitCode, asOf],
    );
    return rows[0] ?? null;
  }
}

/** One unit's question for its siblings' reports of a cohort over [from, to]. */
export interface SiblingRequest {
  readonly unitCode: string;
  readonly cohort: Cohort;
  readonly from: string;
  readonly to: string;
}

/**
 * The reports of each request's siblings (the active units with its parent on the cohort's tree) over its window,
 * ordered by unit and day: two statements per tree, whatever the number of requests. The requests are grouped by
 * parent and cohort, and each group's siblings read once over the union of its windows (`mergedWindows`; a batch's reports are
 * mostly from a few districts: read per request, the same siblings' days came back once for each of their
 * neighbours, ~6,000 rows and 400–700 ms a batch in the pipeline benchmark); each request then takes its own
 * window, without itself. From the siblings (the parent index), each range's days of all of them in one scan of the
 * primary key: work in proportion to the siblings and the window, not to every unit's reports of the cohort in the window.
 */
export async function siblingReportsOf(m: EntityManager, requests: readonly SiblingRequest[]): Promise<QualityReport[][]> {
  const out: QualityReport[][] = requests.map(() => []);
  const byParent = groupBy(
    requests.map((_, i) => i),
    (i) => (treeOfCohort(requests[i].cohort) === 'administrative' ? 'admin_parent_code' : 'accountable_to_code'),
  );
  for (const [parent, indexes] of byParent) {
    const asked = indexes.map((i) => requests[i]);
    // Each known unit's parent on the tree (none: no siblings, as an unknown unit).
    const parents: Array<{ i: string; p: string }> = await m.query(
      `SELECT k.i::text AS i, me.${parent} AS p FROM unnest($1::text[]) WITH ORDINALITY AS k(unit_code, i)
         JOIN replica_org_units me ON me.code = k.unit_code WHERE me.${parent} IS NOT NULL`,
      [asked.map((q) => q.unitCode)],
    );
    const known = parents.map(({ i, p }) => ({ at: Number(i) - 1, parent: p }));
    const list = [...groupBy(known, (k) => `${k.parent}|${asked[k.at].cohort}`).values()].map((ks) => ({
      parent: ks[0].parent,
      cohort: asked[ks[0].at].cohort,
      members: ks.map((k) => k.at),
    }));
    if (list.length === 0) continue;
    // Each group's windows as disjoint day ranges (the union of its members' windows, overlapping ones merged): the
    // siblings' days that some member asks about, each once. One range from the earliest to the latest day read
    // every day between, which with a batch's reports spread over the campaign was the whole campaign.
    const ranges = list.flatMap((g, gi) => mergedWindows(g.members.map((at) => asked[at])).map((w) => ({ g: gi + 1, ...w, group: g })));
    const rows: Array<QualityReport & { g: string }> = await m.query(
      `SELECT k.g::text AS g, ${reportColumns('q.')}
         FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::int[]) AS k(parent, cohort, f, t, g)
         CROSS JOIN LATERAL (SELECT array_agg(s.code) AS codes FROM replica_org_units s WHERE s.${parent} = k.parent AND s.active) s
         -- One scan of the primary key (unit, cohort, day) per range, for all its siblings at once (unit = ANY), not a
         -- bitmap scan per sibling and range: on a province's 27,000 reports, 40 ranges of 50 siblings took 33 ms this
         -- way against 145-415 ms (in the pipeline benchmark, with the load's jumps in every district, the costliest
         -- statement: ~320 ms a batch). The table has no (cohort, as_of) index any more: with statistics behind a
         -- fast-growing table the planner once took it and filtered every unit's reports of the window for each sibling.
         CROSS JOIN LATERAL (SELECT * FROM quality_reports r
                              WHERE r.unit_code = ANY(s.codes) AND r.cohort = k.cohort AND r.as_of BETWEEN k.f AND k.t OFFSET 0) q
        ORDER BY k.g, q.unit_code, q.as_of`,
      [
        ranges.map((r) => r.group.parent),
        ranges.map((r) => r.group.cohort),
        ranges.map((r) => r.from),
        ranges.map((r) => r.to),
        ranges.map((r) => r.g),
      ],
    );
    const byGroup = list.map((): QualityReport[] => []);
    for (const { g, ...r } of rows) byGroup[Number(g) - 1].push(r);
    list.forEach((g, gi) => {
      for (const at of g.members) {
        const q = asked[at];
        out[indexes[at]] = byGroup[gi].filter((r) => r.unitCode !== q.unitCode && r.asOf >= q.from && r.asOf <= q.to);
      }
    });
  }
  return out;
}

/** The union of some windows [from, to] as disjoint ranges, earliest first (windows that overlap or touch merged). */
export function mergedWindows(windows: ReadonlyArray<{ from: string; to: string }>): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  for (const w of [...windows].sort((a, b) => compareStrings(a.from, b.from))) {
    const last = out[out.length - 1];
    if (last && w.from <= addDays(last.to, 1)) {
      if (w.to > last.to) last.to = w.to;
    } else out.push({ from: w.from, to: w.to });
  }
  return out;
}

/** The key of one report: a unit's report for a cohort on a day. */
export const reportKey = (r: Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf'>): string => `${r.unitCode}|${r.cohort}|${r.asOf}`;

/** The columns of a batch of reports, as arrays for `unnest` (one statement for the whole batch). */
function keyArrays(reports: readonly Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf'>[]): [string[], string[], string[]] {
  return [reports.map((r) => r.unitCode), reports.map((r) => r.cohort), reports.map((r) => r.asOf)];
}

/**
 * The rules' inputs for a whole batch of reports, read in three statements (each report's own history, the
 * denominator and the roster in force on its day) instead of three per report. What was not read ahead (another
 * day, another limit; the siblings, which only a jump needs) is read as `SqlQualityInputs` reads it.
 */
export class BatchQualityInputs implements QualityInputs {
  private readonly histories = new Map<string, HistoryPoint[]>();
  private readonly denominators = new Map<string, number | null>();
  private readonly rosters = new Map<string, AdoptionCounts | null>();
  private readonly sql: SqlQualityInputs;

  private constructor(private readonly m: EntityManager) {
    this.sql = new SqlQualityInputs(m);
  }

  static async load(m: EntityManager, reports: readonly QualityReport[]): Promise<BatchQualityInputs> {
    const inputs = new BatchQualityInputs(m);
    if (reports.length === 0) return inputs;
    const keys = keyArrays(reports);
    const history: Array<HistoryPoint & { i: number }> = await m.query(
      `SELECT k.i::int AS i, ${historyColumns('h.')}
         FROM unnest($1::text[], $2::text[], $3::date[]) WITH ORDINALITY AS k(unit_code, cohort, as_of, i)
         CROSS JOIN LATERAL (SELECT * FROM quality_reports q WHERE q.unit_code = k.unit_code AND q.cohort = k.cohort AND q.as_of < k.as_of
                             ORDER BY q.as_of DESC LIMIT $4) h
        ORDER BY k.i, h.as_of DESC`,
      [...keys, HISTORY_LIMIT],
    );
    // Up to HISTORY_LIMIT rows a report: grouped by position, each row kept as read (no copy, no key built per row), with
    // only the columns the rules read (the unit, cohort, revision and report id of every row were 4 more values to parse each).
    const byReport = reports.map((): HistoryPoint[] => []);
    for (const h of history) byReport[h.i - 1].push(h);
    reports.forEach((r, at) => inputs.histories.set(reportKey(r), byReport[at]));
    const denominators: Array<{ i: string; headcount: number | null }> = await m.query(
      `SELECT k.i::text AS i, (SELECT d.headcount FROM quality_denominators d
                                WHERE d.unit_code = k.unit_code AND d.cohort = k.cohort AND d.as_of <= k.as_of
                                ORDER BY d.as_of DESC LIMIT 1) AS headcount
         FROM unnest($1::text[], $2::text[], $3::date[]) WITH ORDINALITY AS k(unit_code, cohort, as_of, i)`,
      keys,
    );
    for (const d of denominators) inputs.denominators.set(reportKey(reports[Number(d.i) - 1]), d.headcount);
    const enterprises = reports.filter((r) => r.cohort === 'enterprise_workers');
    if (enterprises.length > 0) {
      const rosters: Array<AdoptionCounts & { i: string }> = await m.query(
        `SELECT k.i::text AS i, r.headcount, r.smartphone_holders AS "smartphoneHolders", r.installed, r.bluetooth_on AS "bluetoothOn"
           FROM unnest($1::text[], $2::date[]) WITH ORDINALITY AS k(unit_code, as_of, i)
           LEFT JOIN LATERAL (SELECT * FROM quality_rosters q WHERE q.unit_code = k.unit_code AND q.as_of <= k.as_of
                              ORDER BY q.as_of DESC LIMIT 1) r ON true`,
        [enterprises.map((r) => r.unitCode), enterprises.map((r) => r.asOf)],
      );
      for (const { i, ...c } of rosters) {
        const r = enterprises[Number(i) - 1];
        inputs.rosters.set(`${r.unitCode}|${r.asOf}`, c.headcount === null ? null : c);
      }
    }
    return inputs;
  }

  history(unitCode: string, cohort: Cohort, before: string, limit: number): Promise<HistoryPoint[]> {
    const read = limit === HISTORY_LIMIT ? this.histories.get(`${unitCode}|${cohort}|${before}`) : undefined;
    return read ? Promise.resolve(read) : this.sql.history(unitCode, cohort, before, limit);
  }

  /**
   * Collected while the batch's reports are judged together (their evaluations run side by side, each up to its
   * first question for siblings) and asked in one statement per tree when they have all asked: a round trip per
   * batch, not per report that looks like a jump.
   */
  siblingReports(unitCode: string, cohort: Cohort, from: string, to: string): Promise<QualityReport[]> {
    return new Promise((resolve, reject) => {
      this.siblingQuestions.push({ request: { unitCode, cohort, from, to }, resolve, reject });
      if (this.siblingQuestions.length === 1) setImmediate(() => void this.askSiblings());
    });
  }

  private readonly siblingQuestions: Array<{
    request: SiblingRequest;
    resolve: (reports: QualityReport[]) => void;
    reject: (err: unknown) => void;
  }> = [];

  private async askSiblings(): Promise<void> {
    const questions = this.siblingQuestions.splice(0);
    try {
      const answers = await siblingReportsOf(
        this.m,
        questions.map((q) => q.request),
      );
      questions.forEach((q, i) => q.resolve(answers[i]));
    } catch (err) {
      for (const q of questions) q.reject(err);
    }
  }

  denominator(unitCode: string, cohort: Cohort, asOf: string): Promise<number | null> {
    const key = `${unitCode}|${cohort}|${asOf}`;
    return this.denominators.has(key) ? Promise.resolve(this.denominators.get(key)!) : this.sql.denominator(unitCode, cohort, asOf);
  }

  roster(unitCode: string, asOf: string): Promise<AdoptionCounts | null> {
    const key = `${unitCode}|${asOf}`;
    return this.rosters.has(key) ? Promise.resolve(this.rosters.get(key)!) : this.sql.roster(unitCode, asOf);
  }
}

/** Serialises the rules' work on one unit (a report and a roster of the same enterprise arrive on two lanes). */
export async function lockUnit(m: EntityManager, unitCode: string): Promise<void> {
  await lockUnits(m, [unitCode]);
}

/** The same for several units, taken in one order (by code) so that two batches cannot deadlock. */
export async function lockUnits(m: EntityManager, unitCodes: readonly string[]): Promise<void> {
  const codes = [...new Set(unitCodes)].sort();
  if (codes.length === 0) return;
  await m.query(`SELECT pg_advisory_xact_lock(hashtext('quality:' || c)) FROM unnest($1::text[]) WITH ORDINALITY AS u(c, i) ORDER BY i`, [
    codes,
  ]);
}

/**
 * Keeps each report that is the latest revision for its day, in one statement, and returns those kept (in the
 * order given); a report for which an equal or later revision is already there, or later in the same batch, is
 * not kept: it judges nothing.
 */
export async function recordReports(m: EntityManager, reports: readonly QualityReport[]): Promise<QualityReport[]> {
  const latest = new Map<string, QualityReport>();
  for (const r of reports) {
    const seen = latest.get(reportKey(r));
    if (!seen || seen.revision < r.revision) latest.set(reportKey(r), r);
  }
  const batch = [...latest.values()];
  if (batch.length === 0) return [];
  // Written in key order: two replicas' batches sharing reports lock them in the same order (a wait, never a deadlock).
  const ordered = batch
    .map((r) => [reportKey(r), r] as const)
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, r]) => r);
  const rows: Array<{ k: string }> = await m.query(
    `INSERT INTO quality_reports (unit_code, cohort, as_of, revision, report_id, headcount, smartphone_holders, installed, bluetooth_on)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::int[], $5::uuid[], $6::int[], $7::int[], $8::int[], $9::int[])
     ON CONFLICT (unit_code, cohort, as_of) DO UPDATE SET revision = EXCLUDED.revision, report_id = EXCLUDED.report_id,
       headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
       bluetooth_on = EXCLUDED.bluetooth_on
     WHERE quality_reports.revision < EXCLUDED.revision
     RETURNING unit_code || '|' || cohort || '|' || as_of::text AS k`,
    [
      ...keyArrays(ordered),
      ordered.map((r) => r.revision),
      ordered.map((r) => r.reportId),
      ordered.map((r) => r.headcount),
      ordered.map((r) => r.smartphoneHolders),
      ordered.map((r) => r.installed),
      ordered.map((r) => r.bluetoothOn),
    ],
  );
  const kept = new Set(rows.map((r) => r.k));
  return batch.filter((r) => kept.has(reportKey(r)));
}

export async function recordDenominator(
  m: EntityManager,
  unitCode: string,
  cohort: Cohort,
  asOf: string,
  headcount: number,
): Promise<void> {
  await m.query(
    `INSERT INTO quality_denominators (unit_code, cohort, as_of, headcount) VALUES ($1, $2, $3, $4)
     ON CONFLICT (unit_code, cohort, as_of) DO UPDATE SET headcount = EXCLUDED.headcount`,
    [unitCode, cohort, asOf, headcount],
  );
}

/** Keeps a roster's counts if it is the latest revision for its day. */
export async function recordRoster(
  m: EntityManager,
  unitCode: string,
  asOf: string,
  revision: number,
  c: AdoptionCounts,
): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO quality_rosters (unit_code, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (unit_code, as_of) DO UPDATE SET revision = EXCLUDED.revision, headcount = EXCLUDED.headcount,
       smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on
     WHERE quality_rosters.revision < EXCLUDED.revision
     RETURNING 1`,
    [unitCode, asOf, revision, c.headcount, c.smartphoneHolders, c.installed, c.bluetoothOn],
  );
  return rows.length > 0;
}

/** The enterprise's reports a roster dated `asOf` is the roster of: from its date up to the next roster's. */
export async function reportsUnderRoster(m: EntityManager, unitCode: string, asOf: string): Promise<QualityReport[]> {
  return m.query(
    `SELECT ${REPORT_COLUMNS} FROM quality_reports
      WHERE unit_code = $1 AND cohort = 'enterprise_workers' AND as_of >= $2
        AND as_of < COALESCE((SELECT min(as_of) FROM quality_rosters WHERE unit_code = $1 AND as_of > $2), 'infinity'::date)
      ORDER BY as_of`,
    [unitCode, asOf],
  );
}

export interface ExistingViolation {
  id: string;
  rule: QualityRule;
  status: FollowUpStatus;
  comments: number;
}

/** The stored violations of the rules in `scope` for each of these reports, by `reportKey`, in one statement. */
export async function existingViolations(
  m: EntityManager,
  reports: readonly Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf'>[],
  scope: readonly QualityRule[],
): Promise<Map<string, ExistingViolation[]>> {
  const out = new Map<string, ExistingViolation[]>(reports.map((r) => [reportKey(r), []]));
  if (reports.length === 0) return out;
  // Each report's own violations through the (unit, cohort, day) index, at most one a rule: joined as a set, a batch of
  // ~1,000 reports was planned as a hash join over every violation ever raised (the planner prices an index descent as
  // a disk read), 20–30 ms a batch on a minute's 15,000 violations and growing with them.
  const rows: Array<ExistingViolation & { k: string }> = await m.query(
    `SELECT v.id, v.rule, v.status, v.comments, v.unit_code || '|' || v.cohort || '|' || v.as_of::text AS k
       FROM unnest($1::text[], $2::text[], $3::date[]) AS k(unit_code, cohort, as_of)
       CROSS JOIN LATERAL (SELECT * FROM quality_violations v
                            WHERE v.unit_code = k.unit_code AND v.cohort = k.cohort AND v.as_of = k.as_of AND v.rule = ANY($4)
                            LIMIT cardinality($4::text[])) v`,
    [...keyArrays(reports), scope],
  );
  for (const { k, ...v } of rows) out.get(k)?.push(v);
  return out;
}

/** What `syncViolations` writes for one or more reports: collected first, then written in a few statements. */
export class ViolationWrites {
  private readonly inserts: Array<{ id: string; rule: QualityRule; r: ReportRef; f: Finding }> = [];
  private readonly updates: Array<{ id: string; r: ReportRef; f: Finding }> = [];
  private readonly clears: string[] = [];
  private readonly events: EventEnvelope[] = [];

  constructor(private readonly outbox: EventOutbox) {}

  /**
   * Plans the stored violations of one report (unit, cohort, day) to agree with what the rules found, for the rules
   * in `scope`: a new finding is raised (QualityViolationRaisedV1); one that was cleared and holds again is raised
   * again; an open or marked one the rules no longer find (a later revision fixed the figure) is cleared
   * (QualityFollowUpChangedV1). What people did (marked, resolved, comments) is kept while the finding holds.
   */
  plan(r: ReportRef, findings: readonly Finding[], scope: readonly QualityRule[], existing: readonly ExistingViolation[]): void {
    const now = new Date().toISOString();
    for (const f of findings) {
      if (!scope.includes(f.rule)) continue;
      const old = existing.find((e) => e.rule === f.rule);
      let id: string;
      if (old) {
        id = old.id;
        this.updates.push({ id, r, f });
        if (old.status !== 'cleared') continue;
      } else {
        id = uuidv7();
        this.inserts.push({ id, rule: f.rule, r, f });
      }
      this.events.push(
        this.outbox.build(QualityViolationRaisedV1, r.unitCode, {
          violationId: id,
          rule: f.rule,
          severity: f.severity,
          orgUnitCode: r.unitCode,
          cohort: r.cohort,
          asOf: r.asOf,
          value: f.value,
          limit: f.limit,
          reportId: r.reportId,
          raisedAt: now,
        }),
      );
    }
    for (const old of existing) {
      if (findings.some((f) => f.rule === old.rule) || (old.status !== 'open' && old.status !== 'marked')) continue;
      this.clears.push(old.id);
      this.events.push(
        this.outbox.build(QualityFollowUpChangedV1, r.unitCode, {
          violationId: old.id,
          rule: old.rule,
          orgUnitCode: r.unitCode,
          status: 'cleared',
          comments: old.comments,
          changedAt: now,
        }),
      );
    }
  }

  /** Writes what was planned: at most one insert, one update, one clear and one outbox statement. */
  async write(m: EntityManager): Promise<void> {
    const values = (xs: ReadonlyArray<{ id: string; r: ReportRef; f: Finding }>) => [
      xs.map((x) => x.id),
      xs.map((x) => x.f.severity),
      xs.map((x) => x.f.value),
      xs.map((x) => x.f.limit),
      xs.map((x) => x.f.reported),
      xs.map((x) => x.f.expected),
      xs.map((x) => x.f.measure),
      xs.map((x) => x.r.reportId),
    ];
    if (this.inserts.length > 0)
      await m.query(
        `INSERT INTO quality_violations (id, severity, value, "limit", reported, expected, measure, report_id, rule, unit_code, cohort, as_of)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[], $7::text[], $8::uuid[],
                              $9::text[], $10::text[], $11::text[], $12::date[])`,
        [
          ...values(this.inserts),
          this.inserts.map((x) => x.rule),
          this.inserts.map((x) => x.r.unitCode),
          this.inserts.map((x) => x.r.cohort),
          this.inserts.map((x) => x.r.asOf),
        ],
      );
    if (this.updates.length > 0)
      await m.query(
        `UPDATE quality_violations v SET severity = u.severity, value = u.value, "limit" = u."limit", reported = u.reported,
           expected = u.expected, measure = u.measure, report_id = u.report_id,
           status = CASE WHEN v.status = 'cleared' THEN 'open' ELSE v.status END,
           raised_at = CASE WHEN v.status = 'cleared' THEN now() ELSE v.raised_at END, updated_at = now()
         FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::int[], $6::int[], $7::text[], $8::uuid[])
              AS u(id, severity, value, "limit", reported, expected, measure, report_id)
         WHERE v.id = u.id`,
        values(this.updates),
      );
    if (this.clears.length > 0)
      await m.query(
        `UPDATE quality_violations SET status = 'cleared', updated_at = now(), updated_by = 'system' WHERE id = ANY($1::uuid[])`,
        [this.clears],
      );
    if (this.events.length > 0) await this.outbox.recordMany(m, this.events);
  }
}

/** The report a violation is about. */
type ReportRef = Pick<QualityReport, 'unitCode' | 'cohort' | 'asOf' | 'reportId'>;
