import { DataSource } from 'typeorm';
import {
  ActivityRecordedV1,
  CohortSetV1,
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
  TransportCheckedV1,
  type EventEnvelope,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { dropDatabase, freshDatabase } from '@test/support/int-env';
import { ComplianceProjector } from './compliance.projector';
import { PROJECTION_TABLES, projectionTablesDdl } from './projection.schema';
import { statusCountsSql } from './status-counts';
import { StatusCountsByDate1796537736000 } from '../migrations/1796537736000-StatusCountsByDate';

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

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

/**
 * Statuses only, colliding on purpose: two targets, twelve units, eight days, every status; the same key
 * corrected by later events (and by earlier ones arriving late), occurredAt ties broken by id, and some
 * events delivered twice.
 */
function statusEvents(seed: number, n: number): EventEnvelope[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const base = Date.parse('2020-08-01T00:00:00.000Z');
  const out: EventEnvelope[] = [];
  for (let i = 0; i < n; i++) {
    if (out.length > 0 && r() < 0.1) {
      out.push(pick(out));
      continue;
    }
    const unit = `C${Math.floor(r() * 12)}`;
    out.push(
      makeEvent(
        TargetStatusChangedV1,
        'rates',
        unit,
        {
          targetId: pick(['T1', 'T2']),
          orgUnitCode: unit,
          date: `2020-08-0${1 + Math.floor(r() * 8)}`,
          status: pick(['met', 'on_track', 'at_risk', 'breached', 'no_data']),
          previousStatus: null,
          value: r(),
          threshold: 0.5,
          forecastDate: null,
          gap: Math.floor(r() * 100),
          reportingUnits: 1,
          expectedUnits: 1,
          reporting: true,
        } as never,
        { occurredAt: new Date(base + Math.floor(r() * 20) * 1000) },
      ),
    );
  }
  return out;
}

describe('ComplianceProjector: a batch gives the same tables as its events one by one', () => {
  let url: string;
  let ds: DataSource;
  const projector = new ComplianceProjector();

  beforeAll(async () => {
    url = await freshDatabase('projector');
    ds = new DataSource({ type: 'postgres', url });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    if (url) await dropDatabase(url);
  });

  async function fresh(schema: string): Promise<void> {
    for (const sql of projectionTablesDdl(schema)) await ds.query(sql);
  }

  /** Every row of every table, as JSON text, sorted. */
  async function dump(schema: string): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const t of PROJECTION_TABLES) {
      const rows: Array<{ j: string }> = await ds.query(`SELECT to_jsonb(x)::text AS j FROM "${schema}".${t} x`);
      out[t] = rows.map((r) => r.j).sort();
    }
    return out;
  }

  /**
   * Per day from the day before the first status to the day after the last: the units by status as the
   * summary reads them (statusCountsSql over the maintained rows) and as counted from scratch (every unit's
   * latest status as of the day), as sorted `day target status units` lines.
   */
  async function statusCounts(schema: string): Promise<{ maintained: string[]; scratch: string[] }> {
    const s = `"${schema}"`;
    const days: Array<{ day: string }> = await ds.query(
      `SELECT d::date::text AS day FROM generate_series(
         (SELECT min(date) - 1 FROM ${s}.target_statuses)::timestamp, (SELECT max(date) + 1 FROM ${s}.target_statuses)::timestamp, '1 day') d
       ORDER BY d`,
    );
    const maintained: string[] = [];
    const scratch: string[] = [];
    for (const { day } of days) {
      const kept: Array<{ targetId: string; status: string; units: number }> = await ds.query(statusCountsSql(s), [day]);
      for (const k of kept) maintained.push(`${day} ${k.targetId} ${k.status} ${k.units}`);
      const counted: Array<{ targetId: string; status: string; units: number }> = await ds.query(
        `SELECT target_id AS "targetId", status, count(*)::int AS units FROM (
           SELECT DISTINCT ON (target_id, org_unit_code) target_id, status FROM ${s}.target_statuses
           WHERE date <= $1 ORDER BY target_id, org_unit_code, date DESC) latest
         GROUP BY target_id, status`,
        [day],
      );
      for (const c of counted) scratch.push(`${day} ${c.targetId} ${c.status} ${c.units}`);
    }
    // No leftover: what the maintained rows say of the statuses nobody holds sums to zero, never below.
    const negative: unknown[] = await ds.query(
      `SELECT 1 FROM ${s}.status_count_deltas a
       WHERE (SELECT sum(delta) FROM ${s}.status_count_deltas b WHERE b.target_id = a.target_id AND b.status = a.status AND b.date <= a.date) < 0`,
    );
    expect(negative).toEqual([]);
    // Nor a row whose changes cancelled out: the table is the same whatever the batches (a rebuild is compared row by row).
    expect(await ds.query(`SELECT target_id, date::text, status FROM ${s}.status_count_deltas WHERE delta = 0`)).toEqual([]);
    return { maintained: maintained.sort(), scratch: scratch.sort() };
  }

  async function expectCountsKept(schema: string): Promise<void> {
    const { maintained, scratch } = await statusCounts(schema);
    expect(scratch.length).toBeGreaterThan(0);
    expect(maintained).toEqual(scratch);
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
    for (const schema of [one, batched, shuffled]) await expectCountsKept(schema);
  });

  it.each([11, 12, 13])(
    'seed %i: the summary rows kept by the projection equal a count from scratch after every batch, in any order, batches concurrent',
    async (seed) => {
      const events = statusEvents(seed, 300);
      const r = rng(seed * 104729);
      const serial = `proj_counts_${seed}`;
      await fresh(serial);
      const order = [...events].sort(() => r() - 0.5);
      for (let i = 0; i < order.length;) {
        const size = 1 + Math.floor(r() * 40);
        await ds.transaction((m) => projector.applyBatch(serial, order.slice(i, i + size), m));
        await expectCountsKept(serial);
        i += size;
      }
      // Batches of another order at once, in their own transactions (two replicas on one generation).
      const parallel = `proj_counts_par_${seed}`;
      await fresh(parallel);
      const other = [...events].sort(() => r() - 0.5);
      const chunks = Array.from({ length: 6 }, (_, k) => other.filter((_, i) => i % 6 === k));
      await Promise.all(chunks.map((chunk) => ds.transaction((m) => projector.applyBatch(parallel, chunk, m))));
      await expectCountsKept(parallel);
      const rows = async (schema: string) => ds.query(`SELECT * FROM "${schema}".target_statuses ORDER BY target_id, org_unit_code, date`);
      expect(await rows(parallel)).toEqual(await rows(serial));
      expect(await statusCounts(parallel)).toEqual(await statusCounts(serial));
    },
  );

  it('batches of different units, at once, never deadlock on the summary rows they share (two replicas on one generation)', async () => {
    // Each batch its own units (no pair in common), all on one target and the same days: their summary rows are the
    // same rows, taken away before each batch's upsert and added back after it, in two passes.
    const schema = 'proj_counts_disjoint';
    await fresh(schema);
    const r = rng(4242);
    const base = Date.parse('2020-08-01T00:00:00.000Z');
    const batch = (b: number, round: number): EventEnvelope[] =>
      Array.from({ length: 60 }, (_, i) => {
        const unit = `D${b}-${i % 30}`;
        return makeEvent(
          TargetStatusChangedV1,
          'rates',
          unit,
          {
            targetId: 'T1',
            orgUnitCode: unit,
            date: `2020-08-0${1 + ((i + round) % 8)}`,
            status: (['met', 'on_track', 'at_risk', 'breached'] as const)[Math.floor(r() * 4)],
            previousStatus: null,
            value: r(),
            threshold: 0.5,
            forecastDate: null,
            gap: 1,
            reportingUnits: 1,
            expectedUnits: 1,
            reporting: true,
          } as never,
          { occurredAt: new Date(base + round * 60_000 + i) },
        );
      });
    for (let round = 0; round < 4; round++) {
      await Promise.all(Array.from({ length: 8 }, (_, b) => ds.transaction((m) => projector.applyBatch(schema, batch(b, round), m))));
      await expectCountsKept(schema);
    }
  });

  it('the migration fills the summary rows of an existing generation as the projection would have kept them', async () => {
    await ds.query(`CREATE SCHEMA mig`);
    await fresh('mig_g1');
    const events = statusEvents(21, 300);
    await ds.transaction((m) => projector.applyBatch('mig_g1', events, m));
    const kept = await statusCounts('mig_g1');
    await ds.query(`DROP TABLE mig_g1.status_count_deltas`);
    const qr = ds.createQueryRunner();
    try {
      await qr.query(`SET search_path TO mig`);
      await new StatusCountsByDate1796537736000().up(qr);
    } finally {
      await qr.query(`RESET search_path`);
      await qr.release();
    }
    await expectCountsKept('mig_g1');
    expect(await statusCounts('mig_g1')).toEqual(kept);
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
