// The liveness watchdog: once every service is healthy, the launcher keeps asking each for GET /health/live.
// A process whose event loop is blocked (an endless loop, a deadlock in native code, a SIGSTOP) stays "running"
// but answers nothing; without this, a stuck service would go unnoticed until someone uses it.
const { sleep } = require('./processes');

/** How often to ask and how long to wait for one answer, from the time a service may stay silent. */
function pace(timeoutMs) {
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return { everyMs: clamp(Math.round(timeoutMs / 6), 200, 5000), requestMs: clamp(Math.round(timeoutMs / 3), 500, 5000) };
}

/**
 * Polls `GET <url>/health/live` of every running service, one request at a time each. A service that has not
 * answered 200 for longer than `timeoutMs` is passed to `onSilent(running, silentMs, lastFailure)`, once, and
 * the watch ends. Returns a function that ends the watch.
 */
function watchLiveness(services, timeoutMs, onSilent) {
  const { everyMs, requestMs } = pace(timeoutMs);
  let watching = true;
  const watchOne = async (running) => {
    let lastAnswer = Date.now();
    let lastFailure = 'no answer yet';
    while (watching) {
      try {
        const res = await fetch(`${running.url}/health/live`, { signal: AbortSignal.timeout(requestMs) });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status === 200) lastAnswer = Date.now();
        else lastFailure = `GET /health/live answered ${res.status}`;
      } catch (err) {
        lastFailure = err.name === 'TimeoutError' ? `no answer within ${requestMs} ms` : (err.cause && err.cause.code) || err.message;
      }
      const silentMs = Date.now() - lastAnswer;
      if (watching && silentMs > timeoutMs) {
        watching = false;
        onSilent(running, silentMs, lastFailure);
        return;
      }
      await sleep(everyMs);
    }
  };
  for (const r of services) void watchOne(r);
  return () => {
    watching = false;
  };
}

module.exports = { watchLiveness, pace };
