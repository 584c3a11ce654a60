/** What one member of a group gets back: its own answer, or its own refusal. */
export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export interface GroupCommitOptions<T, R> {
  /** Groups written at once; what arrives meanwhile waits for the next one. */
  readonly maxRunning: number;
  /** A group's size at most, in `sizeOf` units (a member larger than this goes alone). */
  readonly maxSize: number;
  readonly sizeOf: (item: T) => number;
  /** Writes a group in one transaction and settles each member; throws when the transaction itself fails. */
  readonly write: (group: readonly T[]) => Promise<Array<Settled<R>>>;
}

/**
 * Group commit: members (single reports, whole batches) are written in transactions shared with the
 * members that arrived while the previous transactions were running, alone when the service is quiet, many
 * to a transaction under load. Each caller still gets its own answer once its member is committed, and its
 * own refusal. A failure of a shared transaction (not a refusal: those are per member) must not fail the
 * others with it: each member is tried again in a transaction of its own.
 */
export class GroupCommit<T, R> {
  private readonly queue: Array<{ item: T; resolve: (r: R) => void; reject: (err: unknown) => void }> = [];
  private running = 0;
  /** Sizes (members) of the last groups written (for tests: shows that members did share transactions). */
  readonly recentGroupSizes: number[] = [];

  constructor(private readonly options: GroupCommitOptions<T, R>) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running < this.options.maxRunning && this.queue.length > 0) {
      let size = this.options.sizeOf(this.queue[0].item);
      let n = 1;
      while (n < this.queue.length && size + this.options.sizeOf(this.queue[n].item) <= this.options.maxSize) {
        size += this.options.sizeOf(this.queue[n].item);
        n++;
      }
      const group = this.queue.splice(0, n);
      this.running++;
      void this.flush(group).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async flush(group: GroupCommit<T, R>['queue']): Promise<void> {
    this.recentGroupSizes.push(group.length);
    if (this.recentGroupSizes.length > 100) this.recentGroupSizes.shift();
    let settled: Array<Settled<R>>;
    try {
      settled = await this.options.write(group.map((p) => p.item));
    } catch (err) {
      if (group.length > 1) {
        for (const p of group) await this.flush([p]);
        return;
      }
      group[0].reject(err);
      return;
    }
    settled.forEach((s, i) => (s.ok ? group[i].resolve(s.value) : group[i].reject(s.error)));
  }
}
