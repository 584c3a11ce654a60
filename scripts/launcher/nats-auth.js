// NATS users and permissions, one user per service (README.md, Security): each may publish its own events only
// and read only what it consumes, from the one table libs/contracts/src/bus-topology.json. Used by the launcher
// (its own nats-server: NKEYs, seeds kept under .data/), by deploy/nats/auth.conf (passwords from the
// environment; `node scripts/launcher/nats-auth.js > deploy/nats/auth.conf` writes it) and by the tests.
// nats-server 2.9 syntax. Plain CommonJS: it runs before anything is built.
const fs = require('node:fs');
const path = require('node:path');
const { LaunchError, persistentSecrets } = require('./settings');
const TOPOLOGY = require('../../libs/contracts/src/bus-topology.json');

const SERVICES = Object.keys(TOPOLOGY.services);
const ADMIN = 'admin';

/** libs/messaging streamNames(): the stream of a namespace's events and its dead-letter stream. */
function streamsOf(namespace) {
  const upper = namespace.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
  return { events: `${upper}_EVENTS`, deadLetters: `${upper}_DLQ` };
}

/** libs/contracts filterSubjectOf(). */
const filterSubject = (namespace, filter) => (filter === '>' ? `${namespace}.>` : `${namespace}.${filter}.>`);

/**
 * What a service may publish and subscribe to. JetStream is driven by publishing to its API subjects, so the
 * consumers a service may create, read, ack and delete are named one by one (with the events each reads), and
 * its replies come to its own inbox prefix (`_INBOX.<service>`, libs/messaging serviceInboxPrefix).
 */
function permissionsOf(service, namespace) {
  const role = TOPOLOGY.services[service];
  if (!role) throw new Error(`unknown service ${service}`);
  const { events, deadLetters } = streamsOf(namespace);
  const publish = [];
  const subscribe = [`_INBOX.${service}.>`];
  if (role.publishes) publish.push(`${namespace}.${role.publishes}.>`, `${namespace}_live.${role.publishes}.>`);
  // Every service makes sure the streams exist at boot (stream.ts ensureStreams).
  publish.push('$JS.API.INFO');
  for (const stream of [events, deadLetters]) publish.push(`$JS.API.STREAM.INFO.${stream}`, `$JS.API.STREAM.CREATE.${stream}`);
  const heard = new Set();
  for (const [durable, filter] of Object.entries(role.consumers)) {
    publish.push(`$JS.API.CONSUMER.INFO.${events}.${durable}`, `$JS.API.CONSUMER.DELETE.${events}.${durable}`);
    if (filter === null) continue; // retired: looked up and deleted by rebuilds only
    publish.push(
      // NATS 2.9 clients create a consumer on `…CREATE.<stream>.<durable>.<filter subject>`: the filter is part of the permission.
      `$JS.API.CONSUMER.CREATE.${events}.${durable}.${filterSubject(namespace, filter)}`,
      `$JS.API.CONSUMER.MSG.NEXT.${events}.${durable}`,
      `$JS.ACK.${events}.${durable}.>`,
      `${namespace}_dlq.${durable}`,
    );
    heard.add(filter === '>' ? '>' : filter.split('.')[0]);
  }
  // Signals of the producers it consumes (the registry's heartbeat), outside the stream.
  if (heard.has('>')) subscribe.push(`${namespace}_live.>`);
  else for (const p of heard) subscribe.push(`${namespace}_live.${p}.>`);
  // Gap repair (libs/messaging gap-check.ts, republish.ts): a consumer asks the producers it reads for their
  // numbers and for lost events again; a producer listens on its own repair subject and answers the asker's inbox.
  if (heard.has('>')) publish.push(`${namespace}_repair.>`);
  else for (const p of heard) publish.push(`${namespace}_repair.${p}`);
  if (role.publishes) subscribe.push(`${namespace}_repair.${role.publishes}`);
  return { publish, subscribe, allowResponses: Boolean(role.publishes) };
}

const q = (s) => JSON.stringify(s);
const list = (items, indent) => `[\n${items.map((i) => `${indent}  ${q(i)}`).join('\n')}\n${indent}]`;

/** Environment variable a password comes from in deploy/nats/auth.conf: BZ_NATS_PASSWORD_<USER>. */
const passwordVariable = (user) => `BZ_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

/**
 * The `authorization` block: one user per service with its permissions, and `admin` (operators, tests) with
 * none. Each credential is `{ nkey }` (a public key), `{ password }` (a value) or `{ passwordVariable }` (a
 * reference nats-server resolves from its environment).
 */
function authorizationBlock(namespace, credentials) {
  const entry = (user, c, permissions) => {
    const who = c.nkey
      ? `nkey: ${q(c.nkey)}`
      : `user: ${q(user)}, password: ${c.passwordVariable ? `$${c.passwordVariable}` : q(c.password)}`;
    if (!permissions) return `    { ${who} }`;
    return [
      `    {`,
      `      # ${user}`,
      `      ${who}`,
      `      permissions: {`,
      `        publish: { allow: ${list(permissions.publish, '        ')} }`,
      `        subscribe: { allow: ${list(permissions.subscribe, '        ')} }`,
      ...(permissions.allowResponses ? [`        allow_responses: true`] : []),
      `      }`,
      `    }`,
    ].join('\n');
  };
  const users = [entry(ADMIN, credentials[ADMIN], null), ...SERVICES.map((s) => entry(s, credentials[s], permissionsOf(s, namespace)))];
  return [
    `# Generated by scripts/launcher/nats-auth.js from libs/contracts/src/bus-topology.json, for the event namespace "${namespace}".`,
    '# Each service may publish its own events only and use only its own consumers; edit the table, not this file.',
    'authorization {',
    '  users: [',
    users.join('\n'),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** For deploy/ and docker-compose.yml: every password from the nats-server's environment. */
function passwordVariables() {
  return Object.fromEntries([ADMIN, ...SERVICES].map((u) => [u, { passwordVariable: passwordVariable(u) }]));
}

/** A new NKEY pair: the seed for the client, the public key for the server. */
function newNkey() {
  const { nkeys } = require('@nats-io/nats-core');
  const kp = nkeys.createUser();
  return { seed: new TextDecoder().decode(kp.getSeed()), nkey: kp.getPublicKey() };
}

/** NKEYs of the launcher's own nats-server, made once into `<dataDir>/nats-keys.json` (owner-only). */
function launcherKeys(dataDir) {
  return persistentSecrets(path.join(dataDir, 'nats-keys.json'), [ADMIN, ...SERVICES], newNkey);
}

const CREDENTIAL_VARS = ['NATS_USER', 'NATS_PASSWORD', 'NATS_NKEY_SEED'];

/**
 * For `npm start` with its own nats-server: writes `<dataDir>/nats-auth.conf` for the namespace and returns
 * the file and `applyTo(env, service)`, which signs the service in with its own NKEY (and nothing else).
 */
function prepareLauncherAuth(dataDir, namespace) {
  const keys = launcherKeys(dataDir);
  const configFile = path.join(dataDir, 'nats-auth.conf');
  fs.writeFileSync(configFile, authorizationBlock(namespace, keys), { mode: 0o600 });
  return {
    configFile,
    keysFile: path.join(dataDir, 'nats-keys.json'),
    applyTo: (env, service) => {
      for (const v of CREDENTIAL_VARS) delete env[v];
      env.NATS_NKEY_SEED = keys[service].seed;
    },
  };
}

/**
 * What the launcher says of a NATS it did not start: the services use the credentials of the environment, if
 * any. A server that wants credentials when none are given stops the launch with what to set.
 */
function describeGivenCredentials(env = process.env, authRequired = false) {
  if (env.NATS_NKEY_SEED) return 'every service signs in with the NKEY seed of NATS_NKEY_SEED';
  if (env.NATS_USER) return `every service signs in as NATS user ${env.NATS_USER} (NATS_USER)`;
  if (authRequired)
    throw new LaunchError(
      'the NATS server found running requires credentials: set NATS_USER and NATS_PASSWORD (or NATS_NKEY_SEED), e.g. ' +
        'NATS_USER=admin NATS_PASSWORD=local-nats-admin-change-me for `docker compose up -d nats`, or stop it to let npm start run its own',
    );
  return (
    'no NATS credentials given (NATS_USER/NATS_PASSWORD or NATS_NKEY_SEED): the services connect anonymously, and ' +
    'whoever can publish to that server can forge events (README.md, Security)'
  );
}

module.exports = {
  SERVICES,
  ADMIN,
  streamsOf,
  permissionsOf,
  authorizationBlock,
  passwordVariables,
  passwordVariable,
  newNkey,
  prepareLauncherAuth,
  describeGivenCredentials,
};

// `node scripts/launcher/nats-auth.js [namespace]`: the authorization block with every password read by
// nats-server from its environment (BZ_NATS_PASSWORD_<USER>): what deploy/nats/auth.conf holds for `bz`.
if (require.main === module) {
  const namespace = process.argv[2] || process.env.EVENTS_NAMESPACE || 'bz';
  process.stdout.write(authorizationBlock(namespace, passwordVariables()));
}
