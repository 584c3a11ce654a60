// Must-show: the launcher's liveness watchdog. A service whose event loop is blocked stays "running" but
// answers nothing; here one is frozen with SIGSTOP. After LAUNCHER_LIVENESS_TIMEOUT_MS without an answer to
// GET /health/live the launcher reports it in one line (name, how long, the last error line of its log), stops
// everything as for a dead service, exits 1, and leaves no process behind, the frozen one included.
import {
  cleanEnv,
  descendants,
  isAlive,
  killTree,
  launcherLines,
  portEnv,
  removeDir,
  scratchInfra,
  startLauncher,
  STACK_FRAME,
  tempDataDir,
  type RunningLauncher,
} from './launcher-harness';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pace } = require('../../scripts/launcher/watchdog') as { pace: (ms: number) => { everyMs: number } };

jest.setTimeout(180_000);

// Long enough that a service slowed by a loaded machine is not taken for a stuck one.
const LIVENESS_TIMEOUT_MS = 8000;

describe('npm start with a service that stops answering', () => {
  let launcher: RunningLauncher | undefined;
  let infra: Awaited<ReturnType<typeof scratchInfra>>;
  let dataDir: string;
  let frozen: number | undefined;

  beforeAll(async () => {
    infra = await scratchInfra('live');
    dataDir = tempDataDir('live');
  });

  afterAll(async () => {
    if (frozen && isAlive(frozen)) process.kill(frozen, 'SIGKILL');
    if (launcher && launcher.proc.exitCode === null) killTree(launcher.proc.pid!);
    await infra?.dispose();
    if (dataDir) removeDir(dataDir);
  });

  it('reports the frozen service in one line, stops everything and exits 1', async () => {
    launcher = await startLauncher({
      ...cleanEnv(),
      ...(await portEnv()),
      ...infra.env,
      LAUNCHER_DATA_DIR: dataDir,
      LAUNCHER_BUILD: 'never',
      LAUNCHER_LIVENESS_TIMEOUT_MS: String(LIVENESS_TIMEOUT_MS),
      SEED: 'none',
      LOG_LEVEL: 'warn',
    });
    const everything = descendants(launcher.proc.pid!);
    const intake = launcher.state.services.find((s) => s.name === 'intake')!;
    const exited = new Promise<number | null>((res) => launcher!.proc.once('exit', (code) => res(code)));
    const frozenAt = Date.now();
    frozen = intake.pid;
    process.kill(intake.pid, 'SIGSTOP');

    expect(await exited).toBe(1);
    // The watchdog counts from the service's last answer, which came before the freeze by at most one pause
    // between probes (plus the moment it took to read that answer): never sooner than that.
    const lastAnswerAtMost = pace(LIVENESS_TIMEOUT_MS).everyMs + 250;
    expect(Date.now() - frozenAt).toBeGreaterThanOrEqual(LIVENESS_TIMEOUT_MS - lastAnswerAtMost);
    const out = launcher.output();
    expect(out).not.toMatch(STACK_FRAME);
    const lines = launcherLines(out).filter((l) => /has not answered/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^launcher \\| intake \\(pid ${intake.pid}\\) has not answered GET /health/live for \\d+ s .*LAUNCHER_LIVENESS_TIMEOUT_MS=${LIVENESS_TIMEOUT_MS}.*; last error in its log: .+; stopping everything\\. Its log: \\S+intake\\.log$`,
      ),
    );
    expect(out).toMatch(/launcher \| stopped/);
    expect(everything.filter(isAlive)).toEqual([]);
  });
});
