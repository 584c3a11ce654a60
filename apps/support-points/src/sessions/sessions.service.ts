import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SupportSessionLoggedV1 } from '@app/contracts';
import {
  CampaignCalendar,
  EventOutbox,
  IdempotencyStore,
  ProblemException,
  type Answer,
  type IdempotentAnswer,
  type IdempotentRequest,
  type Principal,
} from '@app/platform';
import { SupportPointsService } from '../points/support-points.service';
import { decideSession, sessionCountErrors, sessionDateErrors, type SessionCounts } from './domain/session.rules';
import type { LogSessionDto } from './dto/log-session.dto';

export interface SessionAnswer {
  pointId: string;
  date: string;
  revision: number;
  assisted: number;
  installed: number;
  bluetoothEnabled: number;
  /** false when the same figures were already the latest for this day: nothing new stored or published. */
  changed: boolean;
}

@Injectable()
export class SessionsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly points: SupportPointsService,
    private readonly idempotency: IdempotencyStore,
    private readonly calendar: CampaignCalendar,
  ) {}

  /** `idempotency` names the request { pointId, ...dto } (see the controller). */
  async log(
    principal: Principal,
    pointId: string,
    dto: LogSessionDto,
    idempotency: IdempotentRequest | null,
  ): Promise<IdempotentAnswer<SessionAnswer>> {
    const counts: SessionCounts = { assisted: dto.assisted, installed: dto.installed, bluetoothEnabled: dto.bluetoothEnabled };
    const countErrors = sessionCountErrors(counts);
    if (countErrors.length) throw new ProblemException(422, countErrors.map((e) => e.message).join('; '), countErrors);
    return this.ds.transaction((m) => this.idempotency.once(m, idempotency, () => this.apply(m, principal, pointId, dto.date, counts)));
  }

  private async apply(
    m: EntityManager,
    principal: Principal,
    pointId: string,
    date: string,
    counts: SessionCounts,
  ): Promise<Answer<SessionAnswer>> {
    const point = await this.points.lockAndFind(m, principal, pointId);
    const dateErrors = sessionDateErrors(point.periods, date, await this.calendar.window(m));
    if (dateErrors.length) throw new ProblemException(422, dateErrors.map((e) => e.message).join('; '), dateErrors);
    const rows: Array<SessionCounts & { revision: number }> = await m.query(
      `SELECT revision, assisted, installed, bluetooth_enabled AS "bluetoothEnabled" FROM support_sessions
       WHERE point_id = $1 AND date = $2::date ORDER BY revision DESC LIMIT 1`,
      [pointId, date],
    );
    const decision = decideSession(rows[0] ?? null, counts);
    const body: SessionAnswer = { pointId, date, revision: decision.revision, ...counts, changed: decision.kind === 'logged' };
    if (decision.kind === 'unchanged') return { status: 200, body };
    await m.query(
      `INSERT INTO support_sessions (point_id, date, revision, assisted, installed, bluetooth_enabled, operator_code, commune_code, key_id)
       VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9)`,
      [
        pointId,
        date,
        decision.revision,
        counts.assisted,
        counts.installed,
        counts.bluetoothEnabled,
        point.operatorCode,
        point.communeCode,
        principal.keyId,
      ],
    );
    await this.outbox.record(m, SupportSessionLoggedV1, point.communeCode, {
      pointId,
      operatorCode: point.operatorCode,
      communeCode: point.communeCode,
      date,
      revision: decision.revision,
      ...counts,
    });
    return { status: 201, body };
  }
}
