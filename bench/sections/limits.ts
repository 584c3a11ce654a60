import { cpus } from 'node:os';
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { ReportAcceptedV1, subjectOf } from '@app/contracts';
import { ensureStreams } from '@app/messaging';
import { makeEvent } from '@app/persistence';
import { Window, type BenchContext, type Section } from '../support/context';
import { dropDatabase, dropNamespace, freshDatabase, freshNamespace, natsUrl } from '../support/env';

const REPORT_TABLE = `CREATE TABLE bench_reports (
  id bigserial PRIMARY KEY, report_id uuid NOT NULL, org_unit_code text NOT NULL, cohort text NOT NULL, as_of date NOT NULL,
  revision int NOT NULL, headcount int NOT NULL, smartphone_holders int NOT NULL, installed int NOT NULL, bluetooth_on int NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT now())`;

/** JetStream publish-with-ack from Node, pipelined (a bounded window of unacknowledged publishes), envelope-sized messages with Nats-Msg-Id. */
async function jetstreamPublishRate(ctx: BenchContext): Promise<{ rate: number; count: number; version: string }> {
  const ns = freshNamespace('limits');
  const nc = await connect({ servers: natsUrl() });
  try {
    await ensureStreams(await jetstreamManager(nc), { namespace: ns });
    const js = jetstream(nc);
    const subject = subjectOf(ns, ReportAcceptedV1);
    const count = ctx.quick ? 10_000 : 30_000;
    const payloads = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify(
        makeEvent(ReportAcceptedV1, 'intake', `C${i}`, {
          reportId: randomUUID(),
          orgUnitCode: `C${i}`,
          cohort: 'residents',
          asOf: '2020-08-25',
          revision: 1,
          submittedAt: new Date().toISOString(),
          headcount: 1000,
          smartphoneHolders: 800,
          installed: 500,
          bluetoothOn: 400,
        }),
      ),
    );
    const window = new Window(1000);
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      await window.run(() => js.publish(subject, payloads[i % payloads.length], { msgID: `${ns}-${i}` }));
    }
    await window.drain();
    const secs = (performance.now() - start) / 1000;
    if (window.firstError) throw new Error(`${window.failures} publishes failed: ${window.firstError.message}`);
    return { rate: count / secs, count, version: nc.info?.version ?? 'unknown' };
  } finally {
    await nc.close();
    await dropNamespace(ns).catch(() => undefined);
  }
}

/** Concurrent single-row commits: `clients` connections, each INSERT (autocommit) as fast as it can, for a while. */
async function pgCommitRate(url: string, clients: number, durationMs: number): Promise<number> {
  const conns = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    let commits = 0;
    const deadline = performance.now() + durationMs;
    const start = performance.now();
    await Promise.all(
      conns.map(async (c, k) => {
        let i = 0;
        while (performance.now() < deadline) {
          await c.query(
            'INSERT INTO bench_reports (report_id, org_unit_code, cohort, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)',
            [randomUUID(), `C${k}-${i++}`, 'residents', '2020-08-25', 1, 1000, 800, 500, 400],
          );
          commits += 1;
        }
      }),
    );
    return commits / ((performance.now() - start) / 1000);
  } finally {
    await Promise.all(conns.map((c) => c.end()));
  }
}

/** Report-shaped rows through one multi-row INSERT … SELECT unnest(…) per chunk (stands in for COPY: pg-copy-streams is not installed). */
async function pgBulkRate(url: string, rows: number, chunk: number): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const cols = {
      ids: [] as string[],
      units: [] as string[],
      cohorts: [] as string[],
      dates: [] as string[],
      revs: [] as number[],
      h: [] as number[],
      s: [] as number[],
      i: [] as number[],
      b: [] as number[],
    };
    for (let k = 0; k < chunk; k++) {
      cols.ids.push(randomUUID());
      cols.units.push(`C${k}`);
      cols.cohorts.push('residents');
      cols.dates.push('2020-08-25');
      cols.revs.push(1);
      cols.h.push(1000 + k);
      cols.s.push(800);
      cols.i.push(500);
      cols.b.push(400);
    }
    const start = performance.now();
    for (let done = 0; done < rows; done += chunk) {
      await c.query(
        `INSERT INTO bench_reports (report_id, org_unit_code, cohort, as_of, revision, headcount, smartphone_holders, installed, bluetooth_on)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::date[], $5::int[], $6::int[], $7::int[], $8::int[], $9::int[])`,
        [cols.ids, cols.units, cols.cohorts, cols.dates, cols.revs, cols.h, cols.s, cols.i, cols.b],
      );
    }
    return rows / ((performance.now() - start) / 1000);
  } finally {
    await c.end();
  }
}

export const limitsSection: Section = {
  name: 'limits',
  title: 'Limits of this machine (measured in the same run)',
  async run(ctx, rows) {
    const section = 'limits';
    ctx.env.cpus = cpus().length;
    ctx.env.cpuModel = cpus()[0]?.model ?? 'unknown';
    try {
      const js = await jetstreamPublishRate(ctx);
      ctx.env.nats = js.version;
      ctx.limits.jetstreamPublish = { name: 'JetStream publish', value: js.rate, unit: 'msg/s' };
      rows.push({
        section,
        measure: 'JetStream publish with ack from Node (window 1,000, ~400 B envelopes, Nats-Msg-Id, file storage)',
        value: js.rate,
        unit: 'msg/s',
        detail: `${js.count.toLocaleString('en-US')} messages`,
      });
    } catch (err) {
      rows.push({ section, measure: 'JetStream publish with ack', value: null, unit: 'msg/s', error: (err as Error).message });
    }
    let url: string | null = null;
    try {
      url = await freshDatabase('limits');
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        ctx.env.postgres = ((await c.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? 'unknown').replace(/,.*$/, '');
        ctx.env.synchronousCommit =
          (await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit ?? '?';
        await c.query(REPORT_TABLE);
      } finally {
        await c.end();
      }
      const clients = 16;
      const rate = await pgCommitRate(url, clients, ctx.quick ? 2_000 : 8_000);
      ctx.limits.pgCommit = { name: 'PG single-row commits', value: rate, unit: 'commit/s' };
      rows.push({ section, measure: `PostgreSQL single-row INSERT+COMMIT, ${clients} connections`, value: rate, unit: 'commit/s' });
    } catch (err) {
      rows.push({ section, measure: 'PostgreSQL single-row commits', value: null, unit: 'commit/s', error: (err as Error).message });
    }
    try {
      if (!url) throw new Error('no database');
      const total = ctx.quick ? 50_000 : 500_000;
      const rate = await pgBulkRate(url, total, 10_000);
      ctx.limits.pgBulk = { name: 'PG bulk insert', value: rate, unit: 'rows/s' };
      rows.push({
        section,
        measure:
          'PostgreSQL bulk insert of report-shaped rows (INSERT … SELECT unnest, 10,000 rows/statement, 1 connection; stands in for COPY)',
        value: rate,
        unit: 'rows/s',
        detail: `${total.toLocaleString('en-US')} rows`,
      });
    } catch (err) {
      rows.push({ section, measure: 'PostgreSQL bulk insert', value: null, unit: 'rows/s', error: (err as Error).message });
    } finally {
      if (url) await dropDatabase(url).catch(() => undefined);
    }
  },
};
