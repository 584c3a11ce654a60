// Issue 21 (2): "whoever can publish to NATS is admin on five services". On a nats-server of its own, configured
// by the generator every deployment uses (scripts/launcher/nats-auth.js), a forged key event or report is refused
// by the server without credentials, with wrong ones, and with another service's; nothing changes; and the
// services work normally with their own credentials (publish, consume, JetStream consumers, dead letters).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { ConnectionOptions, NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { ApiKeyIssuedV1, ReportAcceptedV1, subjectOf, type ServiceName } from '@app/contracts';
import { natsAuthOptions, serviceInboxPrefix, streamNames, type DeadLetterRecord } from '@app/messaging';
import { makeEvent } from '@app/persistence';
import { generateApiKey, hashApiKey } from '@app/platform';
import { complianceService } from '../../apps/compliance/src/main';
import { intakeService } from '../../apps/intake/src/main';
import { registryService } from '../../apps/registry/src/main';
import { freshNamespace, waitFor } from '../support/int-env';
import { OwnNats } from '../support/own-nats';
import { disposeService, http, settle, startService, type RunningService } from '../support/service-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const natsAuth = require('../../scripts/launcher/nats-auth');

jest.setTimeout(90_000);

const PASSWORDS: Record<string, string> = Object.fromEntries(
  [natsAuth.ADMIN, ...natsAuth.SERVICES].map((u: string) => [u, randomBytes(12).toString('hex')]),
);
/** The registry signs in with an NKEY (the launcher's way), the others with passwords (deploy/'s way). */
const REGISTRY_NKEY = natsAuth.newNkey();

function serviceEnv(service: ServiceName, url: string): Record<string, string> {
  return service === 'registry'
    ? { NATS_URL: url, NATS_NKEY_SEED: REGISTRY_NKEY.seed }
    : { NATS_URL: url, NATS_USER: service, NATS_PASSWORD: PASSWORDS[service] };
}

describe('NATS authentication and authorisation', () => {
  const namespace = freshNamespace('busauth');
  const stream = streamNames(namespace).events;
  let nats: OwnNats;
  let registry: RunningService;
  let intake: RunningService;
  let compliance: RunningService;
  let admin: NatsConnection;

  /** A connection as a service (its credentials and inbox), or with the options given. */
  const as = (service: string, extra: Partial<ConnectionOptions> = {}) =>
    connect({
      servers: nats.url,
      reconnect: false,
      ...natsAuthOptions({ user: service, password: PASSWORDS[service] }, serviceInboxPrefix(service)),
      ...extra,
    });

  const forgedKeyEvent = (key: string) =>
    makeEvent(ApiKeyIssuedV1, 'registry', 'forged', {
      keyId: `forged-${randomUUID()}`,
      keyHash: hashApiKey(key),
      role: 'admin',
      orgUnitCode: null,
      issuedAt: new Date().toISOString(),
    });
  const reportEvent = (source: ServiceName) =>
    makeEvent(ReportAcceptedV1, source, '29236', {
      reportId: randomUUID(),
      orgUnitCode: '29236',
      cohort: 'residents',
      asOf: '2020-08-20',
      revision: 1,
      submittedAt: new Date().toISOString(),
      headcount: 1000,
      smartphoneHolders: 600,
      installed: 300,
      bluetoothOn: 200,
    });
  const subjectCount = async (subject: string): Promise<number> => {
    const info = await (await jetstreamManager(admin)).streams.info(stream, { subjects_filter: subject });
    return info.state.subjects?.[subject] ?? 0;
  };
  const reportsInReadModel = async (reportId: string): Promise<number> =>
    (await compliance.app.get(DataSource).query(`SELECT 1 FROM compliance_read.reports WHERE report_id = $1`, [reportId])).length;

  beforeAll(async () => {
    const credentials = Object.fromEntries(Object.entries(PASSWORDS).map(([u, password]) => [u, { password }]));
    credentials.registry = { nkey: REGISTRY_NKEY.nkey } as never;
    nats = await OwnNats.create('busauth', natsAuth.authorizationBlock(namespace, credentials));
    await nats.start();
    registry = await startService(registryService, { namespace, env: serviceEnv('registry', nats.url) });
    intake = await startService(intakeService, { namespace, env: serviceEnv('intake', nats.url) });
    compliance = await startService(complianceService, { namespace, env: serviceEnv('compliance', nats.url) });
    admin = await connect({ servers: nats.url, user: natsAuth.ADMIN, pass: PASSWORDS[natsAuth.ADMIN] });
    const imported = await http(registry, 'POST', '/v1/org-units/import', {
      raw: readFileSync(join(__dirname, '../../data/tra-vinh-units.csv'), 'utf8'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
  });

  afterAll(async () => {
    await admin?.close();
    for (const svc of [compliance, intake, registry]) if (svc) await disposeService(svc, { database: true, namespace: false });
    await nats?.dispose();
  });

  it('lets the services work with their own credentials: keys replicate, a report reaches the read model', async () => {
    const issued = await http(registry, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: '842' } });
    expect(issued.status).toBe(201);
    const key = issued.body.key as string;
    for (const svc of [intake, compliance]) {
      await waitFor(async () => (await http(svc, 'GET', '/v1/whoami', { key })).status === 200, 'the key to replicate', 20_000, 100);
    }
    const sent = await http(intake, 'POST', '/v1/reports', {
      key,
      body: {
        orgUnitCode: '29236',
        cohort: 'residents',
        asOf: '2020-08-20',
        headcount: 1000,
        smartphoneHolders: 600,
        installed: 300,
        bluetoothOn: 200,
      },
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => (await reportsInReadModel(sent.body.reportId as string)) === 1, 'the report in the read model', 20_000, 100);
  });

  it('refuses a forged key event without credentials, with wrong ones, and with another service’s; whoami stays 401', async () => {
    const key = generateApiKey();
    const subject = subjectOf(namespace, ApiKeyIssuedV1);
    const before = await subjectCount(subject);

    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow(/Authorization Violation/);
    await expect(as('intake', { pass: 'not-the-password' })).rejects.toThrow(/Authorization Violation/);
    await expect(as('registry', { user: 'registry', pass: 'guessed' })).rejects.toThrow(/Authorization Violation/);

    for (const service of ['intake', 'compliance', 'rates']) {
      const nc = await as(service);
      try {
        const e = forgedKeyEvent(key);
        await expect(jetstream(nc, { timeout: 3000 }).publish(subject, JSON.stringify(e), { msgID: e.id })).rejects.toThrow(
          /Permissions Violation for Publish to "[^"]*registry\.apikey\.issued\.v1"/,
        );
      } finally {
        await nc.close().catch(() => undefined);
      }
    }

    await settle(intake);
    await settle(compliance);
    expect(await subjectCount(subject)).toBe(before);
    for (const svc of [intake, compliance]) expect((await http(svc, 'GET', '/v1/whoami', { key })).status).toBe(401);
  });

  it('refuses a forged report from every service but intake, and it never reaches the read model', async () => {
    const subject = subjectOf(namespace, ReportAcceptedV1);
    const before = await subjectCount(subject);
    for (const service of ['registry', 'compliance', 'workforce']) {
      const nc = await as(service, service === 'registry' ? natsAuthOptions({ nkeySeed: REGISTRY_NKEY.seed }, '_INBOX.registry') : {});
      try {
        const e = reportEvent('intake');
        await expect(jetstream(nc, { timeout: 3000 }).publish(subject, JSON.stringify(e), { msgID: e.id })).rejects.toThrow(
          /Permissions Violation/,
        );
        await settle(compliance);
        expect(await reportsInReadModel(e.data.reportId)).toBe(0);
      } finally {
        await nc.close().catch(() => undefined);
      }
    }
    expect(await subjectCount(subject)).toBe(before);
  });

  it('keeps each service to its own consumers: intake may not make a consumer of its choice nor read compliance’s', async () => {
    const nc = await as('intake');
    try {
      const jsm = await jetstreamManager(nc);
      await expect(
        jsm.consumers.add(stream, { durable_name: 'intake-snoop', ack_policy: AckPolicy.Explicit, filter_subject: `${namespace}.>` }),
      ).rejects.toThrow(/Permissions Violation/);
      await expect(jsm.consumers.info(stream, 'compliance-projection')).rejects.toThrow(/Permissions Violation/);
      const sub = nc.subscribe(`${namespace}.>`);
      await expect(sub.closed).resolves.toEqual(
        expect.objectContaining({ message: expect.stringMatching(/Permissions Violation for Subscription/) }),
      );
    } finally {
      await nc.close().catch(() => undefined);
    }
  });

  it('dead-letters an event whose envelope names another producer, even from a publisher allowed on the subject', async () => {
    const e = reportEvent('registry'); // on intake's subject, with intake's credentials, claiming to come from the registry
    const nc = await as('intake');
    try {
      await jetstream(nc).publish(subjectOf(namespace, ReportAcceptedV1), JSON.stringify(e), { msgID: e.id });
    } finally {
      await nc.close();
    }
    const dlq = await jetstreamManager(admin);
    const dead = await waitFor(
      async () =>
        (await dlq.streams
          .getMessage(streamNames(namespace).deadLetters, { last_by_subj: `${namespace}_dlq.compliance-projection` })
          .catch(() => null)) ?? null,
      'the dead letter of compliance',
      20_000,
      100,
    );
    const record = dead.json<DeadLetterRecord>();
    expect(record).toMatchObject({ consumer: 'compliance-projection', kind: 'producer' });
    expect(record.error).toContain('source registry does not publish intake.report.accepted events');
    expect(JSON.parse(record.event).id).toBe(e.id);
    await settle(compliance);
    expect(await reportsInReadModel(e.data.reportId)).toBe(0);
    const metrics = await http(compliance, 'GET', '/metrics');
    expect(metrics.text).toMatch(/bz_events_dead_lettered_total\{consumer="compliance-projection",reason="producer"\} 1/);
  });
});
