import { Logger } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntitySubscriberInterface, TransactionCommitEvent } from 'typeorm';
import { READ_MODEL_CHANGED, readModelChannel } from '../projection/read-model-changes';

/** How long after losing its connection the listener tries again. */
const RELISTEN_MS = 1_000;

/**
 * The read-model version kept in memory: a counter moved by every change of the live read model that this
 * process hears of (projection/read-model-changes.ts): its own commits as they return, and every process's
 * through LISTEN on one pooled connection held for it. While that connection is up, `current()` answers
 * without asking PostgreSQL; while it is not (not yet, or lost), it answers null and readers read the
 * version from the database as before. Another process's change is heard once PostgreSQL delivers the
 * notification (well within a millisecond on one machine): the only window in which a replica may answer
 * from a version older than one that another replica has already committed.
 */
export class ReadModelVersion {
  private readonly log = new Logger('read-model-version');
  private counter = 0;
  /** Distinguishes this process's counters from another's and from the database's tokens. */
  private readonly epoch = `${process.pid}.${Date.now().toString(36)}`;
  /** The held listening connection, and how to give it back (healthy, or destroyed after an error). */
  private held: { client: PoolClient; close: (err?: Error) => void } | null = null;
  private stopped = true;
  private retry: NodeJS.Timeout | null = null;
  private readonly onCommit: EntitySubscriberInterface = {
    afterTransactionCommit: (e: TransactionCommitEvent) => {
      if ((e.queryRunner.data as Record<string, unknown> | undefined)?.[READ_MODEL_CHANGED]) this.counter++;
    },
  };

  constructor(
    private readonly ds: DataSource,
    private readonly base: string,
  ) {}

  /** The token of the version heard of, or null when changes may go unheard (no listening connection). */
  current(): string | null {
    return this.held ? `mem:${this.epoch}:${this.counter}` : null;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.ds.subscribers.push(this.onCommit);
    this.listen();
  }

  stop(): void {
    this.stopped = true;
    const at = this.ds.subscribers.indexOf(this.onCommit);
    if (at >= 0) this.ds.subscribers.splice(at, 1);
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.held?.close();
  }

  private listen(): void {
    if (this.stopped) return;
    // TypeORM's PostgreSQL driver keeps its pg pool as `master`: the listener is one of its connections, held.
    const pool = (this.ds.driver as unknown as { master: Pool }).master;
    let client: PoolClient | undefined;
    let closed = false;
    const close = (err?: Error) => {
      if (closed) return;
      closed = true;
      if (this.held?.client === client) this.held = null;
      if (!client) return;
      client.removeAllListeners('notification');
      // A connection that failed is destroyed; a healthy one stops listening and goes back to the pool.
      if (err) client.release(err);
      else {
        const c = client;
        c.query(`UNLISTEN *`).then(
          () => c.release(),
          (e: Error) => c.release(e),
        );
      }
    };
    const lost = (err: Error) => {
      if (closed) return;
      close(err);
      this.again(err);
    };
    void (async () => {
      try {
        client = await pool.connect();
        client.on('error', lost);
        client.on('end', () => lost(new Error('connection ended')));
        client.on('notification', () => this.counter++);
        await client.query(`LISTEN "${readModelChannel(this.base)}"`);
        if (this.stopped) return close();
        // Whatever changed before the LISTEN took effect was not heard: a new version from here on.
        this.counter++;
        this.held = { client, close };
      } catch (err) {
        lost(err as Error);
      }
    })();
  }

  private again(err: Error): void {
    if (this.stopped || this.retry) return;
    this.log.warn(`read-model changes not heard (${err.message}): versions read from the database until listening again`);
    this.retry = setTimeout(() => {
      this.retry = null;
      this.listen();
    }, RELISTEN_MS);
    this.retry.unref();
  }
}
