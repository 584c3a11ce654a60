import { exitCodeOf, figuresLine, runChaos, stopCurrent } from '../../tools/chaos/chaos';
import { FAULT_KINDS } from '../../tools/chaos/faults';

// npm run chaos's short schedule (issue 18): the local cluster (3 JetStream nodes, R3 streams, 15 service replicas
// started at the same instant), a bounded load while replicas, a NATS node, PostgreSQL and the routes fail, then
// the checker. Then the checker's own check: one applied report dropped from the read model must make it fail.
const MINUTES = Number(process.env.CHAOS_MINUTES ?? 2.5);

describe('npm run chaos (short schedule)', () => {
  afterAll(async () => {
    await stopCurrent();
  });

  it('counts every accepted report exactly once through the faults, and fails when an event is dropped', async () => {
    const lines: string[] = [];
    const log = (m: string) => {
      lines.push(m);
      // Progress on the CI log: a run on a busy machine is long, and its faults say where the time went.
      process.stderr.write(`chaos ${new Date().toISOString().slice(11, 19)}: ${m}\n`);
    };
    const { run, figures } = await runChaos({ minutes: MINUTES, log });
    try {
      process.stderr.write(`${figuresLine(figures)}\n`);
      const total = Object.values(figures.faults).reduce((a, b) => a + b, 0);
      expect({ faults: total >= 10, kinds: FAULT_KINDS.filter((k) => figures.faults[k] > 0).length }).toEqual({ faults: true, kinds: 5 });
      expect(figures.accepted).toBeGreaterThan(50);
      expect(figures.refused).toBeGreaterThan(0);
      expect({
        lost: figures.lost,
        doubled: figures.doubled,
        differing: figures.differing,
        refusedStored: figures.refusedStored,
        deadLetters: figures.deadLetters,
        findings: figures.findings,
      }).toEqual({
        lost: 0,
        doubled: 0,
        differing: 0,
        refusedStored: 0,
        deadLetters: 0,
        findings: [],
      });
      expect(exitCodeOf(figures)).toBe(0);
      // Rates and compliance were killed with a batch in their hands at least once.
      expect(lines.some((l) => /kill -9 (rates|compliance) .*batch in flight/.test(l))).toBe(true);

      // A dropped event: one applied report missing from the read model. The checker must see it.
      const broken = await run.check({ dropOneReport: true, settleMs: 60_000 });
      process.stderr.write(`with one report dropped: ${figuresLine(broken)}\n`);
      expect(broken.lost).toBeGreaterThanOrEqual(1);
      expect(broken.differing).toBeGreaterThanOrEqual(1);
      expect(exitCodeOf(broken)).toBe(1);
    } finally {
      await run.stop();
    }
  }, 1_200_000);
});
