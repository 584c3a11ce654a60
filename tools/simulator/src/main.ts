import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exitOnUncaught, failAndExit, isConnectionFailure } from '../../processes/cli-exit';
import { defaultUrls, type ServiceUrls } from './client';
import { repoRoot } from './runner';
import { DEFAULT_OPTIONS, type ScenarioOptions } from './scenario';
import { runSimulation } from './simulate';
import { waitForReadModel } from './verify';

const HELP = `npm run simulate -- [options]

Drives the running system through its public HTTP APIs, as the portals, the EZ board, the telecoms,
the Post Office and the Department of Transport would, day by day from 2020-08-04 to 2020-08-30.

  --seed N                    scenario seed (default ${DEFAULT_OPTIONS.seed})
  --from YYYY-MM-DD           first day (default ${DEFAULT_OPTIONS.from})
  --to YYYY-MM-DD             last day (default ${DEFAULT_OPTIONS.to})
  --enterprises-per-zone N    enterprises registered under each economic zone / industrial park (default ${DEFAULT_OPTIONS.enterprisesPerZone})
  --workers N                 workers per enterprise roster (default ${DEFAULT_OPTIONS.workersPerEnterprise})
  --schools N                 schools reporting staff and students (default ${DEFAULT_OPTIONS.schools})
  --hubs N                    bus stations / ferry terminals (default ${DEFAULT_OPTIONS.transportHubs})
  --concurrency N             requests in flight (default 8)
  --no-wait                   do not wait for the read model to catch up at the end
  --out FILE                  where to write the expected figures (default .data/simulation-expected.json)
  --quiet                     no progress bar

Environment: ADMIN_API_KEY (else .data/admin-key, as written by npm start); REGISTRY_URL, INTAKE_URL,
SUPPORT_POINTS_URL, WORKFORCE_URL, RATES_URL, COMPLIANCE_URL (else 127.0.0.1 and the default ports).`;

function adminKey(): string {
  if (process.env.ADMIN_API_KEY) return process.env.ADMIN_API_KEY;
  const file = join(repoRoot(), '.data', 'admin-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new Error('no admin key: set ADMIN_API_KEY or start the system with `npm start` (it writes .data/admin-key)');
}

/** Every service answers before the first request, so that a system that is not running is said at once, not after retries. */
async function checkReachable(urls: ServiceUrls): Promise<void> {
  for (const [name, url] of Object.entries(urls)) {
    try {
      await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(5000) });
    } catch (err) {
      throw new Error(`cannot reach ${name} at ${url}`, { cause: (err as Error).cause ?? err });
    }
  }
}

const whatToDo = (err: unknown): string | null =>
  isConnectionFailure(err)
    ? 'is the system running? Start it with `npm start`, or point REGISTRY_URL, INTAKE_URL, … at it (npm run simulate -- --help)'
    : null;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'enterprises-per-zone': { type: 'string' },
      workers: { type: 'string' },
      schools: { type: 'string' },
      hubs: { type: 'string' },
      concurrency: { type: 'string' },
      'no-wait': { type: 'boolean' },
      out: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const int = (v: string | undefined, d: number, name: string) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
    return n;
  };
  const options: ScenarioOptions = {
    ...DEFAULT_OPTIONS,
    seed: int(values.seed, DEFAULT_OPTIONS.seed, 'seed'),
    from: values.from ?? DEFAULT_OPTIONS.from,
    to: values.to ?? DEFAULT_OPTIONS.to,
    enterprisesPerZone: int(values['enterprises-per-zone'], DEFAULT_OPTIONS.enterprisesPerZone, 'enterprises-per-zone'),
    workersPerEnterprise: int(values.workers, DEFAULT_OPTIONS.workersPerEnterprise, 'workers'),
    schools: int(values.schools, DEFAULT_OPTIONS.schools, 'schools'),
    transportHubs: int(values.hubs, DEFAULT_OPTIONS.transportHubs, 'hubs'),
  };
  const concurrency = int(values.concurrency, 8, 'concurrency');
  const key = adminKey();
  await checkReachable(defaultUrls());
  const { runner, world, scenario, expectations, seconds } = await runSimulation(defaultUrls(), key, options, {
    concurrency,
    quiet: values.quiet ?? false,
  });

  const summary = {
    seed: options.seed,
    days: `${options.from} … ${options.to}`,
    sent: runner.stats,
    retries: runner.client.retries,
    seconds,
    expected: {
      residentRateOnPin: expectations.figure(world.province, 'residents', options.pinDay)!.installed / world.provincePopulation,
      residentRateOnLastDay: expectations.figure(world.province, 'residents', options.to)!.installed / world.provincePopulation,
      unitsShort: [...scenario.shortfall].sort(),
      communesMissingEndAnnouncement: [...scenario.missingEndAnnouncement.keys()].sort(),
    },
  };
  const out = values.out ?? join(repoRoot(), '.data', 'simulation-expected.json');
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(summary, null, 2));
  if (!values['no-wait']) {
    process.stderr.write('waiting for the compliance read model to catch up…\n');
    await waitForReadModel(runner, expectations, expectations.allUnits(), [options.to]);
  }
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(
    `\nProvince resident rate on ${options.pinDay}: ${(summary.expected.residentRateOnPin * 100).toFixed(2)}% (target 50% by 2020-08-20)\n` +
      `Units below 100% on ${options.to}: ${summary.expected.unitsShort.length}\nExpected figures written to ${out}\n`,
  );
}

exitOnUncaught('simulate', whatToDo);
main().catch((err: unknown) => failAndExit('simulate', err, whatToDo));
