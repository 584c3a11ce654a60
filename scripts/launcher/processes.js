// Child processes for the launcher: spawned so that a failure to start is an explanation, not a crash, and stopped
// so that none outlives it. Node emits a failed spawn (a missing binary, a file that is not executable, a folder
// the child's user cannot enter) as an 'error' event, which ends the process when nobody listens for it.
const { spawn } = require('node:child_process');
const { LaunchError } = require('./settings');

const REASONS = {
  ENOENT: 'not found',
  EACCES: 'permission denied',
  ENOEXEC: 'not a program this machine can run',
  EAGAIN: 'the system cannot start more processes',
};

/**
 * spawn() with its failure turned into a LaunchError: `child.started` resolves once the process runs and
 * rejects with "cannot run <what> (<command>): <reason>; <hint>" when it cannot start. `hint` says what to
 * do; `user` names the OS user it runs as when that is not the launcher's.
 */
function spawnChild(what, command, args, options, { hint, user } = {}) {
  const child = spawn(command, args, options);
  child.started = new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    // Kept for the child's whole life: a later 'error' (a failed kill) must not end the launcher either.
    child.on('error', (err) => {
      const reason = REASONS[err.code] ? `${REASONS[err.code]} (${err.code})` : err.message;
      const as = user ? ` as the ${user} user` : '';
      reject(new LaunchError(`cannot run ${what} (${command}${as}): ${reason}${hint ? `; ${hint}` : ''}`));
    });
  });
  child.started.catch(() => undefined); // whoever starts the child awaits it; this only keeps Node from calling it unhandled
  return child;
}

const hasExited = (proc) => proc.exitCode !== null || proc.signalCode !== null;

/** Resolves true when the process has exited (now or within the timeout), false otherwise. */
function waitExit(proc, timeoutMs) {
  if (hasExited(proc) || proc.pid === undefined) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** SIGTERM (or `first`), then SIGKILL when it has not exited within the timeout; `group` signals its whole process group. */
async function stopProcess(proc, timeoutMs, group = false, first = 'SIGTERM') {
  if (hasExited(proc) || proc.pid === undefined) return;
  const signal = (sig) => {
    try {
      if (group) process.kill(-proc.pid, sig);
      else proc.kill(sig);
    } catch {
      /* already gone */
    }
  };
  signal(first);
  if (await waitExit(proc, timeoutMs)) return;
  signal('SIGKILL');
  await waitExit(proc, 5000);
}

function withTimeout(promise, ms, message) {
  let t;
  return Promise.race([promise, new Promise((_, reject) => (t = setTimeout(() => reject(new LaunchError(message)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `code 1` or `signal SIGKILL`, for messages. */
const exitText = (code, signal) => (signal ? `signal ${signal}` : `code ${code}`);

module.exports = { spawnChild, hasExited, waitExit, stopProcess, withTimeout, sleep, exitText };
