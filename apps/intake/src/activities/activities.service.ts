import { ListFilter } from '../common/list-filter';
import { HttpStatus, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ACTIVITY_KINDS, type ActivityKind } from '@app/contracts';
import { dateWindowErrors } from '@app/domain';
import {
  CampaignCalendar,
  IdempotencyStore,
  ProblemException,
  type IdempotentAnswer,
  type IdempotentRequest,
  type Principal,
} from '@app/platform';
import { validatePlain } from '../common/field-errors';
import { inTransaction } from '../common/transaction';
import { UnitDirectory } from '../common/unit-directory.service';
import { activityCounts } from './activity.rules';
import { ActivityStore, type CheckedActivity } from './activity.store';
import type { ActivityPageDto, ActivityReceiptDto, ListActivitiesQueryDto } from './dto/activity-responses.dto';
import { ACTIVITY_DTOS, type CreateActivityDto } from './dto/create-activity.dto';

@Injectable()
export class ActivitiesService {
  constructor(
    private readonly ds: DataSource,
    private readonly units: UnitDirectory,
    private readonly calendar: CampaignCalendar,
    private readonly idempotency: IdempotencyStore,
    private readonly store: ActivityStore,
  ) {}

  /** The body's class depends on its `kind`, so it is validated here rather than by the global pipe (same rules, same error shape). */
  parse(body: unknown): CreateActivityDto {
    const kind = (body as { kind?: unknown } | null)?.kind;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ProblemException(400, 'body must be a JSON object', [{ field: 'body', message: 'body must be a JSON object' }]);
    }
    if (typeof kind !== 'string' || !(ACTIVITY_KINDS as readonly string[]).includes(kind)) {
      const message = `kind must be one of the following values: ${ACTIVITY_KINDS.join(', ')}`;
      throw new ProblemException(400, `invalid request: ${message}`, [{ field: 'kind', message }]);
    }
    const v = validatePlain<CreateActivityDto>(ACTIVITY_DTOS[kind as ActivityKind], body);
    if (!v.ok) throw new ProblemException(400, `invalid request: ${v.errors.map((e) => e.message).join('; ')}`, v.errors);
    return v.value;
  }

  /** The activity a valid body describes (what is stored, and what identifies the request for Idempotency-Key). */
  activityOf(dto: CreateActivityDto): CheckedActivity {
    return {
      orgUnitCode: dto.orgUnitCode,
      kind: dto.kind,
      date: dto.date,
      venueType: dto.kind === 'venue_outreach' ? dto.venueType : '',
      counts: activityCounts(dto.kind, dto as unknown as Record<string, unknown>),
    };
  }

  async record(
    principal: Principal,
    activity: CheckedActivity,
    idempotency: IdempotentRequest | null,
  ): Promise<IdempotentAnswer<ActivityReceiptDto>> {
    // The checks run on the transaction's connection: one wait for the pool per request, not two.
    return inTransaction(this.ds, async (m) => {
      const { scope, campaignStart } = await this.units.forWrite([activity.orgUnitCode], m);
      await scope.assertCanWrite(principal, activity.orgUnitCode);
      const errors = dateWindowErrors('date', activity.date, this.calendar.windowFrom(campaignStart));
      if (errors.length) throw new ProblemException(HttpStatus.UNPROCESSABLE_ENTITY, errors.map((e) => e.message).join('; '), errors);
      return this.idempotency.once(m, idempotency, async () => {
        const o = await this.store.write(m, principal, activity);
        return { status: HttpStatus.ACCEPTED, body: { activityId: o.activityId, revision: o.revision } };
      });
    });
  }

  async list(principal: Principal, q: ListActivitiesQueryDto): Promise<ActivityPageDto> {
    if (q.unit) await this.units.assertCanRead(principal, q.unit);
    const filter = new ListFilter()
      .add((i) => `a.org_unit_code = $${i}`, q.unit)
      .add((i) => `a.kind = $${i}`, q.kind)
      .add((i) => `a.date >= $${i}::date`, q.from)
      .add((i) => `a.date <= $${i}::date`, q.to)
      .readableBy(this.units, principal, 'a.org_unit_code', q.unit);
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const rows: Array<{
      activity_id: string;
      org_unit_code: string;
      kind: ActivityKind;
      date: string;
      venue_type: string;
      revision: number;
      latest: boolean;
      counts: Record<string, number | boolean>;
      submitted_at: Date;
      total: string;
    }> = await this.ds.query(
      `SELECT a.activity_id, a.org_unit_code, a.kind, a.date::text AS date, a.venue_type, a.revision, (h.revision = a.revision) AS latest,
              a.counts, a.submitted_at, count(*) OVER () AS total
       FROM activities a
       JOIN activity_heads h ON h.org_unit_code = a.org_unit_code AND h.kind = a.kind AND h.date = a.date AND h.venue_type = a.venue_type
       ${filter.sql}
       ORDER BY a.date, a.org_unit_code, a.kind, a.venue_type, a.revision
       LIMIT ${limit} OFFSET ${offset}`,
      filter.params,
    );
    return {
      items: rows.map((r) => ({
        activityId: r.activity_id,
        orgUnitCode: r.org_unit_code,
        kind: r.kind,
        date: r.date,
        ...(r.venue_type ? { venueType: r.venue_type as CheckedActivity['venueType'] & string } : {}),
        revision: r.revision,
        latest: r.latest,
        counts: r.counts,
        submittedAt: new Date(r.submitted_at).toISOString(),
      })) as ActivityPageDto['items'],
      total: rows.length ? Number(rows[0].total) : 0,
      limit,
      offset,
    };
  }
}
