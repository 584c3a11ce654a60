import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { exitOnUncaught, failAndExit, isConnectionFailure } from '../tools/processes/cli-exit';
import type { BenchContext, Section } from './support/context';
import { adminDatabaseUrl, natsUrl, repoRoot, withAdmin } from './support/env';
import { bounds, environmentLines, findings, markdownTable, NoteOnce, textTable, verdicts, type Row } from './support/report';
import { backboneSection } from './sections/backbone';
import { intakeSection } from './sections/intake';
import { limitsSection } from './sections/limits';
import { pipelineSection } from './sections/pipeline';
import { querySection } from './sections/queries';
import { rebuildSection } from './sections/rebuild';
import { rosterSection } from './sections/roster';

/**
 * `npm run bench [-- --quick] [-- --only intake,queries]`: measures the system against this machine's
 * own limits, measured in the same run, prints a table and writes docs/BENCHMARKS.md. Nothing here is
 * asserted: targets are reported as met or missed.
 */
const SECTIONS: Section[] = [limitsSection, backboneSection, intakeSection, pipelineSection, rosterSection, querySection, rebuildSection];

interface Args {
  quick: boolean;
  only: string[] | null;
  out: string | null;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, only: null, out: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') args.quick = true;
    else if (a === '--only')
      args.only = (argv[++i] ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a.startsWith('--only='))
      args.only = a
        .slice('--only='.length)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === '--out') args.out = argv[++i] ?? null;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`usage: npm run bench -- [--quick] [--only ${SECTIONS.map((s) => s.name).join(',')}] [--out file.md]\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  for (const name of args.only ?? []) {
    if (!SECTIONS.some((s) => s.name === name))
      throw new Error(`unknown section ${name} (sections: ${SECTIONS.map((s) => s.name).join(', ')})`);
  }
  return args;
}

function describe(sections: readonly Section[], quick: boolean): string[] {
  return [
    '## How to read this',
    '',
    'Every figure is set beside the limit of this machine that bounds it, measured in the same run (absolute figures move',
    'between runs on a shared machine; the ratios move less). The targets come from the benchmark issue; they are reported,',
    'never asserted. The services run as separate processes from `dist/`, each in a fresh database and event namespace, on',
    'the same machine as the load generator, PostgreSQL and NATS.',
    '',
    `Sections run: ${sections.map((s) => `\`${s.name}\` (${s.title})`).join('; ')}.${quick ? ' **Quick mode: small sizes, a smoke run, not a measurement.**' : ''}`,
    '',
    '- Limits: JetStream publish-with-ack from Node with a window of 1,000 unacknowledged publishes; PostgreSQL single-row',
    '  INSERT+COMMIT from 16 connections; PostgreSQL bulk insert (one `INSERT … SELECT unnest(…)` of 10,000 rows per statement):',
    '  this stands in for `COPY`, because pg-copy-streams is not a dependency.',
    '- HTTP floor: `GET /v1/whoami` (admin key: the guard, the framework and loopback, no I/O) of the same service at the same concurrency.',
  ];
}

/** PostgreSQL and NATS answer before anything is measured: without them every section would fail, one by one. */
async function checkServers(): Promise<void> {
  const pg = new URL(adminDatabaseUrl());
  pg.password = pg.password ? '***' : '';
  await withAdmin((c) => c.query('SELECT 1')).catch((err: unknown) => {
    throw new Error(`cannot reach PostgreSQL at ${pg.toString()}`, { cause: err });
  });
  const nc = await connect({ servers: natsUrl(), timeout: 5000 }).catch((err: unknown) => {
    throw new Error(`cannot reach NATS at ${natsUrl()}`, { cause: err });
  });
  await nc.close();
}

const whatToDo = (err: unknown): string | null =>
  isConnectionFailure(err) || /cannot reach/.test((err as Error)?.message ?? '')
    ? 'the benchmarks need a PostgreSQL and a NATS with JetStream: start them, or set BENCH_ADMIN_DATABASE_URL and NATS_URL'
    : null;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  await checkServers();
  const started = new Date();
  const ctx: BenchContext = {
    quick: args.quick,
    limits: {},
    env: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: 'unknown',
      nats: 'unknown',
      synchronousCommit: '?',
      startedAt: started.toISOString(),
      mode: args.quick ? 'quick' : 'full',
      load: loadavg()[0].toFixed(1),
    },
    profile: (process.env.BENCH_PROFILE ?? '').split(',').filter(Boolean),
    log: (m) => process.stderr.write(`[bench ${((Date.now() - started.getTime()) / 1000).toFixed(0).padStart(4)} s] ${m}\n`),
  };
  // The limits run whatever is selected: every other figure is a ratio to one of them.
  const selected = SECTIONS.filter((s) => s.name === 'limits' || !args.only || args.only.includes(s.name));
  const rows: Row[] = [];
  for (const section of selected) {
    ctx.log(`${section.name}: ${section.title}`);
    const before = rows.length;
    const t0 = Date.now();
    try {
      await section.run(ctx, rows);
    } catch (err) {
      const e = err as Error;
      ctx.log(`${section.name} failed: ${e.stack ?? e.message}`);
      rows.push({
        section: section.name,
        measure: section.title,
        value: null,
        unit: '',
        error: e.message.replace(/\s+/g, ' ').slice(0, 500),
      });
    }
    for (const r of rows.slice(before))
      ctx.log(`  ${r.measure}: ${r.error ? `FAILED ${r.error}` : `${r.value?.toFixed(2)} ${r.unit} ${r.detail ?? ''}`}`);
    ctx.log(`${section.name} done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }

  ctx.env.load = `${ctx.env.load} at the start, ${loadavg()[0].toFixed(1)} at the end`;
  const env = environmentLines(ctx.env);
  // Each note is told once across the two lists below: the first row that has it, then a pointer to that row.
  const told = new NoteOnce();
  const missed = findings(rows, told);
  process.stdout.write(`\n${env.join('\n')}\n\n${textTable(rows)}\n\n`);
  const notes = bounds(rows, told);
  const judged = verdicts(rows);
  const doc = [
    '# Benchmarks',
    '',
    `Generated by \`npm run bench${args.quick ? ' -- --quick' : ''}${args.only ? ` -- --only ${args.only.join(',')}` : ''}\` (bench/run.ts); do not edit by hand.`,
    '',
    '## Machine',
    '',
    ...env,
    '',
    '## Results',
    '',
    markdownTable(rows),
    '',
    ...(judged.length ? ['## Verdict', '', ...judged, ''] : []),
    ...(missed.length ? ['## Targets missed, and what holds each back', '', ...missed, ''] : []),
    ...(notes.length ? ['## What bounds each figure', '', ...notes, ''] : []),
    ...describe(selected, args.quick),
    '',
  ].join('\n');
  const out = args.out ?? join(repoRoot(), 'docs', 'BENCHMARKS.md');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, doc);
  ctx.log(`wrote ${out} in ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
}

exitOnUncaught('bench', whatToDo);
main().then(
  () => process.exit(0),
  (err: unknown) => failAndExit('bench', err, whatToDo),
);
