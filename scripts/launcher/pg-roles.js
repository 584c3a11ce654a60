// PostgreSQL roles, one per service (README.md, Security; docs/database-roles.md): each service connects as a
// role that owns its schema and has no right on any other, so "a service never reads another's schema" is
// enforced by the server. Used by the launcher (with a superuser connection: this machine's PostgreSQL or the
// embedded one), by docker-compose.yml and deploy/ (a one-shot job: `node scripts/launcher/pg-roles.js`), and
// by the tests. Plain CommonJS: it runs before anything is built.
const crypto = require('node:crypto');
const path = require('node:path');
const { newSecret, persistentSecrets } = require('./settings');

const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance', 'notifier'];
/** The read-only role of the compliance read model (docs/compliance-schema.md); the service's migration grants to it. */
const ANALYST_ROLE = 'bz_analyst';

const schemaOf = (service) => service.replace(/-/g, '_');

/**
 * `<database>_<schema>` (roles are cluster-wide: two databases on one server get roles of their own), cut to
 * PostgreSQL's 63 characters with a hash of the full name when it is longer.
 */
function roleName(database, service) {
  const full = `${database}_${schemaOf(service)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (full.length <= 63) return full;
  return `${full.slice(0, 54)}_${crypto.createHash('sha256').update(full).digest('hex').slice(0, 8)}`;
}

/** Marks the roles made for a database, so a test that drops the database can drop them too (tools/processes/scratch.ts). */
const roleComment = (database) => `bluezone service role of database ${database}`;

/**
 * The schemas a service owns: its own, and for compliance the analysts' `<schema>_read` and the read-model
 * generations `<schema>_g<n>` (docs/compliance-schema.md).
 */
const schemaFamily = (service) => `^${schemaOf(service)}(_read|_g[0-9]+)?$`;

function clientFor(url) {
  const { Client } = require('pg');
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  return c;
}

async function withClient(url, fn) {
  const c = clientFor(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Whether the URL's user may create roles and give objects away: a superuser. */
async function isSuperuser(url) {
  return withClient(
    url,
    async (c) => (await c.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper === true,
  );
}

/**
 * Gives every object of the service's schemas to its role (an existing database whose schemas a superuser made
 * before roles existed): the schemas, tables, views, sequences not owned by a column, functions and types.
 * Under the same advisory lock the service's migrations take, so it never runs beside a migration.
 */
async function takeOver(c, service, role) {
  const family = schemaFamily(service);
  await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bz-migrations:${schemaOf(service)}`]);
  const moved = [];
  const alter = async (kind, name) => {
    await c.query(`ALTER ${kind} ${name} OWNER TO ${c.escapeIdentifier(role)}`);
    moved.push(name);
  };
  const schemas = await c.query(
    `SELECT quote_ident(nspname) AS name FROM pg_namespace WHERE nspname ~ $1 AND nspowner <> $2::regrole ORDER BY nspname`,
    [family, role],
  );
  for (const r of schemas.rows) await alter('SCHEMA', r.name);
  const KINDS = { r: 'TABLE', p: 'TABLE', f: 'FOREIGN TABLE', v: 'VIEW', m: 'MATERIALIZED VIEW', S: 'SEQUENCE' };
  const relations = await c.query(
    `SELECT c.oid::regclass::text AS name, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname ~ $1 AND c.relowner <> $2::regrole AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S')
       -- a serial or identity sequence follows its table
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
     ORDER BY c.relkind, c.oid`,
    [family, role],
  );
  for (const r of relations.rows) await alter(KINDS[r.relkind], r.name);
  const routines = await c.query(
    `SELECT p.oid::regprocedure::text AS name, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname ~ $1 AND p.proowner <> $2::regrole`,
    [family, role],
  );
  for (const r of routines.rows) await alter(r.prokind === 'p' ? 'PROCEDURE' : r.prokind === 'a' ? 'AGGREGATE' : 'FUNCTION', r.name);
  // Types of their own (enums, domains, ranges, composite types); a table's row type follows the table.
  const types = await c.query(
    `SELECT t.oid::regtype::text AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     LEFT JOIN pg_class c ON c.oid = t.typrelid
     WHERE n.nspname ~ $1 AND t.typowner <> $2::regrole AND t.typelem = 0
       AND (t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND c.relkind = 'c'))`,
    [family, role],
  );
  for (const r of types.rows) await alter('TYPE', r.name);
  return moved;
}

/**
 * Creates (or updates) the role of every service in the database of `adminUrl` (a superuser's URL), with the
 * given passwords, the schema each owns, and `bz_analyst`; takes existing schemas over. One transaction.
 * Returns the URL each service connects with and what was taken over.
 */
async function ensureServiceRoles(adminUrl, passwords, services = SERVICES) {
  return withClient(adminUrl, async (c) => {
    const database = (await c.query('SELECT current_database() AS db')).rows[0].db;
    const takenOver = {};
    await c.query('BEGIN');
    try {
      for (const service of services) {
        const role = roleName(database, service);
        const id = c.escapeIdentifier(role);
        const exists = (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rows.length > 0;
        const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${c.escapeLiteral(passwords[service])}`;
        await c.query(exists ? `ALTER ROLE ${id} ${attributes}` : `CREATE ROLE ${id} ${attributes}`);
        await c.query(`COMMENT ON ROLE ${id} IS ${c.escapeLiteral(roleComment(database))}`);
        await c.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${c.escapeIdentifier(database)} TO ${id}`);
        // Only compliance makes schemas of its own while it runs: a rebuild's new generation <schema>_g<n>.
        if (service === 'compliance') await c.query(`GRANT CREATE ON DATABASE ${c.escapeIdentifier(database)} TO ${id}`);
        await c.query(`CREATE SCHEMA IF NOT EXISTS ${c.escapeIdentifier(schemaOf(service))} AUTHORIZATION ${id}`);
        const moved = await takeOver(c, service, role);
        if (moved.length) takenOver[service] = moved.length;
      }
      if ((await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [ANALYST_ROLE])).rows.length === 0)
        await c.query(`CREATE ROLE ${ANALYST_ROLE} NOLOGIN`);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    const urls = {};
    for (const service of services) {
      const u = new URL(adminUrl);
      u.username = roleName(database, service);
      u.password = passwords[service];
      urls[service] = u.toString();
    }
    return { database, urls, takenOver };
  });
}

/** The roles made for a database (by their comment), for dropping them with it. */
async function dropServiceRoles(serverUrl, database) {
  return withClient(serverUrl, async (c) => {
    const { rows } = await c.query(
      `SELECT r.rolname FROM pg_roles r JOIN pg_shdescription d ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
       WHERE d.description = $1`,
      [roleComment(database)],
    );
    for (const r of rows) await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(r.rolname)}`);
    return rows.map((r) => r.rolname);
  });
}

/** The services' passwords, made once into `<dataDir>/postgres-roles.json` (owner-only). */
function launcherPasswords(dataDir) {
  return persistentSecrets(path.join(dataDir, 'postgres-roles.json'), SERVICES, newSecret);
}

/**
 * For `npm start`: with a superuser connection, makes the roles and returns `applyTo(env, service)`, which
 * gives a service its own DATABASE_URL; without one, returns null (every service then uses DATABASE_URL as given).
 */
async function prepareLauncherRoles(databaseUrl, dataDir) {
  if (!(await isSuperuser(databaseUrl))) return null;
  const { urls, takenOver, database } = await ensureServiceRoles(databaseUrl, launcherPasswords(dataDir));
  return {
    database,
    takenOver,
    roles: SERVICES.map((s) => roleName(database, s)),
    applyTo: (env, service) => {
      env.DATABASE_URL = urls[service];
    },
  };
}

/** Passwords of a one-shot job (docker-compose.yml, deploy/): BZ_PG_PASSWORD_<SERVICE>, each required. */
function passwordsFromEnv(env = process.env) {
  const out = {};
  const missing = [];
  for (const s of SERVICES) {
    const name = `BZ_PG_PASSWORD_${s.toUpperCase().replace(/-/g, '_')}`;
    if (env[name]) out[s] = env[name];
    else missing.push(name);
  }
  if (missing.length) throw new Error(`set ${missing.join(', ')}`);
  return out;
}

module.exports = {
  SERVICES,
  ANALYST_ROLE,
  roleName,
  roleComment,
  schemaOf,
  isSuperuser,
  ensureServiceRoles,
  dropServiceRoles,
  prepareLauncherRoles,
  passwordsFromEnv,
};

// `node scripts/launcher/pg-roles.js`: DATABASE_URL a superuser's, BZ_PG_PASSWORD_<SERVICE> for each service.
if (require.main === module) {
  const url = process.env.DATABASE_URL;
  Promise.resolve()
    .then(() => {
      if (!url) throw new Error('set DATABASE_URL to a superuser connection to the Bluezone database');
      return ensureServiceRoles(url, passwordsFromEnv());
    })
    .then(({ database, urls, takenOver }) => {
      for (const s of SERVICES) process.stdout.write(`pg-roles: ${s} connects as ${new URL(urls[s]).username} (database ${database})\n`);
      for (const [s, n] of Object.entries(takenOver)) process.stdout.write(`pg-roles: ${n} objects of ${s} given to its role\n`);
    })
    .catch((err) => {
      process.stderr.write(`pg-roles: ${err.message}\n`);
      process.exit(1);
    });
}
