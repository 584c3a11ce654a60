import { exitCodeOf, figuresLine, runChaos, stopCurrent } from './chaos';

const HELP = `npm run chaos -- [--minutes N] [--seed N] [--drop-one-report]
  Starts its own PostgreSQL and the local cluster (npm run cluster's topology), runs a bounded load for N minutes
  (default 3) while killing replicas, a NATS node, pausing one, cutting one off and restarting PostgreSQL, then
  settles and checks: prints one line of figures, exit code 1 when a report was lost or counted twice, a refused
  request stored, a dead letter left, or a read-model row differs from a fresh rebuild.
  --drop-one-report removes one applied report from the read model before checking (the checker must fail).`;

function args(argv: string[]): { minutes: number; seed: number; dropOneReport: boolean } {
  const out = { minutes: 3, seed: 18, dropOneReport: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${HELP}\n`);
      process.exit(0);
    } else if (a === '--minutes') out.minutes = Number(argv[++i]);
    else if (a === '--seed') out.seed = Number(argv[++i]);
    else if (a === '--drop-one-report') out.dropOneReport = true;
    else throw new Error(`unknown option ${a} (npm run chaos -- --help)`);
  }
  if (!(out.minutes > 0)) throw new Error('--minutes takes a number of minutes above 0');
  return out;
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const interrupted = async () => {
    process.stderr.write('chaos: interrupted, stopping everything\n');
    await stopCurrent();
    process.exit(130);
  };
  process.on('SIGINT', () => void interrupted());
  process.on('SIGTERM', () => void interrupted());
  const result = await runChaos(o);
  process.stdout.write(`${figuresLine(result.figures)}\n`);
  await result.run.stop();
  process.exit(exitCodeOf(result.figures));
}

main().catch(async (err: unknown) => {
  process.stderr.write(`chaos: ${(err as Error).message}\n`);
  await stopCurrent();
  process.exit(1);
});
