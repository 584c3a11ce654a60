import type { DataSource } from 'typeorm';
import {
  ActivityRecordedV1,
  CohortSetV1,
  FiguresUpdatedV1,
  FigureUpdatedV1,
  OrgUnitRetiredV1,
  OrgUnitUpsertedV2,
  ReportAcceptedV1,
  RosterImportedV1,
  SupportPointClosedV1,
  SupportPointOpenedV1,
  SupportSessionLoggedV1,
  TargetSetV2,
  TargetStatusChangedV1,
  TargetStatusesChangedV1,
  TransportCheckedV1,
  type EventEnvelope,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { scratchDataSource } from '@test/support/int-env';
import { ComplianceProjector, ROWS_PER_STATEMENT } from './compliance.projector';
import { PROJECTION_TABLES } from './projection.schema';
import { expectCountsKept, freshProjection, rng } from '../../test/projector-fixtures';

/**
 * Events that collide on purpose: few keys, many versions of each (revisions, occurredAt ties broken by id,
 * retirements racing upserts, opens racing closes), so that one batch often holds several events for one row.
 */
function collidingEvents(seed: number, n: number): EventEnvelope[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const units = ['D1', 'D2', 'C1', 'C2', 'C3'];
  const days = ['2020-08-01', '2020-08-02', '2020-08-03'];
  const base = Date.parse('2020-08-01T00:00:00.000Z');
  // Coarse times (whole seconds, few of them): equal occurredAt values are common, so the id decides.
  const at = () => new Date(base + int(0, 5) * 1000);
  // Revisions and submission times are unique, as the producers make them, but arrive in any order.
  const unique = Array.from({ length: n }, (_, i) => i + 1).sort(() => r() - 0.5);
  let next = 0;
  const revision = () => unique[next++ % n];
  const submitted = () => new Date(base + revision()).toISOString();
  const out: EventEnvelope[] = [];
  for (let i = 0; i < n; i++) {
    const unit = pick(units);
    const occurredAt = at();
    const kind = int(0, 12);
    const meta = { occurredAt };
    switch (kind) {
      case 0:
        out.push(
          makeEvent(
            OrgUnitUpsertedV2,
            'registry',
            unit,
            {
              code: unit,
              name: `Unit ${unit} r${i}`,
              type: unit.startsWith('D') ? 'district' : 'commune',
              level: unit.startsWith('D') ? 2 : 3,
              adminParentCode: unit.startsWith('D') ? 'P' : pick(['D1', 'D2']),
              accountableToCode: null,
              head:
                r() < 0.5
                  ? { name: `Head ${i}`, title: 'Chủ tịch', phone: r() < 0.5 ? `+8491234${String(i).padStart(4, '0')}` : null, email: null }
                  : null,
              active: true,
              revision: revision(),
            } as never,
            meta,
          ),
        );
        break;
      case 1:
        out.push(makeEvent(OrgUnitRetiredV1, 'registry', unit, { code: unit, retiredOn: pick(days), revision: revision() } as never, meta));
        break;
      case 2:
        out.push(
          makeEvent(
            CohortSetV1,
            'registry',
            unit,
            { orgUnitCode: unit, cohort: 'residents', asOf: pick(days), headcount: int(100, 900) } as never,
            meta,
          ),
        );
        break;
      case 3:
        out.push(
          makeEvent(
            TargetSetV2,
            'registry',
            'T1',
            {
              targetId: pick(['T1', 'T2']),
              nameVi: `Chỉ tiêu r${i}`,
              nameEn: `Target r${i}`,
              metric: 'installRate',
              cohorts: ['residents'],
              tree: 'administrative',
              scopeUnitTypes: ['commune'],
              scopeLevels: [3],
              threshold: pick([0.3, 0.5]),
              deadline: '2020-08-31',
              campaignStart: r() < 0.5 ? '2020-08-01' : null,
              reportingWindowDays: int(1, 7),
              revision: revision(),
            } as never,
            meta,
          ),
        );
        break;
      case 4:
        out.push(
          makeEvent(
            FigureUpdatedV1,
            'rates',
            unit,
            {
              orgUnitCode: unit,
              cohort: 'residents',
              tree: 'administrative',
              date: pick(days),
              headcount: 1000,
              smartphoneHolders: 800,
              installed: int(0, 800),
              bluetoothOn: int(0, 400),
              population: r() < 0.5 ? 1200 : null,
              reportingUnits: int(0, 3),
              expectedUnits: 3,
            } as never,
            meta,
          ),
        );
        break;
      case 5:
        out.push(
          makeEvent(
            TargetStatusChangedV1,
            'rates',
            unit,
            {
              targetId: 'T1',
              orgUnitCode: unit,
              date: pick(days),
              status: pick(['on_track', 'at_risk', 'breached']),
              previousStatus: r() < 0.5 ? 'on_track' : null,
              value: r() < 0.8 ? r() : null,
              threshold: 0.5,
              forecastDate: r() < 0.5 ? '2020-08-20' : null,
              gap: int(0, 300),
              reportingUnits: 2,
              expectedUnits: 3,
              reporting: r() < 0.5,
            } as never,
            meta,
          ),
        );
        break;
      case 6:
        out.push(
          makeEvent(
            ReportAcceptedV1,
            'intake',
            unit,
            {
              reportId: '00000000-0000-4000-8000-00000000000' + int(0, 9),
              orgUnitCode: unit,
              cohort: 'residents',
              asOf: pick(days),
              revision: int(1, 3),
              submittedAt: submitted(),
              headcount: 500,
              smartphoneHolders: 400,
              installed: int(0, 400),
              bluetoothOn: int(0, 200),
            } as never,
            meta,
          ),
        );
        break;
      case 7:
        out.push(
          makeEvent(
            ActivityRecordedV1,
            'intake',
            unit,
            {
              activityId: '00000000-0000-4000-8000-00000000001' + int(0, 9),
              orgUnitCode: unit,
              kind: 'broadcast',
              date: pick(days),
              venueType: r() < 0.5 ? 'market' : undefined,
              revision: int(1, 3),
              submittedAt: submitted(),
              sessionsAired: int(0, 9),
              householdsVisited: r() < 0.5 ? int(0, 99) : undefined,
            } as never,
            meta,
          ),
        );
        break;
      case 8: {
        const pointId = pick(['SP-1', 'SP-2']);
        out.push(
          makeEvent(
            SupportPointOpenedV1,
            'support-points',
            pointId,
            {
              pointId,
              operatorCode: 'VNPT-TV',
              communeCode: unit,
              address: `Address ${i}`,
              hours: r() < 0.5 ? '07:00-17:00' : null,
              openedOn: pick(days),
              revision: revision(),
            } as never,
            meta,
          ),
        );
        break;
      }
      case 9: {
        const pointId = pick(['SP-1', 'SP-2']);
        out.push(
          makeEvent(
            SupportPointClosedV1,
            'support-points',
            pointId,
            { pointId, operatorCode: 'VNPT-TV', communeCode: unit, closedOn: pick(days), revision: revision() } as never,
            meta,
          ),
        );
        break;
      }
      case 10:
        out.push(
          makeEvent(
            SupportSessionLoggedV1,
            'support-points',
            'SP-1',
            {
              pointId: 'SP-1',
              date: pick(days),
              operatorCode: 'VNPT-TV',
              communeCode: unit,
              revision: revision(),
              assisted: int(0, 50),
              installed: int(0, 50),
              bluetoothEnabled: int(0, 50),
            } as never,
            meta,
          ),
        );
        break;
      case 11:
        out.push(
          makeEvent(
            TransportCheckedV1,
            'workforce',
            'HUB',
            {
              hubCode: 'HUB',
              date: pick(days),
              revision: revision(),
              passengersChecked: int(0, 99),
              alreadyInstalled: int(0, 50),
              installedOnSite: int(0, 20),
              refused: int(0, 5),
            } as never,
            meta,
          ),
        );
        break;
      default:
        out.push(
          makeEvent(
            RosterImportedV1,
            'workforce',
            'ENT',
            {
              enterpriseCode: 'ENT',
              asOf: pick(days),
              importId: '00000000-0000-4000-8000-00000000002' + int(0, 9),
              revision: revision(),
              headcount: int(10, 99),
              smartphoneHolders: 9,
              installed: int(0, 9),
              bluetoothOn: 3,
              rowsAccepted: 10,
              rowsRejected: int(0, 2),
              joined: int(0, 5),
              left: int(0, 5),
              newlyInstalled: int(0, 5),
              newlyBluetoothOn: 1,
            } as never,
            meta,
          ),
        );
    }
  }
  return out;
}

describe('ComplianceProjector: a batch gives the same tables as its events one by one', () => {
  const scratch = scratchDataSource('projector');
  let ds: DataSource;
  const projector = new ComplianceProjector();
  beforeAll(() => void (ds = scratch()));

  const fresh = (schema: string) => freshProjection(ds, schema);

  /** Every row of every table, as JSON text, sorted. */
  async function dump(schema: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of PROJECTION_TABLES) {
      const rows: Array<{ j: string }> = await ds.query(`SELECT to_jsonb(x)::text AS j FROM "${schema}".${t} x`);
      out[t] = rows.map((r) => r.j).sort();
    }
    return out;
  }

  it.each([1, 2, 3, 4])('seed %i: 400 colliding events in batches of random size, and shuffled, equal one by one', async (seed) => {
    const events = collidingEvents(seed, 400);
    const one = `proj_one_${seed}`;
    const batched = `proj_batch_${seed}`;
    const shuffled = `proj_shuffled_${seed}`;
    await fresh(one);
    await fresh(batched);
    await fresh(shuffled);
    await ds.transaction(async (m) => {
      for (const e of events) expect(await projector.apply(one, e, m)).toBe(true);
    });
    const r = rng(seed * 7919);
    await ds.transaction(async (m) => {
      for (let i = 0; i < events.length;) {
        const size = 1 + Math.floor(r() * 120);
        expect(await projector.applyBatch(batched, events.slice(i, i + size), m)).toBe(Math.min(size, events.length - i));
        i += size;
      }
    });
    // Newest-wins rules make the order of arrival irrelevant: one batch of the whole set, in another order.
    const order = [...events].sort(() => r() - 0.5);
    await ds.transaction((m) => projector.applyBatch(shuffled, order, m));

    const expected = await dump(one);
    expect(Object.values(expected).every((rows) => rows.length > 0)).toBe(true);
    expect(await dump(batched)).toEqual(expected);
    expect(await dump(shuffled)).toEqual(expected);
    for (const schema of [one, batched, shuffled]) await expectCountsKept(ds, schema);
  });

  it("writes a bundle of rates' figures and statuses as its items would be written as events of their own", async () => {
    // Distinct keys, as a flush publishes them: the last figure and status of each unit and day of the colliding events.
    const items = collidingEvents(5, 400);
    const figures = new Map(
      items.filter((e) => e.type === FigureUpdatedV1.type).map((e) => [JSON.stringify([e.key, (e.data as { date: string }).date]), e.data]),
    );
    const statuses = new Map(
      items
        .filter((e) => e.type === TargetStatusChangedV1.type)
        .map((e) => [JSON.stringify([e.key, (e.data as { date: string }).date]), e.data]),
    );
    expect(figures.size).toBeGreaterThan(5);
    expect(statuses.size).toBeGreaterThan(5);
    const at = { occurredAt: new Date('2020-08-20T10:00:00.000Z') };
    const bundles = [
      makeEvent(FiguresUpdatedV1, 'rates', 'C1', { figures: [...figures.values()] } as never, at),
      makeEvent(TargetStatusesChangedV1, 'rates', 'C1', { statuses: [...statuses.values()] } as never, at),
    ];
    // The same items as events of their own, each with its bundle's id and time (what orders it against other events).
    const singles = bundles.flatMap((b) =>
      ((b.data as { figures?: object[]; statuses?: object[] }).figures ?? (b.data as { statuses: object[] }).statuses).map((data) => ({
        ...b,
        type: b.type === FiguresUpdatedV1.type ? FigureUpdatedV1.type : TargetStatusChangedV1.type,
        data,
      })),
    );
    await fresh('proj_bundle');
    await fresh('proj_singles');
    await ds.transaction(async (m) => {
      expect(await projector.applyBatch('proj_bundle', bundles, m)).toBe(figures.size + statuses.size);
      for (const e of singles) expect(await projector.apply('proj_singles', e as EventEnvelope, m)).toBe(true);
    });
    const expected = await dump('proj_singles');
    expect(expected.figures).toHaveLength(figures.size);
    expect(await dump('proj_bundle')).toEqual(expected);
    await expectCountsKept(ds, 'proj_bundle');
    // An item is ordered by its bundle: a later event of its own replaces it, an earlier one does not.
    const [unitDay, figure] = [...figures][0] as [string, Record<string, unknown>];
    const [unit] = JSON.parse(unitDay) as [string, string];
    const later = makeEvent(FigureUpdatedV1, 'rates', unit, { ...figure, installed: 1 } as never, {
      occurredAt: new Date('2020-08-20T10:00:01.000Z'),
    });
    const earlier = makeEvent(FigureUpdatedV1, 'rates', unit, { ...figure, installed: 2 } as never, {
      occurredAt: new Date('2020-08-20T09:59:59.000Z'),
    });
    await ds.transaction((m) => projector.applyBatch('proj_bundle', [later, earlier], m));
    const d = figure as { orgUnitCode: string; date: string };
    expect(
      await ds.query(`SELECT installed FROM proj_bundle.figures WHERE org_unit_code = $1 AND date = $2 AND cohort = 'residents'`, [
        d.orgUnitCode,
        d.date,
      ]),
    ).toEqual([{ installed: 1 }]);
  });

  it(`writes a batch of bundles larger than one statement's ${ROWS_PER_STATEMENT.toLocaleString('en-US')} rows as its items in small batches`, async () => {
    const days = Array.from({ length: 30 }, (_, i) => `2020-08-${String(i + 1).padStart(2, '0')}`);
    const items = Array.from({ length: 200 }, (_, u) =>
      days.map((date, d) => ({
        orgUnitCode: `U${u}`,
        cohort: 'residents',
        tree: 'administrative',
        date,
        headcount: 1000,
        smartphoneHolders: 800,
        installed: (u * 7 + d * 13) % 800,
        bluetoothOn: 100,
        population: null,
        reportingUnits: 1,
        expectedUnits: 1,
      })),
    ).flat();
    expect(items.length).toBeGreaterThan(ROWS_PER_STATEMENT);
    const bundles = Array.from({ length: Math.ceil(items.length / 500) }, (_, i) =>
      makeEvent(FiguresUpdatedV1, 'rates', 'U0', { figures: items.slice(i * 500, (i + 1) * 500) } as never),
    );
    await fresh('proj_big');
    await fresh('proj_big_small');
    await ds.transaction(async (m) => {
      expect(await projector.applyBatch('proj_big', bundles, m)).toBe(items.length);
      for (const b of bundles) expect(await projector.apply('proj_big_small', b, m)).toBe(true);
    });
    const big = await dump('proj_big');
    expect(big.figures).toHaveLength(items.length);
    expect(big).toEqual(await dump('proj_big_small'));
  });

  it('skips events the read model does not use, and writes nothing for a batch of them', async () => {
    await fresh('proj_skip');
    const other = { ...collidingEvents(9, 1)[0], type: 'intake.something.else' } as EventEnvelope;
    await ds.transaction(async (m) => {
      expect(await projector.applyBatch('proj_skip', [other], m)).toBe(0);
    });
    expect(await ds.query(`SELECT * FROM proj_skip.projection_checkpoint`)).toEqual([]);
  });
});
