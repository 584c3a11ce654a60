import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@app/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { TransportCheckedV1 } from '@app/contracts';
import { EventOutbox, IdempotencyStore, ProblemException, type IdempotentAnswer, type IdempotentRequest } from '@app/platform';
import { canonicalCheck, transportCountErrors, type TransportCounts } from './domain/transport-check.rules';
import type { TransportCheckResultDto, TransportCheckRowDto } from './dto/transport-check.dto';

interface CheckRow {
  id: string;
  hub_code: string;
  date: string;
  revision: number;
  passengers_checked: number;
  already_installed: number;
  installed_on_site: number;
  refused: number;
  submitted_at: Date;
  request_hash: string;
  superseded?: boolean;
}

const COLUMNS = `id, hub_code, date::text AS date, revision, passengers_checked, already_installed, installed_on_site, refused, submitted_at, request_hash`;

/**
 * Passenger checks at bus stations and ferry terminals, one figure per (hub, date) with revisions:
 * a correction is a new revision; the same submission again (identical to the latest revision, or the
 * same Idempotency-Key, answered by the platform's IdempotencyStore) changes nothing and publishes nothing.
 */
@Injectable()
export class TransportService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly idempotency: IdempotencyStore,
  ) {}

  async record(
    keyId: string,
    hubCode: string,
    date: string,
    counts: TransportCounts,
    idempotency: IdempotentRequest | null,
  ): Promise<IdempotentAnswer<TransportCheckResultDto>> {
    const errors = transportCountErrors(counts);
    if (errors.length) throw new ProblemException(422, errors[0].message, errors);
    const requestHash = createHash('sha256')
      .update(canonicalCheck(hubCode, date, counts))
      .digest('hex');
    return this.ds.transaction((m) =>
      this.idempotency.once(m, idempotency, async () => {
        await m.query(`SELECT pg_advisory_xact_lock(hashtext('transport:' || $1 || ':' || $2))`, [hubCode, date]);
        const latest: CheckRow[] = await m.query(
          `SELECT ${COLUMNS} FROM transport_checks WHERE hub_code = $1 AND date = $2 ORDER BY revision DESC LIMIT 1`,
          [hubCode, date],
        );
        if (latest[0] && latest[0].request_hash === requestHash) return { status: 202, body: present(latest[0]) };
        return { status: 202, body: await this.insert(m, keyId, hubCode, date, counts, requestHash, (latest[0]?.revision ?? 0) + 1) };
      }),
    );
  }

  private async insert(
    m: EntityManager,
    keyId: string,
    hubCode: string,
    date: string,
    c: TransportCounts,
    requestHash: string,
    revision: number,
  ): Promise<TransportCheckResultDto> {
    const rows: CheckRow[] = await m.query(
      `INSERT INTO transport_checks (id, hub_code, date, revision, passengers_checked, already_installed, installed_on_site, refused, submitted_by_key, request_hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING ${COLUMNS}`,
      [uuidv7(), hubCode, date, revision, c.passengersChecked, c.alreadyInstalled, c.installedOnSite, c.refused, keyId, requestHash],
    );
    await this.outbox.record(m, TransportCheckedV1, hubCode, { hubCode, date, revision, ...c });
    return present(rows[0]);
  }

  /** Every revision in the range, oldest date first; `superseded` marks the ones a later revision replaced. */
  async list(hubCode: string, from: string | undefined, to: string | undefined): Promise<TransportCheckRowDto[]> {
    const rows: CheckRow[] = await this.ds.query(
      `SELECT ${COLUMNS}, revision < max(revision) OVER (PARTITION BY date) AS superseded
       FROM transport_checks WHERE hub_code = $1 AND ($2::date IS NULL OR date >= $2::date) AND ($3::date IS NULL OR date <= $3::date)
       ORDER BY date, revision`,
      [hubCode, from ?? null, to ?? null],
    );
    return rows.map((r) => ({ ...present(r), superseded: r.superseded === true }));
  }
}

function present(r: CheckRow): TransportCheckResultDto {
  return {
    checkId: r.id,
    hubCode: r.hub_code,
    date: r.date,
    revision: r.revision,
    passengersChecked: r.passengers_checked,
    alreadyInstalled: r.already_installed,
    installedOnSite: r.installed_on_site,
    refused: r.refused,
    submittedAt: r.submitted_at.toISOString(),
  };
}
