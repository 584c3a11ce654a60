import type { Cohort } from '@app/contracts';
import { expectedLaggards, expectedPeopleShort } from '../../tools/simulator/src/expect';
import { DEFAULT_OPTIONS } from '../../tools/simulator/src/scenario';
import { runSimulation, type SimulationResult } from '../../tools/simulator/src/simulate';
import { compareFigures, waitForReadModel } from '../../tools/simulator/src/verify';
import { System, type Service } from '../support/system';

const MEMBER_COHORTS: Cohort[] = ['staff', 'students', 'youth_members', 'association_members', 'enterprise_workers'];
const CHECK_DATES = ['2020-08-19', '2020-08-21', '2020-08-25', '2020-08-30'];

async function get(sys: System, path: string, key = sys.adminKey): Promise<any> {
  const res = await fetch(`${sys.url('compliance')}${path}`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Everything the province sees, with the freshness stamps removed, for comparing two runs. */
async function snapshot(sys: System): Promise<unknown> {
  const strip = (v: any): any => JSON.parse(JSON.stringify(v, (k, x) => (k === 'asOfEvent' ? undefined : x)));
  const out: Record<string, unknown> = {};
  for (const date of CHECK_DATES) {
    out[`summary ${date}`] = strip(await get(sys, `/v1/summary?date=${date}`));
    out[`districts ${date}`] = strip(await get(sys, `/v1/units?level=2&tree=administrative&cohort=residents&date=${date}&limit=100`));
    out[`laggards ${date}`] = strip(await get(sys, `/v1/laggards?target=members-100&date=${date}&limit=1000`));
  }
  return out;
}

async function checkCampaign(sys: System, sim: SimulationResult): Promise<void> {
  const { runner, expectations, scenario, world, keys } = sim;
  // Every day checked below (the last is the campaign's last), not only the last: after a service is killed, the events it had fetched come
  // again when their ack wait runs out, and a late report's figure changes only its own days.
  await waitForReadModel(runner, expectations, expectations.allUnits(), CHECK_DATES, 300_000);

  // Every unit that reported, and every unit above them, on the days the directive speaks of.
  const units = new Set<string>(expectations.allUnits());
  const mismatches = await compareFigures(runner, expectations, [...units].sort(), CHECK_DATES);
  expect(mismatches.slice(0, 5)).toEqual([]);

  // The directive's numbers: 6.78% on 19/08, the 50% target breached on 21/08.
  const on19 = await get(sys, '/v1/summary?date=2020-08-19');
  const residents19 = on19.targets.find((t: { targetId: string }) => t.targetId === 'residents-50');
  expect(Math.abs(residents19.value - 0.0678)).toBeLessThanOrEqual(0.0001);
  const on21 = await get(sys, '/v1/summary?date=2020-08-21');
  expect(on21.targets.find((t: { targetId: string }) => t.targetId === 'residents-50').status).toBe('breached');

  // On 30/08 the units that fell short, and only they (with the units whose sums include them), are the laggards, with their heads.
  const laggards = await get(sys, '/v1/laggards?target=members-100&date=2020-08-30&limit=1000');
  const listed = (laggards.items as Array<{ orgUnitCode: string; head: { name: string } | null }>).map((r) => r.orgUnitCode).sort();
  expect(listed).toEqual(expectedLaggards(expectations, expectations.allUnits(), MEMBER_COHORTS, 1, '2020-08-30'));
  for (const short of scenario.shortfall) expect(listed).toContain(short);
  for (const row of laggards.items as Array<{ orgUnitCode: string; head: { name: string } | null }>) {
    expect({ unit: row.orgUnitCode, hasHead: Boolean(row.head?.name) }).toEqual({ unit: row.orgUnitCode, hasHead: true });
  }

  // Issue 16: on its deadline the members' target reads due today, with every unit and person short; worst first.
  const short = expectedLaggards(expectations, expectations.allUnits(), MEMBER_COHORTS, 1, '2020-08-30');
  const on30 = await get(sys, '/v1/summary?date=2020-08-30');
  const members30 = on30.targets.find((t: { targetId: string }) => t.targetId === 'members-100');
  expect(members30).toMatchObject({
    standing: 'due_today',
    statusLabel: 'Đến hạn hôm nay, chưa đạt',
    dueToday: true,
    unitsShort: short.length,
    unitsBreached: 0,
    peopleShort: expectedPeopleShort(expectations, world.province, MEMBER_COHORTS, 1, '2020-08-30'),
  });
  expect(members30.peopleShort).toBeGreaterThan(0);
  expect(members30.name).toMatch(/^100% cán bộ, công chức/);
  const rows = laggards.items as Array<{ value: number; standing: string; parent: { code: string } | null; since: string | null }>;
  expect(rows.every((r) => r.standing === 'due_today' && r.since !== null)).toBe(true);
  for (let i = 1; i < rows.length; i++) expect(rows[i].value).toBeGreaterThanOrEqual(rows[i - 1].value);
  const on31 = await get(sys, '/v1/summary?date=2020-08-31');
  expect(on31.targets.find((t: { targetId: string }) => t.targetId === 'members-100')).toMatchObject({
    standing: 'breached',
    unitsShort: short.length,
    unitsBreached: short.length,
  });
  const breached = await get(sys, '/v1/laggards?target=members-100&date=2020-08-31&limit=1000');
  expect(breached.items.map((r: { orgUnitCode: string }) => r.orgUnitCode).sort()).toEqual(short);
  // Units that should report and never have (the transport hubs, the telecoms) are named, with their heads.
  const silent = (await get(sys, '/v1/laggards?status=no_data&date=2020-08-30&limit=1000')).items as Array<{
    orgUnitCode: string;
    standing: string;
    head: { name: string } | null;
  }>;
  expect(silent.map((r) => r.orgUnitCode)).toEqual(expect.arrayContaining(['BX-01', 'VNPT-TV']));
  expect(silent.every((r) => r.standing === 'no_data' && Boolean(r.head?.name))).toBe(true);

  // Heads' contacts: in full for the admin (and recorded), masked for a district's key.
  const district = world.districts[0].code;
  const forAdmin = await get(sys, `/v1/units/${district}?date=2020-08-30`);
  expect(forAdmin.head).toMatchObject({ phone: expect.stringMatching(/^098\d \d{3} \d{3}$/), contactsMasked: false });
  const forDistrict = await get(sys, `/v1/units/${district}?date=2020-08-30`, keys.byUnit.get(district)!);
  expect(forDistrict.head).toMatchObject({ phone: expect.stringMatching(/^098\d \*\*\* \*\d\d$/), contactsMasked: true });
  const record = await get(sys, '/v1/contact-access?limit=1');
  expect(record.items[0]).toMatchObject({ role: 'admin', route: `GET /v1/units/${district}?date=2020-08-30` });
}

describe('the Trà Vinh August 2020 campaign, end to end', () => {
  let baseline: unknown;

  it('runs the whole campaign through the public APIs; every figure equals what the simulator sent', async () => {
    const sys = await System.create('campaign', { SEED: 'tra-vinh' });
    try {
      await sys.startAll();
      const sim = await runSimulation(sys.simulatorUrls(), sys.adminKey, DEFAULT_OPTIONS, { quiet: true });
      await checkCampaign(sys, sim);
      baseline = await snapshot(sys);
    } finally {
      await sys.dispose();
    }
  }, 900_000);

  it('gives the same figures when every service is killed in turn mid-run and NATS restarts', async () => {
    const sys = await System.create('campaignfaults', { SEED: 'tra-vinh' }, { ownNats: true });
    try {
      await sys.startAll();
      const victims: Array<Service | 'nats'> = ['intake', 'rates', 'registry', 'nats', 'compliance', 'support-points', 'workforce'];
      const faultDays = ['2020-08-10', '2020-08-14', '2020-08-19', '2020-08-21', '2020-08-23', '2020-08-25', '2020-08-27'];
      let pending: Promise<void> = Promise.resolve();
      const sim = await runSimulation(sys.simulatorUrls(), sys.adminKey, DEFAULT_OPTIONS, {
        quiet: true,
        onDay: async (day) => {
          await pending;
          const i = faultDays.indexOf(day);
          if (i < 0) return;
          const victim = victims[i];
          // Strike while the next day's requests are in flight, not between days.
          pending = new Promise((r) => setTimeout(r, 300)).then(() => (victim === 'nats' ? sys.restartNats() : sys.restart(victim)));
        },
      });
      await pending;
      await checkCampaign(sys, sim);
      if (baseline) expect(await snapshot(sys)).toEqual(baseline);
    } finally {
      await sys.dispose();
    }
  }, 1_200_000);
});
