import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { uuidv7 } from '@app/persistence';
import { rootLogger, type Principal } from '@app/platform';
import { employeeHash } from '../rosters/domain/employee-hash';
import { normaliseEmployeeId } from '../rosters/domain/roster-row';
import { WorkforceConfig } from '../workforce.config';
import type { RosterErasureResultDto } from './dto/roster-erasure.dto';

/** How often retention looks for rows past their age (they are due by the day: an hour late is nothing). */
const RETENTION_EVERY_MS = 60 * 60 * 1000;

/**
 * Personal data of rosters (docs/data-protection.md): roster rows erased ROSTER_RETENTION_DAYS after their
 * upload, and one worker's rows erased on request. Only `roster_rows` (the hashed ids and their flags) is
 * touched: counts, rosters in force and published events stay.
 */
@Injectable()
export class RosterPrivacyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = rootLogger().child({ context: 'roster-privacy' });
  private readonly config: WorkforceConfig;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly ds: DataSource,
    config: WorkforceConfig,
  ) {
    this.config = config;
  }

  onApplicationBootstrap(): void {
    const tick = () => {
      this.running ??= this.eraseExpired()
        .catch((err: unknown) => this.log.warn({ code: (err as { code?: string }).code }, 'roster retention failed; will retry'))
        .finally(() => (this.running = null));
    };
    tick();
    this.timer = setInterval(tick, RETENTION_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Erases the rows of every upload that finished more than ROSTER_RETENTION_DAYS ago, one upload per transaction. */
  async eraseExpired(): Promise<{ imports: number; rows: number }> {
    let imports = 0;
    let rows = 0;
    for (;;) {
      const due: Array<{ id: string }> = await this.ds.query(
        `SELECT id FROM roster_imports
         WHERE state = 'completed' AND NOT rows_purged AND rows_erased_at IS NULL AND finished_at < now() - ($1::int * interval '1 day')
         ORDER BY finished_at LIMIT 100`,
        [this.config.ROSTER_RETENTION_DAYS],
      );
      if (due.length === 0) break;
      for (const { id } of due) {
        rows += await this.ds.transaction(async (m) => {
          // TypeORM answers a DELETE with [rows, affected].
          const [, deleted]: [unknown, number] = await m.query(`DELETE FROM roster_rows WHERE import_id = $1`, [id]);
          await m.query(`UPDATE roster_imports SET rows_erased_at = now() WHERE id = $1`, [id]);
          return deleted;
        });
        imports += 1;
      }
    }
    if (imports > 0)
      this.log.info({ imports, rows, retentionDays: this.config.ROSTER_RETENTION_DAYS }, 'roster rows past retention erased');
    return { imports, rows };
  }

  /**
   * Erases every stored row of one worker of an enterprise, found through the HMAC their id is stored under
   * (after the same normalisation as uploads), and records the request without the id.
   */
  async eraseEmployee(enterpriseCode: string, employeeId: string, principal: Principal): Promise<RosterErasureResultDto> {
    const hash = Buffer.from(employeeHash(this.config.rosterHmacSecret, enterpriseCode, normaliseEmployeeId(employeeId)), 'hex');
    const erasureId = uuidv7();
    return this.ds.transaction(async (m) => {
      // Taken by uploads completing too: an erasure and a roster swap of the same enterprise do not interleave.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('roster:' || $1))`, [enterpriseCode]);
      const erased: Array<{ import_id: string; as_of: string; in_force: boolean }> = await m.query(
        `WITH gone AS (
           DELETE FROM roster_rows r USING roster_imports i
           WHERE i.enterprise_code = $1 AND r.import_id = i.id AND r.employee_hash = $2
           RETURNING r.import_id)
         SELECT g.import_id, i.as_of::text AS as_of, (ro.import_id IS NOT NULL) AS in_force
         FROM gone g JOIN roster_imports i ON i.id = g.import_id
         LEFT JOIN rosters ro ON ro.import_id = g.import_id
         ORDER BY i.as_of, i.started_at`,
        [enterpriseCode, hash],
      );
      const at: Array<{ erased_at: Date }> = await m.query(
        `INSERT INTO roster_erasures (id, enterprise_code, rows_erased, import_ids, requested_by_key) VALUES ($1, $2, $3, $4::uuid[], $5)
         RETURNING erased_at`,
        [erasureId, enterpriseCode, erased.length, erased.map((e) => e.import_id), principal.keyId],
      );
      this.log.info(
        { erasureId, enterpriseCode, rowsErased: erased.length, keyId: principal.keyId },
        'roster rows of one worker erased on request',
      );
      return {
        erasureId,
        enterpriseCode,
        rowsErased: erased.length,
        erasedFrom: erased.map((e) => ({ importId: e.import_id, asOf: e.as_of, inForce: e.in_force })),
        countsUnchanged: true,
        erasedAt: at[0].erased_at.toISOString(),
      };
    });
  }
}
