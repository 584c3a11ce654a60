/**
 * Loads gathered into few calls, per group (loads of one group can be answered by one call of its `run`,
 * e.g. the pages of several parents by one statement). A load is run at once while fewer than `parallel`
 * calls of its group are under way; otherwise it waits, and the loads waiting when a call ends go together
 * in the next one, at most `max` keys a call. Idle, a load is a call of its own and waits for nothing;
 * busy (a hundred readers each asking for a district no one has asked for since the read model changed),
 * N loads cost about N / max calls instead of N, each sharing its planning and round trip.
 */
export class Batches<K, V> {
  private readonly groups = new Map<string, Group<K, V>>();

  constructor(private readonly limits: { readonly parallel: number; readonly max: number }) {}

  /**
   * `key`'s value, from a call of `run` with `key` among its keys. Every load of a group must pass a `run`
   * that answers any keys of the group alike (whichever load's `run` a call uses); it answers a value per
   * key, in the order of the keys. A call that fails fails each of its loads.
   */
  load(group: string, key: K, run: (keys: K[]) => Promise<V[]>): Promise<V> {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = { running: 0, waiting: [] }));
    const value = new Promise<V>((resolve, reject) => g.waiting.push({ key, resolve, reject }));
    this.next(group, g, run);
    return value;
  }

  private next(group: string, g: Group<K, V>, run: (keys: K[]) => Promise<V[]>): void {
    while (g.running < this.limits.parallel && g.waiting.length > 0) {
      const loads = g.waiting.splice(0, this.limits.max);
      g.running++;
      let call: Promise<V[]>;
      try {
        call = run(loads.map((l) => l.key));
      } catch (err) {
        call = Promise.reject(err);
      }
      call
        .then(
          (values) => {
            if (values.length !== loads.length) throw new Error(`a batch of ${loads.length} keys answered ${values.length} values`);
            loads.forEach((l, i) => l.resolve(values[i]));
          },
          (err: unknown) => loads.forEach((l) => l.reject(err)),
        )
        .catch((err: unknown) => loads.forEach((l) => l.reject(err)))
        .finally(() => {
          g.running--;
          if (g.running === 0 && g.waiting.length === 0) this.groups.delete(group);
          else this.next(group, g, run);
        });
    }
  }
}

interface Group<K, V> {
  running: number;
  waiting: Array<{ key: K; resolve: (value: V) => void; reject: (err: unknown) => void }>;
}
