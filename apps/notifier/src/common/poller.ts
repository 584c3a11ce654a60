/**
 * Runs `pass` again `everyMs` after each run ends (never two at once), first after `firstDelayMs`; a failed
 * pass is reported and the next one comes all the same. `stop()` ends the loop after the running pass.
 */
export function poll(pass: () => Promise<unknown>, everyMs: number, firstDelayMs: number, onError: (err: Error) => void): { stop(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    if (stopped) return;
    pass()
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, firstDelayMs);
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
