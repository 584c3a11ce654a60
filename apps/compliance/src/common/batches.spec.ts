import { Batches } from './batches';

describe('Batches', () => {
  /** A `run` whose calls are answered when the test says so; each answers its keys upper-cased. */
  const held = () => {
    const calls: Array<{ keys: string[]; answer: () => void; fail: (err: Error) => void }> = [];
    const run = (keys: string[]) =>
      new Promise<string[]>((resolve, reject) =>
        calls.push({ keys, answer: () => resolve(keys.map((k) => k.toUpperCase())), fail: reject }),
      );
    return { calls, run };
  };
  const settle = () => new Promise((r) => setImmediate(r));

  it('given an idle group, when a load comes, then it is a call of its own, at once', async () => {
    const batches = new Batches<string, string>({ parallel: 2, max: 10 });
    const h = held();
    const a = batches.load('g', 'a', h.run);
    expect(h.calls.map((c) => c.keys)).toEqual([['a']]);
    h.calls[0].answer();
    expect(await a).toBe('A');
  });

  it('given the group at its parallel bound, when loads come, then they wait and go together, at most max a call, each answered its own value', async () => {
    const batches = new Batches<string, string>({ parallel: 2, max: 3 });
    const h = held();
    const loads = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => batches.load('g', k, h.run));
    expect(h.calls.map((c) => c.keys)).toEqual([['a'], ['b']]);
    h.calls[0].answer();
    await settle();
    expect(h.calls.map((c) => c.keys)).toEqual([['a'], ['b'], ['c', 'd', 'e']]);
    h.calls[1].answer();
    await settle();
    expect(h.calls.map((c) => c.keys)).toEqual([['a'], ['b'], ['c', 'd', 'e'], ['f', 'g']]);
    h.calls[2].answer();
    h.calls[3].answer();
    expect(await Promise.all(loads)).toEqual(['A', 'B', 'C', 'D', 'E', 'F', 'G']);
  });

  it('given two groups, when both are busy, then neither waits for the other', () => {
    const batches = new Batches<string, string>({ parallel: 1, max: 10 });
    const h = held();
    void batches.load('g1', 'a', h.run);
    void batches.load('g2', 'b', h.run);
    expect(h.calls.map((c) => c.keys)).toEqual([['a'], ['b']]);
  });

  it('given a call that fails or answers the wrong number of values, then each of its loads fails and the next loads are called', async () => {
    const batches = new Batches<string, string>({ parallel: 1, max: 10 });
    const h = held();
    const first = batches.load('g', 'a', h.run);
    const waiting = [batches.load('g', 'b', h.run), batches.load('g', 'c', h.run)];
    h.calls[0].fail(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    await settle();
    expect(h.calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c']]);
    const short = batches.load('short', 'x', async () => []);
    await expect(short).rejects.toThrow('a batch of 1 keys answered 0 values');
    h.calls[1].answer();
    expect(await Promise.all(waiting)).toEqual(['B', 'C']);
  });

  it('given a run that throws before its promise, then its loads fail', async () => {
    const batches = new Batches<string, string>({ parallel: 1, max: 10 });
    await expect(
      batches.load('g', 'a', () => {
        throw new Error('at once');
      }),
    ).rejects.toThrow('at once');
  });
});
