// Must-show: the other commands of the README end a failure the way `npm start` does: one line on stderr
// naming what failed and what to do, exit code 1, no stack trace. Each runs here as its npm script runs it,
// after the build (`npm run simulate`, `npm run bench`, `npm run rebuild`), pointed at ports where nothing listens.
import { join } from 'node:path';
import { cleanEnv, freePorts, ROOT, runNode, STACK_FRAME, type ProcessExit } from './launcher-harness';

jest.setTimeout(60_000);

/** The compiled script as its npm script runs it (`node -r scripts/register-paths.js <script>`). */
const run = (script: string, args: string[], env: Record<string, string>): Promise<ProcessExit> =>
  runNode(['-r', join(ROOT, 'scripts', 'register-paths.js'), join(ROOT, script), ...args], ROOT, { ...cleanEnv(), ...env }, 45_000);

/** Exit code 1, no trace, and stderr one line, which is returned. */
function oneLine(r: ProcessExit): string {
  expect(r.code).toBe(1);
  expect(r.stdout + r.stderr).not.toMatch(STACK_FRAME);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('a failing command says why in one line and exits 1', () => {
  let dead: number[];
  beforeAll(async () => {
    dead = await freePorts(2);
  });

  it('npm run simulate with no system running: names the service it cannot reach and says to start it', async () => {
    const r = await run('dist/tools/simulator/src/main.js', ['--quiet'], {
      ADMIN_API_KEY: `bz_${'k'.repeat(43)}`,
      COMPLIANCE_URL: `http://127.0.0.1:${dead[0]}`,
    });
    expect(oneLine(r)).toBe(
      `simulate: cannot reach compliance at http://127.0.0.1:${dead[0]} (ECONNREFUSED); is the system running? Start it with \`npm start\`, or point REGISTRY_URL, INTAKE_URL, … at it (npm run simulate -- --help)`,
    );
  });

  it('npm run simulate with a bad option: names it', async () => {
    const r = await run('dist/tools/simulator/src/main.js', ['--workers', 'many'], { ADMIN_API_KEY: `bz_${'k'.repeat(43)}` });
    expect(oneLine(r)).toBe('simulate: --workers must be a whole number, got many');
  });

  it('npm run bench with no PostgreSQL where it looks: names it and what the benchmarks need', async () => {
    const r = await run('dist/bench/run.js', ['--quick'], {
      BENCH_ADMIN_DATABASE_URL: `postgres://postgres@127.0.0.1:${dead[0]}/postgres`,
    });
    expect(oneLine(r)).toMatch(
      new RegExp(`^bench: cannot reach PostgreSQL at postgres://postgres@127.0.0.1:${dead[0]}/postgres \\(ECONNREFUSED\\); .*start them`),
    );
  });

  it('npm run bench with no NATS where it looks: names it', async () => {
    const r = await run('dist/bench/run.js', ['--quick'], { NATS_URL: `nats://127.0.0.1:${dead[1]}` });
    expect(oneLine(r)).toMatch(new RegExp(`^bench: cannot reach NATS at nats://127.0.0.1:${dead[1]} .*; .*start them`));
  });

  it('npm run rebuild with an unknown service, and with no PostgreSQL where it looks', async () => {
    expect(oneLine(await run('scripts/rebuild.js', ['registry'], {}))).toBe(
      'rebuild: cannot rebuild "registry"; usage: npm run rebuild -- <rates|compliance>',
    );
    const env = { DATABASE_URL: `postgres://postgres@127.0.0.1:${dead[0]}/bluezone`, NATS_URL: `nats://127.0.0.1:${dead[1]}` };
    expect(oneLine(await run('scripts/rebuild.js', ['compliance'], env))).toMatch(/^rebuild: .*ECONNREFUSED/);
    expect(oneLine(await run('scripts/rebuild.js', ['rates'], env))).toMatch(/^rates rebuild failed: .*ECONNREFUSED/);
  });
});
