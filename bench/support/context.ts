import type { Environment, LimitRef, Row } from './report';

/** The machine's limits measured at the start of the run; every other figure is set against one of them. */
export interface Limits {
  jetstreamPublish?: LimitRef;
  pgCommit?: LimitRef;
  pgBulk?: LimitRef;
}

export interface BenchContext {
  quick: boolean;
  limits: Limits;
  env: Environment;
  /** Services to run under --cpu-prof (BENCH_PROFILE=intake,rates). */
  profile: string[];
  log(message: string): void;
}

export interface Section {
  name: string;
  title: string;
  /** Pushes its rows as it goes, so what was measured before a failure is kept. */
  run(ctx: BenchContext, rows: Row[]): Promise<void>;
}

/** Counts in flight at most `n` promises; `acquire` waits for a free slot. */
export class Window {
  private inFlight = 0;
  private waiters: Array<() => void> = [];
  firstError: Error | null = null;
  failures = 0;

  constructor(private readonly n: number) {}

  async run(task: () => Promise<unknown>): Promise<void> {
    while (this.inFlight >= this.n) await new Promise<void>((r) => this.waiters.push(r));
    this.inFlight += 1;
    task()
      .catch((err: unknown) => {
        this.failures += 1;
        this.firstError ??= err as Error;
      })
      .finally(() => {
        this.inFlight -= 1;
        this.waiters.shift()?.();
      });
  }

  async drain(): Promise<void> {
    while (this.inFlight > 0) await new Promise<void>((r) => this.waiters.push(r));
  }
}
