import { VersionedCache } from './versioned-cache';

describe('VersionedCache', () => {
  const counting = () => {
    let calls = 0;
    return {
      calls: () => calls,
      compute:
        <T>(v: T) =>
        async () => {
          calls += 1;
          return v;
        },
    };
  };

  it('shares one computation between identical and concurrent reads of a version', async () => {
    const cache = new VersionedCache<string>({ answers: 10, weight: 100 });
    const c = counting();
    const [a, b] = await Promise.all([cache.get('v1', 'k', c.compute('x'), () => 1), cache.get('v1', 'k', c.compute('y'), () => 1)]);
    expect([a, b]).toEqual(['x', 'x']);
    expect(await cache.get('v1', 'k', c.compute('z'), () => 1)).toBe('x');
    expect(c.calls()).toBe(1);
  });

  it('drops every answer of an older version', async () => {
    const cache = new VersionedCache<string>({ answers: 10, weight: 100 });
    const c = counting();
    await cache.get('v1', 'k', c.compute('old'), () => 1);
    await cache.get('v1', 'other', c.compute('old'), () => 1);
    expect(await cache.get('v2', 'k', c.compute('new'), () => 1)).toBe('new');
    expect(cache.size).toBe(1);
  });

  it('forgets a failed computation, so the next read computes again', async () => {
    const cache = new VersionedCache<string>({ answers: 10, weight: 100 });
    await expect(
      cache.get(
        'v1',
        'k',
        () => Promise.reject(new Error('down')),
        () => 1,
      ),
    ).rejects.toThrow('down');
    await expect(
      cache.get(
        'v1',
        'k',
        () => {
          throw new Error('sync');
        },
        () => 1,
      ),
    ).rejects.toThrow('sync');
    expect(
      await cache.get(
        'v1',
        'k',
        async () => 'up',
        () => 1,
      ),
    ).toBe('up');
  });

  it('keeps at most its bounds, least recently used out first, and never one answer heavier than an eighth', async () => {
    const cache = new VersionedCache<number>({ answers: 3, weight: 80 });
    const c = counting();
    for (const k of ['a', 'b', 'c']) await cache.get('v', k, c.compute(1), () => 1);
    await cache.get('v', 'a', c.compute(1), () => 1); // a is now the most recently used
    await cache.get('v', 'd', c.compute(1), () => 1); // b goes
    expect(c.calls()).toBe(4);
    await cache.get('v', 'a', c.compute(1), () => 1);
    expect(c.calls()).toBe(4);
    await cache.get('v', 'b', c.compute(1), () => 1);
    expect(c.calls()).toBe(5);
    expect(cache.size).toBe(3);

    // Weight: 11 is more than 80 / 8, so it is answered but not kept.
    await cache.get('v', 'heavy', c.compute(11), (n) => n);
    await cache.get('v', 'heavy', c.compute(11), (n) => n);
    expect(c.calls()).toBe(7);
    // Answers of 10 (an eighth of 80: kept): the ninth would make 90, so the oldest goes.
    const bound = new VersionedCache<number>({ answers: 100, weight: 80 });
    for (const k of ['p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x'])
      await bound.get(
        'v',
        k,
        async () => 10,
        (n) => n,
      );
    expect(bound.size).toBe(8);
  });
});
