import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows numbered when they are written, and published up to a mark per subject: a row is written once.
 *
 * Before: the relay numbered each row (`subject_seq`) in an update of its own, then marked it (`published_at`) in
 * another, each rewriting the row and its indexes. Now the writing transaction numbers its rows itself from
 * `outbox_sequence`, whose row it keeps locked until it commits, so the numbers of a subject become visible in
 * their order and without a hole; the relay keeps how far each subject is acknowledged by the stream in
 * `outbox_published` (one row per subject, never touched by writers). The outbox keeps one index, its primary key
 * (subject, subject_seq), which the relay, the re-publisher and the clean-up read; the view `outbox_pending` lists
 * what the stream has not acknowledged yet. Envelopes are kept as `json`, the text as written: nothing queries into
 * them but tests (`->` and `->>` work on json too), and jsonb cost twice the server CPU to store (parsed and
 * rebuilt).
 *
 * Rows of the old relay: those it had not numbered yet are numbered here, in its order (per subject, by `seq`),
 * under its lock; each subject's mark starts below its lowest unpublished row (a row above it that the old relay
 * had published already goes out again with the same `Nats-Msg-Id`, a duplicate the stream and the inboxes drop).
 */
export class OutboxNumberedAtInsert1796860800000 implements MigrationInterface {
  name = 'OutboxNumberedAtInsert1796860800000';

  async up(q: QueryRunner): Promise<void> {
    // An old relay still running (a rolling upgrade) numbers and marks under this lock: wait for its pass.
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('outbox:' || current_schema()))`);
    await q.query(`
      WITH pending AS (
        SELECT seq, subject, row_number() OVER (PARTITION BY subject ORDER BY seq) AS rn FROM outbox WHERE subject_seq IS NULL
      ),
      counts AS (SELECT subject, count(*) AS n FROM pending GROUP BY subject),
      bumped AS (
        INSERT INTO outbox_sequence AS s (subject, last_seq) SELECT subject, n FROM counts
        ON CONFLICT (subject) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
        RETURNING subject, last_seq
      )
      UPDATE outbox o SET subject_seq = b.last_seq - c.n + p.rn
        FROM pending p JOIN counts c USING (subject) JOIN bumped b USING (subject)
       WHERE o.seq = p.seq`);
    await q.query(`
      CREATE TABLE outbox_published (
        subject       text PRIMARY KEY,
        published_seq bigint NOT NULL,
        published_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      INSERT INTO outbox_published (subject, published_seq)
      SELECT s.subject, COALESCE((SELECT min(o.subject_seq) - 1 FROM outbox o WHERE o.subject = s.subject AND o.published_at IS NULL), s.last_seq)
        FROM outbox_sequence s`);
    await q.query(`DROP INDEX outbox_pending`);
    await q.query(`DROP INDEX outbox_subject_seq`);
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, DROP CONSTRAINT outbox_event_id_key, DROP COLUMN published_at`);
    await q.query(
      `ALTER TABLE outbox ALTER COLUMN subject_seq SET NOT NULL, ADD PRIMARY KEY (subject, subject_seq), ALTER COLUMN envelope TYPE json`,
    );
    await q.query(`
      CREATE VIEW outbox_pending AS
      SELECT o.* FROM outbox o LEFT JOIN outbox_published p USING (subject) WHERE o.subject_seq > COALESCE(p.published_seq, 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`SELECT pg_advisory_xact_lock(hashtext('outbox:' || current_schema()))`);
    await q.query(`DROP VIEW outbox_pending`);
    await q.query(
      `ALTER TABLE outbox DROP CONSTRAINT outbox_pkey, ALTER COLUMN subject_seq DROP NOT NULL, ADD COLUMN published_at timestamptz,
         ALTER COLUMN envelope TYPE jsonb`,
    );
    await q.query(`
      UPDATE outbox o SET published_at = p.published_at
        FROM outbox_published p WHERE p.subject = o.subject AND o.subject_seq <= p.published_seq`);
    await q.query(`ALTER TABLE outbox ADD PRIMARY KEY (seq), ADD CONSTRAINT outbox_event_id_key UNIQUE (event_id)`);
    await q.query(`CREATE UNIQUE INDEX outbox_subject_seq ON outbox (subject, subject_seq) WHERE subject_seq IS NOT NULL`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL`);
    await q.query(`DROP TABLE outbox_published`);
  }
}
