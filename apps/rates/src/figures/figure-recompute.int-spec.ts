import { DataSource, type EntityManager } from 'typeorm';
import { COHORTS, COHORTS_BY_UNIT_TYPE, type Cohort, type TargetSetV1Data, type UnitType } from '@app/contracts';
import { addDays } from '@app/domain';
import { disposeService, startService, type RunningService } from '@test/support/service-harness';
import { RESIDENTS_50, STAFF_AND_WORKERS_BT } from '@test/support/domain-fixtures';
import { ratesService } from '../main';
import { dryRun as dryRunRecompute, expectPublishedIsTheModel } from '@test/support/rates-figures';
import { BEGINNING, FigureRecomputeService, type DirtyMark } from './figure-recompute.service';
import { seededRandom } from '../../../../tools/simulator/src/prng';

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
  STAFF_AND_WORKERS_BT,
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
     ON CONFLICT (org_unit_code, cohort, as_of) DO UPDATE SET revision = EXCLUDED.revision, report_id = EXCLUDED.report_id,
       headcount = EXCLUDED.headcount, smartphone_holders = EXCLUDED.smartphone_holders, installed = EXCLUDED.installed,
       bluetooth_on = EXCLUDED.bluetooth_on
     WHERE rates_reports.revision <= EXCLUDED.revision`,
    [u.code, cohort, asOf, revision, `r${String(++reportSeq).padStart(8, '0')}`, headcount, smartphones, installed, bt],
  );
  return { unitCode: u.code, cohort, from: asOf };
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

  const dryRun = (marks: readonly DirtyMark[], fullModel: boolean) => dryRunRecompute(ds, recompute, marks, [], fullModel);

  async function commit(marks: readonly DirtyMark[], dirtyTargets: readonly string[] = []): Promise<void> {
    await ds.transaction((m) => recompute.recompute(m, marks, dirtyTargets));
  }

  it('writes and publishes the same rows and events, round after round of random inputs, and what was published is the model’s', async () => {
    const rnd = seededRandom(20200804);
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
    // The first computation of everything, as a replay would do it: every unit arrives (marked in every cohort, as
    // RatesInputsService.recordUnit marks it), every report, and the targets (every unit evaluated).
    await commit(
      [...new Set([...units.flatMap((u) => COHORTS.map((c) => `${u.code}|${c}`)), ...initial.map((x) => `${x.unitCode}|${x.cohort}`)])].map(
        (k) => ({
          unitCode: k.split('|')[0],
          cohort: k.split('|')[1] as Cohort,
          from: BEGINNING,
        }),
      ),
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
      expect(targeted.result.rowsWritten).toBeGreaterThan(0);
      await commit(marks);
    }

    // Whatever path published them, consumers hold what the pure model says on every day of every series.
    const compared = await expectPublishedIsTheModel(ds, recompute);
    expect(compared.figures).toBeGreaterThan(500);
    expect(compared.statuses).toBeGreaterThan(500);
  }, 120_000);
});
