import { Worker } from 'node:worker_threads';

export interface WatchdogOptions {
  /** Longest the event loop may go without a heartbeat before the process is ended. */
  readonly limitMs: number;
  readonly service: string;
  readonly onError?: (err: Error) => void;
}

export interface Watchdog {
  stop(): Promise<void>;
}

/**
 * The watching side, run in a worker thread (its own event loop, so it keeps running while the main
 * one is blocked). Every `checkMs` it looks at the heartbeat counter the main thread bumps every
 * `beatMs`; when the counter has not moved for `beatMs + limitMs` (the loop was blocked for at least
 * `limitMs`) it writes one log line and ends the whole process: a blocked
 * loop cannot answer /health/live, release its consumers or drain, and only a restart brings it back.
 * Plain JavaScript, evaluated as given: the same code runs from dist/ and under the test runner.
 */
const WATCHER = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const beats = new Int32Array(workerData.heartbeat);
let seen = Atomics.load(beats, 0);
let movedAt = Date.now();
setInterval(() => {
  const now = Date.now();
  const beat = Atomics.load(beats, 0);
  if (beat !== seen) {
    seen = beat;
    movedAt = now;
    return;
  }
  const blockedMs = now - movedAt - workerData.beatMs;
  if (blockedMs < workerData.limitMs) return;
  const line = JSON.stringify({
    level: 60,
    time: new Date(now).toISOString(),
    service: workerData.service,
    pid: process.pid,
    context: 'watchdog',
    blockedMs,
    limitMs: workerData.limitMs,
    msg: 'event loop blocked for ' + blockedMs + ' ms (limit ' + workerData.limitMs + ' ms, EVENT_LOOP_BLOCK_LIMIT_MS): exiting',
  });
  try { writeSync(2, line + '\\n'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.checkMs);
`;

/**
 * Starts the event-loop watchdog of a service process: the main thread bumps a shared counter
 * (SharedArrayBuffer, Atomics) every second or so; a worker thread ends the process when it stops
 * moving for longer than the beat plus `limitMs`. SIGKILL, not exit(): a blocked main thread runs no exit handlers anyway, and the
 * orchestrator (or the launcher) sees the death at once and restarts or reports it.
 */
export function startEventLoopWatchdog(options: WatchdogOptions): Watchdog {
  const heartbeat = new SharedArrayBuffer(4);
  const beats = new Int32Array(heartbeat);
  const beatMs = Math.min(1000, Math.max(25, Math.floor(options.limitMs / 10)));
  const beat = setInterval(() => Atomics.add(beats, 0, 1), beatMs);
  beat.unref();
  const worker = new Worker(WATCHER, {
    eval: true,
    workerData: { heartbeat, beatMs, limitMs: options.limitMs, service: options.service, checkMs: Math.min(500, beatMs) },
  });
  // A watcher that fails must not take the service with it: say so, and serve on unwatched.
  worker.on('error', (err) => options.onError?.(err));
  worker.unref();
  return {
    stop: async () => {
      clearInterval(beat);
      await worker.terminate();
    },
  };
}
