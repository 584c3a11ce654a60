#!/usr/bin/env node
// npm run rebuild -- <service>: rebuild a service's state from sequence 1 of the event stream.
//   rates:      stop rates first; this empties its state and durable consumers, and the next start replays.
//   compliance: runs while compliance serves: replays into fresh tables, then switches to them.
// Uses the service's environment (DATABASE_URL, NATS_URL, EVENTS_NAMESPACE, DB_SCHEMA).
// Every failure is one line on stderr and exit code 1 (the rebuild scripts in dist/ say theirs the same way).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { nodeFlags } = require('./node-flags');

const REBUILDABLE = ['rates', 'compliance'];

function fail(message) {
  process.stderr.write(`rebuild: ${message}\n`);
  process.exit(1);
}

const [service, ...rest] = process.argv.slice(2);
if (!REBUILDABLE.includes(service))
  fail(`${service ? `cannot rebuild "${service}"` : 'which service?'}; usage: npm run rebuild -- <${REBUILDABLE.join('|')}>`);
const root = path.join(__dirname, '..');
const script = path.join(root, 'dist', 'apps', service, 'src', 'rebuild.js');
if (!fs.existsSync(script)) fail(`${path.relative(root, script)} is missing; build first with npm run build:app`);
const res = spawnSync(process.execPath, [...nodeFlags(service), '-r', path.join(__dirname, 'register-paths.js'), script, ...rest], {
  stdio: 'inherit',
  cwd: root,
});
if (res.error) fail(`cannot run ${path.relative(root, script)}: ${res.error.message}`);
if (res.signal) fail(`${service} rebuild was stopped by ${res.signal}`);
// The script has said why it failed, in one line of its own.
process.exit(res.status === 0 ? 0 : 1);
