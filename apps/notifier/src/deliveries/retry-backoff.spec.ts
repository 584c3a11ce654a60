import { parseBackoff, retryDelayMs } from './retry-backoff';

describe('retry backoff', () => {
  const backoff = parseBackoff('1000,5000,60000');

  it('given the first failures, then each waits its own delay', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(backoff, n))).toEqual([1000, 5000, 60000]);
  });

  it('given more failures than delays, then the last delay repeats', () => {
    expect(retryDelayMs(backoff, 9)).toBe(60000);
  });
});
