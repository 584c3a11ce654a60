#!/usr/bin/env node
// Migrations of one service or all of them, outside a running service (services also migrate at start):
//   npm run migration:run -- [service…]      apply pending migrations
//   npm run migration:show -- [service…]     list applied and pending migrations
//   npm run migration:revert -- <service>    undo the last applied migration of one service
// Uses the same environment as the services (DATABASE_URL, DB_SCHEMA, …).
const path = require('node:path');
require('./register-paths');

const SERVICES = ['registry', 'intake', 'support-points', 'workforce', 'rates', 'compliance', 'notifier'];

function definitionOf(service) {
  const mod = require(path.join(__dirname, '..', 'dist', 'apps', service, 'src', 'main.js'));
  const def = Object.values(mod).find((v) => v && typeof v === 'object' && v.service === service);
  if (!def) throw new Error(`dist/apps/${service}/src/main.js exports no service definition`);
  return def;
}

async function main() {
  const [action, ...names] = process.argv.slice(2);
  if (!['run', 'show', 'revert'].includes(action)) throw new Error('usage: migrate.js run|show|revert [service…]');
  const unknown = names.filter((n) => !SERVICES.includes(n));
  if (unknown.length) throw new Error(`unknown service(s): ${unknown.join(', ')}; one of ${SERVICES.join(', ')}`);
  if (action === 'revert' && names.length !== 1) throw new Error('revert takes exactly one service');
  const { runMigrationsCommand } = require(path.join(__dirname, '..', 'dist', 'libs', 'platform', 'src', 'migrations-cli.js'));
  for (const service of names.length ? names : SERVICES) {
    const lines = await runMigrationsCommand(definitionOf(service), action);
    for (const l of lines) process.stdout.write(`${service}: ${l}\n`);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    // One line: a missing dist/ file's message goes on with its require stack.
    const first = String(err && err.message ? err.message : err).split('\n')[0];
    const hint = err && err.code === 'MODULE_NOT_FOUND' ? '; build first with npm run build:app' : '';
    process.stderr.write(`migrate: ${first}${hint}\n`);
    process.exit(1);
  },
);
