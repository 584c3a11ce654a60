import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { CohortSetV1, OrgUnitRetiredV1, ReportAcceptedV1, TargetSetV1, type Cohort } from '@app/contracts';
import { addDays } from '@app/domain';
import { RESIDENTS_50, STAFF_AND_WORKERS_BT } from '@test/support/domain-fixtures';
import { expectPublishedIsTheModel } from '@test/support/rates-figures';
import { disposeService, EventInjector, settle, startService, type RunningService } from '@test/support/service-harness';
import { ratesService } from '../main';
import { FigureFlusher } from './figure-flusher.service';
import { FigureRecomputeService, type RecomputeResult } from './figure-recompute.service';
import { seededRandom } from '../../../../tools/simulator/src/prng';

/**
 * Rates across replicas: two rates services on one database and one event namespace (they share the durable
 * consumers and the marks), their flushers run at once. Each claims roll-up partitions the other does not
 * hold; together they store the figures and statuses one full recomputation gives.
 */
describe('rates replicas: two flushers in parallel give the figures of one', () => {
  let a: RunningService;
  let b: RunningService;
  let events: EventInjector;
  const env = { RATES_FIGURE_WINDOW_DAYS: '3', RATES_FLUSH_DEBOUNCE_MS: '60000', RATES_FLUSH_BATCH_MARKS: '15' };

  beforeAll(async () => {
    // The background flushers sleep (their longest debounce): the test runs both at once itself.
    a = await startService(ratesService, { env });
    b = await startService(ratesService, { databaseUrl: a.databaseUrl, namespace: a.namespace, env });
    events = await EventInjector.open(a.namespace);
  }, 90_000);

  afterAll(async () => {
    await events?.close();
    if (b) await disposeService(b, { database: false, namespace: false });
    if (a) await disposeService(a);
  });

  const settleBoth = async () => {
    await settle(a);
    await settle(b);
  };

  /** Both flushers at once, again and again, until nothing is marked; how many batches of work each did. */
  async function flushBoth(): Promise<[number, number]> {
    const ds = a.app.get(DataSource);
    const done: [number, number] = [0, 0];
    const worked = (r: RecomputeResult | null) => (r && r.rowsWritten > 0 ? 1 : 0);
    for (let round = 0; round < 50; round++) {
      const [ra, rb] = await Promise.all([a.app.get(FigureFlusher).flushOnce(), b.app.get(FigureFlusher).flushOnce()]);
      done[0] += worked(ra);
      done[1] += worked(rb);
      const [{ pending }] = await ds.query(
        `SELECT EXISTS (SELECT 1 FROM rates_dirty) OR EXISTS (SELECT 1 FROM rates_dirty_targets) AS pending`,
      );
      if (!pending) return done;
    }
    throw new Error('marks left after 50 rounds of both flushers');
  }

  it('shares the partitions between the replicas, and what they published is the full recomputation’s', async () => {
    const rnd = seededRandom(20200830);
    const communes: string[] = [];
    const enterprises: string[] = [];
    await events.unit({ code: 'P', type: 'province', level: 1 });
    for (let d = 1; d <= 6; d++) {
      await events.unit({ code: `D${d}`, type: 'district', adminParentCode: 'P', accountableToCode: 'P', level: 2 });
      for (let c = 1; c <= 4; c++) {
        const code = `D${d}-C${c}`;
        communes.push(code);
        await events.unit({ code, type: 'commune', adminParentCode: `D${d}`, accountableToCode: `D${d}`, level: 3 });
      }
    }
    for (let s = 1; s <= 3; s++) {
      await events.unit({ code: `DEP${s}`, type: 'department', accountableToCode: 'P' });
      for (let e = 1; e <= 3; e++) {
        enterprises.push(`DEP${s}-E${e}`);
        await events.unit({ code: `DEP${s}-E${e}`, type: 'enterprise', accountableToCode: `DEP${s}` });
      }
    }
    await events.publish(CohortSetV1, 'P', { orgUnitCode: 'P', cohort: 'residents', headcount: 1_000_000, asOf: '2019-04-01' });
    await events.publish(TargetSetV1, RESIDENTS_50.targetId, RESIDENTS_50);
    await events.publish(TargetSetV1, STAFF_AND_WORKERS_BT.targetId, STAFF_AND_WORKERS_BT);
    const report = (orgUnitCode: string, cohort: Cohort) => {
      const headcount = 1000 + Math.floor(rnd() * 9000);
      const smartphoneHolders = Math.floor(headcount * (0.5 + rnd() / 2));
      const installed = Math.floor(smartphoneHolders * rnd());
      return events.publish(ReportAcceptedV1, orgUnitCode, {
        reportId: randomUUID(),
        orgUnitCode,
        cohort,
        asOf: addDays('2020-08-04', Math.floor(rnd() * 26)),
        revision: 1 + Math.floor(rnd() * 2),
        submittedAt: new Date().toISOString(),
        headcount,
        smartphoneHolders,
        installed,
        bluetoothOn: Math.floor(installed * rnd()),
      });
    };
    const wave = async (n: number) => {
      for (let i = 0; i < n; i++) {
        if (rnd() < 0.6) await report(communes[Math.floor(rnd() * communes.length)], rnd() < 0.7 ? 'residents' : 'staff');
        else await report(enterprises[Math.floor(rnd() * enterprises.length)], rnd() < 0.5 ? 'staff' : 'enterprise_workers');
      }
    };
    await wave(120);
    await settleBoth();
    await flushBoth();
    const recompute = a.app.get(FigureRecomputeService);
    await expectPublishedIsTheModel(a.app.get(DataSource), recompute);

    // A second wave, late reports and corrections among them, a commune moving to another district and an enterprise retired.
    await wave(200);
    await events.unit({ code: 'D1-C1', type: 'commune', adminParentCode: 'D2', accountableToCode: 'D2', level: 3, revision: 2 });
    await events.publish(OrgUnitRetiredV1, 'DEP1-E1', { code: 'DEP1-E1', retiredOn: '2020-08-15', revision: 2 });
    await settleBoth();
    const [byA, byB] = await flushBoth();
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    const compared = await expectPublishedIsTheModel(a.app.get(DataSource), recompute);
    expect(compared.figures).toBeGreaterThan(1000);
    expect(compared.statuses).toBeGreaterThan(500);
  }, 180_000);
});
