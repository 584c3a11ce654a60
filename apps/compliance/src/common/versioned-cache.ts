/**
 * Answers kept for one read-model version (ReadModelService.currentVersion): identical requests between two
 * changes of the read model share one computation, and concurrent ones one promise. A new version drops every
 * answer, since no one asks for an older version's answer again. Bounded by the number of answers and by their
 * weight (what `weigh` counts: rows held): the least recently used go first, and an answer heavier than an eighth
 * of the weight bound is not kept at all. A computation that fails is forgotten, so the next request tries again.
 */
export class VersionedCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; weight: number }>();
  private weight = 0;
  private version = '';

  constructor(private readonly max: { readonly answers: number; readonly weight: number }) {}

  get size(): number {
    return this.entries.size;
  }

  get(version: string, key: string, compute: () => Promise<V>, weigh: (value: V) => number): Promise<V> {
    if (version !== this.version) {
      this.entries.clear();
      this.weight = 0;
      this.version = version;
    }
    const held = this.entries.get(key);
    if (held) {
      // Most recently used last: the oldest are the first out.
      this.entries.delete(key);
      this.entries.set(key, held);
      return held.value;
    }
    let value: Promise<V>;
    try {
      value = compute();
    } catch (err) {
      value = Promise.reject(err);
    }
    const entry = { value, weight: 0 };
    this.entries.set(key, entry);
    value.then(
      (v) => {
        // Dropped meanwhile (a new version, or pushed out): nothing to count.
        if (this.entries.get(key) !== entry) return;
        entry.weight = weigh(v);
        this.weight += entry.weight;
        if (entry.weight > this.max.weight / 8) this.forget(key);
        for (const [oldest] of this.entries) {
          if (this.weight <= this.max.weight && this.entries.size <= this.max.answers) break;
          this.forget(oldest);
        }
      },
      () => this.forget(key),
    );
    return value;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.weight -= entry.weight;
  }
}
