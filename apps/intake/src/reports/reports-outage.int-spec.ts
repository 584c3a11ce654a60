import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { ApiKeyIssuedV1, OrgUnitUpsertedV1, subjectOf, type EventContract, type EventEnvelope } from '@app/contracts';
import { streamNames } from '@app/messaging';
import { claimEvents, makeEvent } from '@app/persistence';
import { generateApiKey, hashApiKey } from '@app/platform';
import { intakeService } from '../main';
import { disposeService, http, settle, startService, type RunningService } from '@test/support/service-harness';
import { waitFor } from '@test/support/int-env';
import { OwnNats } from '@test/support/own-nats';

// NATS is stopped and started here, so this file runs its own nats-server (never the shared one).
describe('intake: a report accepted while NATS is down is published once NATS is back', () => {
  let nats: OwnNats;
  let svc: RunningService;
  let nc: NatsConnection;
  let portal: string;
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => svc.app.get(DataSource).query(sql, params);

  const publish = async <T extends string, D extends object>(contract: EventContract<T, D>, key: string, data: D) => {
    const e = makeEvent(contract, 'registry', key, data);
    await jetstream(nc).publish(subjectOf(svc.namespace, contract), JSON.stringify(e), { msgID: e.id });
  };

  /** Every intake.report.accepted message in the stream, with its Nats-Msg-Id. */
  const acceptedInStream = async (conn: NatsConnection) => {
    const jsm = await jetstreamManager(conn);
    const stream = streamNames(svc.namespace).events;
    const info = await jsm.streams.info(stream);
    const out: Array<{ msgId: string | undefined; envelope: EventEnvelope<string, { reportId: string }> }> = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq });
      if (m && m.subject.endsWith('intake.report.accepted.v1')) out.push({ msgId: m.header?.get('Nats-Msg-Id'), envelope: m.json() });
    }
    return out;
  };

  beforeAll(async () => {
    nats = await OwnNats.create('intake');
    await nats.start();
    svc = await startService(intakeService, { env: { NATS_URL: nats.url } });
    await settle(svc);
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    await publish(OrgUnitUpsertedV1, '29236', {
      code: '29236',
      name: 'Phường 4',
      type: 'commune',
      bloc: null,
      adminParentCode: null,
      accountableToCode: null,
      head: null,
      level: 3,
      active: true,
      revision: 1,
    });
    portal = generateApiKey();
    await publish(ApiKeyIssuedV1, '29236', {
      keyId: 'k-outage',
      keyHash: hashApiKey(portal),
      role: 'portal',
      orgUnitCode: '29236',
      issuedAt: new Date().toISOString(),
    });
    await settle(svc);
  }, 60_000);

  afterAll(async () => {
    await nc?.close().catch(() => undefined);
    if (svc) await disposeService(svc, { database: true, namespace: false });
    await nats?.dispose();
  }, 60_000);

  it('keeps the event in the outbox while NATS is down, publishes it exactly once after, and never twice on a re-publish', async () => {
    await nats.stop();
    const res = await http(svc, 'POST', '/v1/reports', {
      key: portal,
      body: {
        orgUnitCode: '29236',
        cohort: 'residents',
        asOf: '2020-08-25',
        headcount: 1000,
        smartphoneHolders: 800,
        installed: 500,
        bluetoothOn: 450,
      },
    });
    expect(res.status).toBe(202);
    await new Promise((r) => setTimeout(r, 1500)); // the relay tries and fails meanwhile
    const pending = await q<{ event_id: string }>(`SELECT event_id FROM outbox`);
    expect(pending).toHaveLength(1);
    const unpublished = async () => (await q<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_pending`))[0].n;
    expect(await unpublished()).toBe(1);

    await nats.start(); // same port, same store: the stream and the registry events are still there
    await waitFor(async () => (await unpublished()) === 0, 'the relay to publish', 30_000);
    const check = await connect({ servers: nats.url });
    try {
      let inStream = await acceptedInStream(check);
      expect(inStream).toHaveLength(1);
      expect(inStream[0].envelope.data.reportId).toBe(res.body.reportId);
      // The outbox event id is the Nats-Msg-Id: what a consumer's inbox and the stream's duplicate window key on.
      expect(inStream[0].msgId).toBe(pending[0].event_id);
      expect(inStream[0].envelope.id).toBe(pending[0].event_id);

      // The relay crashing after the publish and before moving its mark: the row goes out again, the stream drops it.
      await q(`UPDATE outbox_published SET published_seq = published_seq - 1`);
      expect(await unpublished()).toBe(1);
      await waitFor(async () => (await unpublished()) === 0, 'the relay to re-publish', 30_000);
      const ack = await jetstream(check).publish(
        subjectOf(svc.namespace, { type: 'intake.report.accepted', version: 1 }),
        JSON.stringify(inStream[0].envelope),
        {
          msgID: inStream[0].envelope.id,
        },
      );
      expect(ack.duplicate).toBe(true);
      inStream = await acceptedInStream(check);
      expect(inStream).toHaveLength(1);

      // Past the duplicate window, a downstream consumer's inbox (keyed by the same id) still applies it once.
      const ds = svc.app.get(DataSource);
      const first = await ds.transaction((m) => claimEvents(m, 'rates-figures', [inStream[0].envelope.id]));
      const second = await ds.transaction((m) => claimEvents(m, 'rates-figures', [inStream[0].envelope.id]));
      expect([first.size, second.size]).toEqual([1, 0]);
    } finally {
      await check.close();
    }
  }, 90_000);
});
