#!/usr/bin/env node
// npm run rebuild -- <service>: rebuild a service's state from sequence 1 of the event stream.
//   rates:      stop rates first; this empties its state and durable consumers, and the next start replays.
//   compliance: runs while compliance serves: replays into fresh tables, then switches to them.
// Uses the service's environment (DATABASE_URL, NATS_URL, EVENTS_NAMESPACE, DB_SCHEMA).
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const REBUILDABLE = ['rates', 'compliance'];
const [service, ...rest] = process.argv.slice(2);
if (!REBUILDABLE.includes(service)) {
  process.stderr.write(`usage: npm run rebuild -- <${REBUILDABLE.join('|')}>\n`);
  process.exit(2);
}
const root = path.join(__dirname, '..');
const res = spawnSync(
  process.execPath,
  ['-r', path.join(__dirname, 'register-paths.js'), path.join(root, 'dist', 'apps', service, 'src', 'rebuild.js'), ...rest],
  { stdio: 'inherit', cwd: root },
);
process.exit(res.status ?? 1);
