// Issue 21: "a service never reads another's schema", enforced by PostgreSQL. With the roles scripts/launcher/pg-roles.js
// makes (as npm start, docker-compose.yml and deploy/ do), each service runs its migrations and serves as its own
// role and cannot read or write another's schema; a database made before roles existed is taken over, the
// analysts' role keeps its views, and a superuser's `npm run rebuild` leaves what it makes to the service's role.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from 'pg';
import { complianceService } from '../../apps/compliance/src/main';
import { rebuildCompliance } from '../../apps/compliance/src/rebuild';
import { intakeService } from '../../apps/intake/src/main';
import { registryService } from '../../apps/registry/src/main';
import { waitFor, withAdmin } from '../../tools/processes/scratch';
import { dropDatabase, freshDatabase, freshNamespace, natsUrl } from '../support/int-env';
import { disposeService, http, settle, startService, type RunningService } from '../support/service-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pgRoles = require('../../scripts/launcher/pg-roles');

jest.setTimeout(120_000);

const passwords = (): Record<string, string> =>
  Object.fromEntries(pgRoles.SERVICES.map((s: string) => [s, randomBytes(12).toString('hex')]));

/** The error a statement gets, or null when it succeeds. */
const errorOf = (c: Client, sql: string): Promise<string | null> =>
  c.query(sql).then(
    () => null,
    (err: Error) => err.message,
  );

describe('a PostgreSQL role per service', () => {
  const namespace = freshNamespace('dbroles');
  let databaseUrl: string;
  let urls: Record<string, string>;
  let registry: RunningService;
  let intake: RunningService;

  beforeAll(async () => {
    databaseUrl = await freshDatabase('dbroles');
    ({ urls } = await pgRoles.ensureServiceRoles(databaseUrl, passwords()));
    registry = await startService(registryService, { databaseUrl: urls.registry, namespace });
    intake = await startService(intakeService, { databaseUrl: urls.intake, namespace });
  });

  afterAll(async () => {
    if (intake) await intake.close();
    if (registry) await disposeService(registry, { database: false, namespace: true });
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it('runs each service’s migrations as its role, which owns its schema and everything in it, and serves', async () => {
    expect(new URL(urls.intake).username).toMatch(/_intake$/);
    const imported = await http(registry, 'POST', '/v1/org-units/import', {
      raw: readFileSync(join(__dirname, '../../data/tra-vinh-units.csv'), 'utf8'),
      headers: { 'content-type': 'text/csv' },
    });
    expect(imported.status).toBe(200);
    const issued = await http(registry, 'POST', '/v1/api-keys', { body: { role: 'portal', orgUnitCode: '842' } });
    // The key reaches intake as an event: once the registry's relay has published it (intake being idle before that
    // proves nothing), intake knows it.
    await settle(intake);
    await waitFor(
      async () => (await http(intake, 'GET', '/v1/whoami', { key: issued.body.key })).status === 200,
      'the issued key known to intake',
      30_000,
      200,
    );
    const owners = await withAdmin(
      databaseUrl,
      async (c) =>
        (
          await c.query(
            `SELECT n.nspname AS schema, array_agg(DISTINCT pg_get_userbyid(c.relowner)::text) AS owners FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('registry', 'intake') GROUP BY n.nspname ORDER BY 1`,
          )
        ).rows,
    );
    expect(owners).toEqual([
      { schema: 'intake', owners: [new URL(urls.intake).username] },
      { schema: 'registry', owners: [new URL(urls.registry).username] },
    ]);
  });

  it('cannot read or write another service’s schema, nor make schemas of its own', async () => {
    await withAdmin(urls.intake, async (c) => {
      expect(await errorOf(c, 'SELECT key_hash FROM registry.api_keys')).toMatch(/permission denied for schema registry/);
      expect(await errorOf(c, `UPDATE registry.api_keys SET revoked_at = NULL`)).toMatch(/permission denied for schema registry/);
      expect(await errorOf(c, 'CREATE SCHEMA intruder')).toMatch(/permission denied for database/);
      expect(await errorOf(c, 'SELECT count(*) FROM intake.replica_api_keys')).toBeNull();
    });
    await withAdmin(urls.registry, async (c) => {
      expect(await errorOf(c, 'SELECT * FROM intake.reports')).toMatch(/permission denied for schema intake/);
    });
  });
});

describe('taking over a database made before roles existed', () => {
  let compliance: RunningService | null = null;
  let databaseUrl: string;

  afterAll(async () => {
    if (compliance) await disposeService(compliance);
    else if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it('gives compliance its schemas (with the analysts’ views), runs it as its role, and keeps a superuser’s rebuild its own', async () => {
    // Before: compliance ran as the superuser, as every service did.
    const before = await startService(complianceService);
    databaseUrl = before.databaseUrl;
    const namespace = before.namespace;
    await before.close();

    const { urls, takenOver } = await pgRoles.ensureServiceRoles(databaseUrl, passwords());
    expect(takenOver.compliance).toBeGreaterThan(10);
    const role = new URL(urls.compliance).username;
    compliance = await startService(complianceService, { databaseUrl: urls.compliance, namespace });
    expect((await http(compliance, 'GET', '/v1/summary?date=2020-08-21')).status).toBe(200);

    // A superuser's rebuild acts as the schema's owner: the new generation belongs to the role that serves it.
    const result = await rebuildCompliance({ databaseUrl, natsUrl: natsUrl(), namespace, schema: 'compliance', timeoutMs: 30_000 });
    expect(result.generation).toBe(2);
    expect((await http(compliance, 'GET', '/v1/summary?date=2020-08-21')).status).toBe(200);

    await withAdmin(databaseUrl, async (c) => {
      const { rows } = await c.query(
        `SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname ~ '^compliance(_read|_g[0-9]+)?$'
         UNION SELECT DISTINCT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname ~ '^compliance(_read|_g[0-9]+)?$'
         UNION SELECT DISTINCT pg_get_userbyid(p.proowner) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'compliance'`,
      );
      expect(rows).toEqual([{ owner: role }]);
      // The analysts' role still reads the live generation through its views, and nothing else.
      await c.query('SET ROLE bz_analyst');
      expect(await errorOf(c, 'SELECT count(*) FROM compliance_read.units')).toBeNull();
      expect(await errorOf(c, 'SELECT count(*) FROM compliance.inbox')).toMatch(/permission denied/);
    });
  });
});
