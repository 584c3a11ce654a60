import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { streamNames } from '@app/messaging';
import { hashApiKey, ScopeService, type Principal } from '@app/platform';
import { intakeService } from '../../../intake/src/main';
import { registryService } from '../main';
import { natsUrl, waitFor } from '@test/support/int-env';
import { disposeService, http, settle, startService, type RunningService } from '@test/support/service-harness';

jest.setTimeout(60_000);

/**
 * Keys issued by the registry authorise at another service that knows them only from replicated key
 * events (intake, booted in the same event namespace), never by calling the registry.
 */
describe('registry API keys, honoured and revoked by another service', () => {
  let registry: RunningService;
  let intake: RunningService;

  beforeAll(async () => {
    registry = await startService(registryService);
    intake = await startService(intakeService, { namespace: registry.namespace });
    const imported = await http(registry, 'POST', '/v1/org-units/import', {
      raw: readFileSync(join(__dirname, '../../../../data/tra-vinh-units.csv'), 'utf8'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
  });
  afterAll(async () => {
    if (intake) await disposeService(intake, { database: true, namespace: false });
    if (registry) await disposeService(registry);
  });

  async function replicated(): Promise<void> {
    await publishedStreamCount(registry);
    await settle(intake);
  }

  it('a portal key for district 842 may act for commune 29236 (in 842) and not for 29296 (in 844), judged by intake from replicated events', async () => {
    const issued = await http(registry, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: '842', label: 'TP. Trà Vinh' } });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({
      id: expect.any(String),
      key: expect.stringMatching(/^bz_/),
      role: 'portal',
      orgUnitCode: '842',
      revokedAt: null,
    });
    const key = issued.body.key as string;

    // Only the hash leaves the registry: in its table, in the event, never in a listing.
    const [row]: Array<{ key_hash: string }> = await dataSourceOf(registry).query(`SELECT key_hash FROM api_keys WHERE id = $1`, [
      issued.body.id,
    ]);
    expect(row.key_hash).toBe(hashApiKey(key));
    const [event]: Array<{ envelope: { type: string; data: Record<string, unknown> } }> = await dataSourceOf(registry).query(
      `SELECT envelope FROM outbox WHERE envelope->>'type' = 'registry.apikey.issued'`,
    );
    expect(event.envelope.data).toEqual({
      keyId: issued.body.id,
      keyHash: hashApiKey(key),
      role: 'portal',
      orgUnitCode: '842',
      issuedAt: issued.body.issuedAt,
    });
    const listed = await http(registry, 'GET', '/v1/api-keys');
    expect(listed.body.items).toEqual([
      { id: issued.body.id, role: 'portal', orgUnitCode: '842', label: 'TP. Trà Vinh', issuedAt: issued.body.issuedAt, revokedAt: null },
    ]);
    expect(listed.text).not.toContain(key);
    expect(listed.text).not.toContain(hashApiKey(key));

    await replicated();
    const who = await http(intake, 'GET', '/v1/whoami', { key });
    expect(who.status).toBe(200);
    const principal = who.body as Principal;
    expect(principal).toEqual({ keyId: issued.body.id, role: 'portal', orgUnitCode: '842' });
    const scope = intake.app.get(ScopeService);
    expect(await scope.mayWrite(principal, '29236')).toBe(true);
    expect(await scope.mayWrite(principal, '842')).toBe(true);
    expect(await scope.mayWrite(principal, '29296')).toBe(false);
    expect(await scope.mayWrite(principal, '84')).toBe(false);
  });

  it('a revoked key is refused by the registry and by intake within seconds', async () => {
    const issued = await http(registry, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: '844' } });
    const key = issued.body.key as string;
    await replicated();
    expect((await http(intake, 'GET', '/v1/whoami', { key })).status).toBe(200);
    expect((await http(registry, 'GET', '/v1/whoami', { key })).status).toBe(200);

    const revoked = await http(registry, 'DELETE', `/v1/api-keys/${issued.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ outcome: 'revoked', revokedAt: expect.any(String) });
    const started = Date.now();
    await waitFor(
      async () => (await http(intake, 'GET', '/v1/whoami', { key })).status === 401,
      'intake to refuse the revoked key',
      10_000,
      100,
    );
    await waitFor(
      async () => (await http(registry, 'GET', '/v1/whoami', { key })).status === 401,
      'the registry to refuse the revoked key',
      5_000,
      100,
    );
    expect(Date.now() - started).toBeLessThan(10_000);

    const again = await http(registry, 'DELETE', `/v1/api-keys/${issued.body.id}`);
    expect(again.body.outcome).toBe('unchanged');
    const revokedEvents: unknown[] = await dataSourceOf(registry).query(
      `SELECT 1 FROM outbox WHERE envelope->>'type' = 'registry.apikey.revoked'`,
    );
    expect(revokedEvents).toHaveLength(1);
    expect((await http(registry, 'GET', '/v1/api-keys')).body.items.map((k: { id: string }) => k.id)).not.toContain(issued.body.id);
    expect((await http(registry, 'GET', '/v1/api-keys?includeRevoked=true')).body.items.map((k: { id: string }) => k.id)).toContain(
      issued.body.id,
    );
  });

  it('refuses a scoped key without a unit, a key for an unknown unit, and non-admin callers', async () => {
    const noUnit = await http(registry, 'POST', '/v1/api-keys', { body: { role: 'telecom' } });
    expect(noUnit.status).toBe(422);
    expect(noUnit.body.errors[0].field).toBe('orgUnitCode');
    expect((await http(registry, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: 'NOPE' } })).status).toBe(422);
    expect((await http(registry, 'POST', '/v1/api-keys', { body: { role: 'root' } })).status).toBe(400);
    const analyst = (await http(registry, 'POST', '/v1/api-keys', { body: { role: 'analyst' } })).body.key as string;
    expect((await http(registry, 'POST', '/v1/api-keys', { key: analyst, body: { role: 'admin' } })).status).toBe(403);
    expect((await http(registry, 'GET', '/v1/api-keys', { key: analyst })).status).toBe(403);
    expect((await http(registry, 'DELETE', '/v1/api-keys/not-a-uuid')).status).toBe(400);
  });
});

function dataSourceOf(svc: RunningService): DataSource {
  return svc.runtime['dataSource'] as DataSource;
}

/** Waits until the relay has published every outbox row, then returns how many messages the namespace's stream holds. */
async function publishedStreamCount(svc: RunningService): Promise<number> {
  await waitFor(async () => {
    const [{ n }]: Array<{ n: number }> = await dataSourceOf(svc).query(`SELECT count(*)::int AS n FROM outbox_pending`);
    return n === 0;
  }, 'the outbox to drain');
  const nc = await connect({ servers: natsUrl() });
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(streamNames(svc.namespace).events);
    return info.state.messages;
  } finally {
    await nc.close();
  }
}
