/** The delay before the next attempt after `failedAttempts` failures: the list's entry for that failure, the last one repeating. */
export function retryDelayMs(backoff: readonly number[], failedAttempts: number): number {
  if (!backoff.length) return 0;
  return backoff[Math.min(Math.max(failedAttempts, 1), backoff.length) - 1];
}

export function parseBackoff(spec: string): number[] {
  return spec.split(',').map(Number);
}
