import { DataSource, type EntityManager } from 'typeorm';
import { COHORTS, COHORTS_BY_UNIT_TYPE, treeOfCohort, type Cohort, type TargetSetV1Data, type UnitType } from '@app/contracts';
import { addDays, evaluateTargetSeries, inTargetScope, type Figure, type Target, type TargetEvaluation } from '@app/domain';
import { disposeService, startService, type RunningService } from '../../../../test/support/service-harness';
import { RESIDENTS_50 } from '../../../../libs/domain/src/test-fixtures';
import { ratesService } from '../main';
import { figureOfRow, FIGURE_COLUMNS, evaluationOfRow, STATUS_COLUMNS } from './figure-rows';
import { BEGINNING, FigureRecomputeService, type DirtyMark, type RecomputeResult } from './figure-recompute.service';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface UnitSpec {
  code: string;
  type: UnitType;
  admin: string | null;
  acc: string | null;
  level: number | null;
  active?: boolean;
  retiredOn?: string;
}

const targets: TargetSetV1Data[] = [
  { ...RESIDENTS_50, name: 'Residents' },
  {
    targetId: 'staff-bt',
    name: 'Staff and workers',
    metric: 'bluetooth_rate',
    cohorts: ['staff', 'enterprise_workers'],
    tree: 'accountability',
    scopeUnitTypes: [],
    scopeLevels: [],
    threshold: 0.8,
    deadline: '2020-08-25',
    campaignStart: null,
    reportingWindowDays: 3,
    revision: 1,
  },
  {
    targetId: 'students-install',
    name: 'Students',
    metric: 'install_rate',
    cohorts: ['students', 'residents'],
    tree: 'accountability',
    scopeUnitTypes: ['school'],
    scopeLevels: [],
    threshold: 0.6,
    deadline: '2020-08-18',
    campaignStart: null,
    reportingWindowDays: 5,
    revision: 1,
  },
];

/** Two provinces, hamlets, departments, schools, enterprises, a unit under an unknown parent, a cycle of bad moves, retirements. */
function world(rnd: () => number): UnitSpec[] {
  const units: UnitSpec[] = [];
  for (const p of ['P1', 'P2']) {
    units.push({ code: p, type: 'province', admin: null, acc: null, level: 1 });
    for (let d = 1; d <= 3; d++) {
      const dc = `${p}-D${d}`;
      units.push({ code: dc, type: 'district', admin: p, acc: p, level: 2 });
      for (let c = 1; c <= 4; c++) {
        const cc = `${dc}-C${c}`;
        units.push({ code: cc, type: 'commune', admin: dc, acc: dc, level: 3 });
        if (rnd() < 0.4) units.push({ code: `${cc}-H`, type: 'hamlet', admin: cc, acc: null, level: 4 });
      }
    }
    units.push({ code: `${p}-DEP1`, type: 'department', admin: null, acc: p, level: null });
    units.push({ code: `${p}-DEP2`, type: 'department', admin: null, acc: p, level: null });
    units.push({ code: `${p}-SCH1`, type: 'school', admin: null, acc: `${p}-DEP2`, level: null });
    units.push({ code: `${p}-SCH2`, type: 'school', admin: `${p}-D1-C1`, acc: `${p}-D1`, level: null });
    units.push({ code: `${p}-ENT1`, type: 'enterprise', admin: null, acc: `${p}-DEP1`, level: null });
    units.push({ code: `${p}-ENT2`, type: 'enterprise', admin: null, acc: p, level: null });
  }
  units.push({ code: 'ORPHAN', type: 'commune', admin: 'GHOST', acc: 'GHOST', level: 3 });
  units.push({ code: 'LOOP1', type: 'department', admin: null, acc: 'LOOP2', level: null });
  units.push({ code: 'LOOP2', type: 'department', admin: null, acc: 'LOOP1', level: null });
  units.push({ code: 'LOOP-ENT', type: 'enterprise', admin: null, acc: 'LOOP1', level: null });
  // Retirements: one dated, one without a date (inactive from the beginning).
  units.find((u) => u.code === 'P1-D2-C3')!.retiredOn = '2020-08-14';
  units.find((u) => u.code === 'P2-DEP2')!.active = false;
  return units;
}

async function upsertUnit(m: EntityManager | DataSource, u: UnitSpec, revision: number): Promise<void> {
  await m.query(
    `INSERT INTO rates_units (code, type, admin_parent_code, accountable_to_code, level, active, upsert_revision, retired_on, retire_revision)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
     ON CONFLICT (code) DO UPDATE SET type = EXCLUDED.type, admin_parent_code = EXCLUDED.admin_parent_code, accountable_to_code = EXCLUDED.accountable_to_code,
       level = EXCLUDED.level, active = EXCLUDED.active, upsert_revision = EXCLUDED.upsert_revision, retired_on = EXCLUDED.retired_on, retire_revision = EXCLUDED.retire_revision`,
    [u.code, u.type, u.admin, u.acc, u.level, u.active ?? true, revision, u.retiredOn ?? null, u.retiredOn ? revision + 1 : null],
  );
}

let reportSeq = 0;
/** A random report of a random unit for a cohort its type reports; several revisions of one day happen on purpose. */
async function randomReport(m: EntityManager | DataSource, rnd: () => number, units: readonly UnitSpec[]): Promise<DirtyMark> {
  const u = units[Math.floor(rnd() * units.length)];
  const cohorts = COHORTS_BY_UNIT_TYPE[u.type];
  const cohort = cohorts[Math.floor(rnd() * cohorts.length)];
  const asOf = addDays('2020-08-01', Math.floor(rnd() * 30));
  const headcount = 100 + Math.floor(rnd() * 1000);
  const smartphones = Math.floor(headcount * (0.3 + 0.7 * rnd()));
  const installed = Math.floor(smartphones * rnd());
  const bt = Math.floor(installed * rnd());
  const revision = 1 + Math.floor(rnd() * 3);
  await m.query(
    `INSERT INTO rates_reports (org_unit_code, cohort, as_of, revision, report_id, source, headcount, smartphone_holders, installed, bluetooth_on)
     VALUES ($1,$2,$3,$4,$5,'intake',$6,$7,$8,$9)
     ON CONFLICT (org_unit_code, cohort, as_of, revision) DO UPDATE SET report_id = EXCLUDED.report_id, headcount = EXCLUDED.headcount,
       smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed, bluetooth_on = EXCLUDED.bluetooth_on`,
    [u.code, cohort, asOf, revision, `r${String(++reportSeq).padStart(8, '0')}`, headcount, smartphones, installed, bt],
  );
  return { unitCode: u.code, cohort, from: asOf };
}

interface Outcome {
  result: RecomputeResult;
  events: unknown[];
  figures: unknown[];
  statuses: unknown[];
  publishedFigures: unknown[];
  publishedStatuses: unknown[];
}

describe('rates flusher: the targeted recompute equals the full one', () => {
  let svc: RunningService;
  let ds: DataSource;
  let recompute: FigureRecomputeService;

  beforeAll(async () => {
    // The background flusher finds no marks here: the test passes its marks to the recompute directly.
    svc = await startService(ratesService, { env: { RATES_FIGURE_WINDOW_DAYS: '4' } });
    ds = svc.app.get(DataSource);
    recompute = svc.app.get(FigureRecomputeService);
  }, 60_000);

  afterAll(async () => {
    if (svc) await disposeService(svc);
  });

  /** Runs one recompute in a transaction, reads what it wrote and published, and rolls it all back. */
  async function dryRun(marks: readonly DirtyMark[], fullModel: boolean): Promise<Outcome> {
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const m = qr.manager;
      const [{ max }] = await m.query(`SELECT coalesce(max(seq), 0) AS max FROM outbox`);
      const result = await recompute.recompute(m, marks, [], { fullModel });
      return {
        result,
        events: (await m.query(
          `SELECT envelope->>'type' AS type, envelope->>'key' AS key, envelope->'data' AS data FROM outbox WHERE seq > $1 ORDER BY seq`,
          [max],
        )) as unknown[],
        figures: await m.query(`SELECT ${FIGURE_COLUMNS} FROM rates_figures ORDER BY 1, 2, 3, 4`),
        statuses: await m.query(`SELECT ${STATUS_COLUMNS} FROM rates_target_statuses ORDER BY 1, 2, 3`),
        publishedFigures: await m.query(
          `SELECT org_unit_code, cohort, tree, date::text, payload FROM rates_published_figures ORDER BY 1, 2, 3, 4`,
        ),
        publishedStatuses: await m.query(
          `SELECT target_id, org_unit_code, date::text, payload FROM rates_published_statuses ORDER BY 1, 2, 3`,
        ),
      };
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
  }

  async function commit(marks: readonly DirtyMark[], dirtyTargets: readonly string[] = []): Promise<void> {
    await ds.transaction((m) => recompute.recompute(m, marks, dirtyTargets));
  }

  it('writes and publishes the same rows and events, round after round of random inputs, and the stored rows are the model’s', async () => {
    const rnd = prng(20200804);
    const units = world(rnd);
    for (const u of units) await upsertUnit(ds, u, 1);
    for (const t of targets)
      await ds.query(`INSERT INTO rates_targets (target_id, revision, definition) VALUES ($1, 1, $2::jsonb)`, [
        t.targetId,
        JSON.stringify(t),
      ]);
    await ds.query(
      `INSERT INTO rates_denominators (org_unit_code, cohort, as_of, headcount, event_id) VALUES
       ('P1','residents','2020-01-01',50000,'e1'), ('P1','residents','2020-08-10',52000,'e2'), ('P1-D1','residents','2020-08-05',9000,'e3'),
       ('P2','residents','2020-01-01',40000,'e4'), ('P1-SCH1','students','2020-08-01',800,'e5')`,
    );
    const initial: DirtyMark[] = [];
    for (let i = 0; i < 150; i++) initial.push(await randomReport(ds, rnd, units));
    // The first computation of everything, as a replay would do it (the targets set: every unit evaluated).
    await commit(
      [...new Set(initial.map((x) => `${x.unitCode}|${x.cohort}`))].map((k) => ({
        unitCode: k.split('|')[0],
        cohort: k.split('|')[1] as Cohort,
        from: BEGINNING,
      })),
      targets.map((t) => t.targetId),
    );

    for (let round = 0; round < 12; round++) {
      const marks: DirtyMark[] = [];
      const n = 1 + Math.floor(rnd() * 12);
      for (let i = 0; i < n; i++) marks.push(await randomReport(ds, rnd, units));
      if (round === 4) {
        // A commune moves to another district (and province): it and its former parents are marked from the beginning, every cohort.
        const moved = units.find((u) => u.code === 'P1-D3-C2')!;
        const formerParents = [moved.admin!, moved.acc!];
        Object.assign(moved, { admin: 'P2-D1', acc: 'P2-D1' });
        await upsertUnit(ds, moved, 2);
        for (const code of new Set([moved.code, ...formerParents]))
          for (const cohort of COHORTS) marks.push({ unitCode: code, cohort, from: BEGINNING });
      }
      if (round === 7) {
        const retired = units.find((u) => u.code === 'P1-DEP1')!;
        retired.retiredOn = '2020-08-12';
        await upsertUnit(ds, retired, 3);
        for (const cohort of COHORTS) marks.push({ unitCode: retired.code, cohort, from: '2020-08-12' });
      }
      if (round === 9) {
        await ds.query(
          `INSERT INTO rates_denominators (org_unit_code, cohort, as_of, headcount, event_id) VALUES ('P1-D1','residents','2020-08-15',9500,'e6')`,
        );
        marks.push({ unitCode: 'P1-D1', cohort: 'residents', from: '2020-08-15' });
      }
      const targeted = await dryRun(marks, false);
      const full = await dryRun(marks, true);
      expect(targeted).toEqual(full);
      expect(targeted.result.figuresWritten + targeted.result.statusesWritten).toBeGreaterThan(0);
      await commit(marks);
    }

    // Whatever path wrote them, the stored rows say what the pure model says on every day of every series: a day's value is its
    // latest stored row on or before it (a span that grew on its far side can leave days unstored in between, that hold the
    // value before them, as they did before this flusher). No row is stored for a day the model has no value for.
    const { model, targets: defs } = await recompute.loadModel(ds.manager);
    const asOf = <T extends { date: string }>(rows: Map<string, T[]>, key: string, date: string): T | undefined => {
      let best: T | undefined;
      for (const r of rows.get(key) ?? []) if (r.date <= date) best = r;
      return best;
    };
    const group = <T extends { date: string }>(rows: T[], keyOf: (r: T) => string): Map<string, T[]> => {
      const out = new Map<string, T[]>();
      for (const r of rows) out.set(keyOf(r), [...(out.get(keyOf(r)) ?? []), r]);
      return out;
    };
    const storedFigures = group<Figure>(
      (await ds.query(`SELECT ${FIGURE_COLUMNS} FROM rates_figures ORDER BY org_unit_code, cohort, date`)).map(figureOfRow),
      (f) => `${f.orgUnitCode}|${f.cohort}`,
    );
    const expectedFigures = model.tree.all().flatMap((u) => COHORTS.flatMap((c) => model.figureSeries(u.code, c)));
    expect(expectedFigures.length).toBeGreaterThan(500);
    for (const f of expectedFigures) expect({ ...asOf(storedFigures, `${f.orgUnitCode}|${f.cohort}`, f.date), date: f.date }).toEqual(f);
    const expectedFigureDays = new Set(expectedFigures.map((f) => `${f.orgUnitCode}|${f.cohort}|${f.date}`));
    for (const [, rows] of storedFigures)
      for (const f of rows) expect(expectedFigureDays.has(`${f.orgUnitCode}|${f.cohort}|${f.date}`)).toBe(true);
    expect([...storedFigures.values()].flat().every((f) => f.tree === treeOfCohort(f.cohort))).toBe(true);

    const storedStatuses = group<TargetEvaluation>(
      (await ds.query(`SELECT ${STATUS_COLUMNS} FROM rates_target_statuses ORDER BY target_id, org_unit_code, date`)).map(evaluationOfRow),
      (e) => `${e.targetId}|${e.orgUnitCode}`,
    );
    const expectedStatuses = defs.flatMap((t: Target) =>
      model.tree.all().flatMap((u) => (inTargetScope(model, t, u.code) ? evaluateTargetSeries(model, t, u.code) : [])),
    );
    expect(expectedStatuses.length).toBeGreaterThan(500);
    for (const e of expectedStatuses)
      expect({ ...asOf(storedStatuses, `${e.targetId}|${e.orgUnitCode}`, e.date), date: e.date }).toEqual(e);
    const expectedStatusDays = new Set(expectedStatuses.map((e) => `${e.targetId}|${e.orgUnitCode}|${e.date}`));
    for (const [, rows] of storedStatuses)
      for (const e of rows) expect(expectedStatusDays.has(`${e.targetId}|${e.orgUnitCode}|${e.date}`)).toBe(true);
  }, 120_000);
});
