import { HttpException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EventEnvelope } from '@app/contracts';
import { IdempotencyStore, type Answer, type IdempotentAnswer, type IdempotentRequest, type Principal } from '@app/platform';
import { GroupCommit, type Settled } from '../common/group-commit';
import { inTransaction } from '../common/transaction';
import { ReportStore, type CheckedReport, type WriteOutcome } from './report.store';

/** One batch request's checked reports, and how its answer is made from their outcomes. */
interface BatchMember {
  readonly principal: Principal;
  readonly reports: readonly CheckedReport[];
  readonly idempotency: IdempotentRequest | null;
  readonly answer: (outcomes: WriteOutcome[]) => Answer<unknown>;
}

/**
 * Group commit for batches (POST /v1/reports/batch, /v1/reports/import): the batches that arrive while a
 * transaction is running are written together in the next one, one transaction at a time. Concurrent batches
 * touching the same heads (a head per unit, cohort and date) used to run in transactions of their own and
 * queue on each other's uncommitted head rows until commit (Lock:transactionid); in one transaction they
 * never wait on each other, and share its commit. Each batch keeps everything it had alone: its
 * Idempotency-Key claimed and answered in the transaction (a replay or a 422 for that batch only; the same key
 * twice in one group replays the first's answer, as it would one after the other), its revisions decided in
 * order, its outbox rows in the same transaction, its own answer once committed. The batches without a key
 * are written together (one set of statements for all); each keyed batch after them, in order of arrival.
 */
@Injectable()
export class ReportBatchWriter {
  /** One transaction at a time: two would lock overlapping heads and wait on each other. */
  static readonly MAX_RUNNING = 1;
  /** Reports per transaction at most (a batch larger than this goes alone). */
  static readonly MAX_GROUP = 10_000;

  private readonly groups = new GroupCommit<BatchMember, IdempotentAnswer<unknown>>({
    maxRunning: ReportBatchWriter.MAX_RUNNING,
    maxSize: ReportBatchWriter.MAX_GROUP,
    sizeOf: (b) => Math.max(1, b.reports.length),
    write: (group) => this.writeGroup(group),
  });
  /** Batches per transaction, of the last transactions (for tests: shows that batches did share them). */
  readonly recentGroupSizes = this.groups.recentGroupSizes;

  constructor(
    private readonly ds: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly store: ReportStore,
  ) {}

  /** Writes the checked reports of one batch; `answer` makes the batch's answer from their outcomes, in order. */
  write<T>(
    principal: Principal,
    reports: readonly CheckedReport[],
    idempotency: IdempotentRequest | null,
    answer: (outcomes: WriteOutcome[]) => Answer<T>,
  ): Promise<IdempotentAnswer<T>> {
    return this.groups.submit({ principal, reports, idempotency, answer }) as Promise<IdempotentAnswer<T>>;
  }

  private writeGroup(group: readonly BatchMember[]): Promise<Array<Settled<IdempotentAnswer<unknown>>>> {
    return inTransaction(this.ds, async (m) => {
      const settled = new Array<Settled<IdempotentAnswer<unknown>>>(group.length);
      // Every batch's events, recorded in one outbox insert after all else (its subject stays locked until commit).
      const events: EventEnvelope[] = [];
      const plain = [...group.keys()].filter((i) => !group[i].idempotency);
      const reports = plain.length === 1 ? group[plain[0]].reports : plain.flatMap((i) => group[i].reports);
      const submittedBy = plain.flatMap((i) => group[i].reports.map(() => group[i].principal.keyId));
      const outcomes = await this.store.writeAs(m, reports, submittedBy, events);
      let at = 0;
      for (const i of plain) {
        const own = outcomes.slice(at, (at += group[i].reports.length));
        settled[i] = { ok: true, value: { ...group[i].answer(own), replayed: false } };
      }
      for (const [i, b] of group.entries()) {
        if (!b.idempotency) continue;
        try {
          const value = await this.idempotency.once(m, b.idempotency, async () =>
            b.answer(await this.store.write(m, b.principal, b.reports, events)),
          );
          settled[i] = { ok: true, value };
        } catch (err) {
          // A refusal of this batch's key (422: reused with another request) is thrown after its statements
          // succeeded: the transaction goes on for the others. Anything else fails the transaction.
          if (!(err instanceof HttpException)) throw err;
          settled[i] = { ok: false, error: err };
        }
      }
      await this.store.record(m, events);
      return settled;
    });
  }
}
