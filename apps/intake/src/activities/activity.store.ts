import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { uuidv7 } from '@app/persistence';
import { ActivityRecordedV1, type ActivityKind, type ActivityRecordedV1Data, type VenueType } from '@app/contracts';
import { EventOutbox, type Principal } from '@app/platform';
import { sameActivityCounts } from './activity.rules';

export interface CheckedActivity {
  readonly orgUnitCode: string;
  readonly kind: ActivityKind;
  readonly date: string;
  /** Part of the key for venue outreach (one figure per venue type and day); '' for the other kinds. */
  readonly venueType: VenueType | '';
  readonly counts: Record<string, number | boolean>;
}

export type ActivityOutcome = { status: 'accepted' | 'unchanged'; activityId: string; revision: number };

/**
 * Same scheme as reports: the head row of (unit, kind, date, venueType) is created if missing and locked,
 * so concurrent submissions queue; an identical body is "unchanged", another is the next revision.
 */
@Injectable()
export class ActivityStore {
  constructor(private readonly outbox: EventOutbox) {}

  async write(m: EntityManager, principal: Principal, a: CheckedActivity): Promise<ActivityOutcome> {
    const key = [a.orgUnitCode, a.kind, a.date, a.venueType];
    await m.query(`INSERT INTO activity_heads (org_unit_code, kind, date, venue_type) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, key);
    const heads: Array<{ revision: number; activity_id: string | null; counts: Record<string, unknown> | null }> = await m.query(
      `SELECT revision, activity_id, counts FROM activity_heads WHERE org_unit_code = $1 AND kind = $2 AND date = $3 AND venue_type = $4 FOR UPDATE`,
      key,
    );
    const head = heads[0];
    if (head.revision > 0 && head.activity_id && head.counts && sameActivityCounts(head.counts, a.counts)) {
      return { status: 'unchanged', activityId: head.activity_id, revision: head.revision };
    }
    const activityId = uuidv7();
    const revision = head.revision + 1;
    const submittedAt = new Date().toISOString();
    const counts = JSON.stringify(a.counts);
    await m.query(
      `INSERT INTO activities (activity_id, org_unit_code, kind, date, venue_type, revision, counts, submitted_at, submitted_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
      [activityId, ...key, revision, counts, submittedAt, principal.keyId],
    );
    await m.query(
      `UPDATE activity_heads SET revision = $5, activity_id = $6, counts = $7::jsonb
       WHERE org_unit_code = $1 AND kind = $2 AND date = $3 AND venue_type = $4`,
      [...key, revision, activityId, counts],
    );
    const data: ActivityRecordedV1Data = {
      activityId,
      orgUnitCode: a.orgUnitCode,
      kind: a.kind,
      date: a.date,
      revision,
      submittedAt,
      ...(a.venueType ? { venueType: a.venueType } : {}),
      ...a.counts,
    };
    await this.outbox.record(m, ActivityRecordedV1, a.orgUnitCode, data);
    return { status: 'accepted', activityId, revision };
  }
}
