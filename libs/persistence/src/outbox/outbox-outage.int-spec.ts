import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventPublisher, streamNames, type NatsLink } from '@app/messaging';
import { dropDatabase, freshDatabase, freshNamespace, waitFor } from '@test/support/int-env';
import { freePort, portOpen as portAnswers } from '../../../../tools/processes/service-processes';
import { openLink, openProbePair, probeReport, probeState, readStream, type ProbePair } from '@test/support/messaging/probe-consumer';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

/**
 * A NATS server of this test's own, so that it can be taken down without touching the shared one on 4222.
 * Restarting it on the same port and store directory is what an outage and a recovery look like.
 */
class OwnNatsServer {
  private child: ChildProcess | null = null;
  readonly storeDir = mkdtempSync(join(tmpdir(), 'bz-outage-js-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(NATS_SERVER, ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir], { stdio: 'ignore' });
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}`);
        return portAnswers(this.port);
      },
      `nats-server on port ${this.port}`,
      20_000,
      100,
    );
  }

  /** SIGKILL: the server disappears as in a crash, with no goodbye to its clients. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

describe('OutboxRelay through a NATS outage (own nats-server, never the shared one)', () => {
  let dbUrl: string;
  let server: OwnNatsServer;
  let link: NatsLink;
  let pair: ProbePair | null = null;

  beforeAll(async () => {
    dbUrl = await freshDatabase('outage');
    server = new OwnNatsServer(await freePort());
    await server.start();
    link = await openLink(server.url, 'outage-int');
  }, 60_000);
  afterAll(async () => {
    await pair?.close();
    // The link first: its drain needs the server.
    if (server) await Promise.race([link?.close(), new Promise((r) => setTimeout(r, 5000).unref())]);
    await server?.dispose();
    if (dbUrl) await dropDatabase(dbUrl).catch(() => undefined);
  }, 60_000);

  it('events committed while NATS is down go out when it returns, in order, once', async () => {
    const publisher = new EventPublisher(link, 2000);
    const p = await openProbePair({
      dbUrl,
      link,
      namespace: freshNamespace('outage'),
      label: 'outage',
      publish: (s, e, subjectSeq) => publisher.publishSerialized(s, e, { subjectSeq }),
      // A killed 2.9 server may lose the consumer's latest acks (its state is flushed asynchronously): those
      // events come again after ack_wait and the inbox drops them. A short ack_wait keeps the test short.
      consumer: { ackWaitMs: 3000 },
    });
    pair = p;
    const relay = p.relay({ pollIntervalMs: 1000 });
    await relay.start();
    await p.consumer.start();

    const before = Array.from({ length: 10 }, (_, i) => probeReport(i));
    await p.commit(before);
    await waitFor(async () => (await probeState(p.consumerDs)).applied === 10, 'the events committed before the outage', 30_000);

    await server.kill();
    // State and events commit while NATS is away: the service does not notice, its outbox keeps them.
    const during = Array.from({ length: 50 }, (_, i) => probeReport(100 + i));
    for (let t = 0; t < 5; t++) await p.commit(during.slice(t * 10, t * 10 + 10));
    expect(await relay.pendingCount()).toBe(50);
    // The relay tried and failed, and recorded why on the first row it could not publish.
    const [failed] = await waitFor(
      async () => {
        const rows: Array<{ attempts: number; last_error: string | null }> = await p.producer.query(
          `SELECT attempts, last_error FROM outbox_pending ORDER BY seq LIMIT 1`,
        );
        return rows[0]?.attempts > 0 ? rows : null;
      },
      'a failed publish attempt while NATS is down',
      30_000,
      100,
    );
    expect(failed.last_error).toBeTruthy();
    expect(await relay.pendingCount()).toBe(50);

    await server.start();
    await waitFor(async () => (await relay.pendingCount()) === 0, 'the outbox to empty once NATS is back', 45_000, 200);
    await waitFor(
      async () => (await probeState(p.consumerDs)).applied >= 60 && p.consumer.idle,
      'the consumer to apply every event',
      45_000,
      200,
    );
    await p.consumer.waitUntilIdle(30_000);

    // The stream (kept across the restart in the server's store) holds every event once, in commit order.
    const stream = await readStream(link, streamNames(p.namespace).events);
    expect(stream.map((m) => m.msgId)).toEqual([...before, ...during].map((e) => e.id));
    const state = await probeState(p.consumerDs);
    expect(state.applied).toBe(60);
    expect(state.distinctApplied).toBe(60);
    const order: Array<{ event_id: string }> = await p.consumerDs.query(`SELECT event_id FROM probe_applied ORDER BY n`);
    expect(order.map((r) => r.event_id)).toEqual([...before, ...during].map((e) => e.id));
  }, 180_000);
});
