import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { SupportPointClosedV1, SupportPointOpenedV1 } from '@app/contracts';
import { dateWindowErrors } from '@app/domain';
import { CampaignCalendar, EventOutbox, ProblemException, type Principal } from '@app/platform';
import { SupportScopeService } from '../common/support-scope.service';
import { ReplicaUnitsService } from '../units/replica-units.service';
import { currentPeriod, decideClose, decideReopen, type Decision } from './domain/point-periods';
import { decideUpsert } from './domain/point-upsert';
import type { ListPointsQuery } from './dto/list-points.query';
import type { UpsertPointDto } from './dto/upsert-point.dto';
import { SupportPointStore, toView, type PointView, type SessionView, type StoredPoint } from './support-point.store';

/** Unit types that may run a support point (directive, solution 4). */
export const OPERATOR_TYPES: readonly string[] = ['telecom', 'post_office'];

export interface UpsertResult {
  created: boolean;
  changed: boolean;
  point: PointView;
}

function unwrap<T>(d: Decision<T>): T {
  if (!d.ok) throw new ProblemException(d.status, d.detail, d.errors);
  return d.value;
}

@Injectable()
export class SupportPointsService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
    private readonly repo: SupportPointStore,
    private readonly units: ReplicaUnitsService,
    private readonly scope: SupportScopeService,
    private readonly calendar: CampaignCalendar,
  ) {}

  /**
   * The operator and the commune must be known to the registry replica, active, and of the right type; every
   * fault is listed, with the caller's (e.g. a date off the campaign calendar).
   */
  async assertValidPlacement(
    operatorCode: string,
    communeCode: string,
    faults: ReadonlyArray<{ field: string; message: string }> = [],
  ): Promise<void> {
    const found = await this.units.findMany([operatorCode, communeCode]);
    const errors: Array<{ field: string; message: string }> = [...faults];
    const op = found.get(operatorCode);
    if (!op) errors.push({ field: 'operator', message: `operator ${operatorCode} is not a registered unit` });
    else if (!OPERATOR_TYPES.includes(op.type))
      errors.push({ field: 'operator', message: `operator ${operatorCode} is a ${op.type}, not a telecom or the post office` });
    else if (!op.active) errors.push({ field: 'operator', message: `operator ${operatorCode} is retired` });
    const commune = found.get(communeCode);
    if (!commune) errors.push({ field: 'communeCode', message: `communeCode ${communeCode} is not a registered unit` });
    else if (commune.type !== 'commune')
      errors.push({ field: 'communeCode', message: `communeCode ${communeCode} is a ${commune.type}, not a commune` });
    else if (!commune.active) errors.push({ field: 'communeCode', message: `communeCode ${communeCode} is retired` });
    if (errors.length) throw new ProblemException(422, errors.map((e) => e.message).join('; '), errors);
  }

  async upsert(principal: Principal, id: string, dto: UpsertPointDto): Promise<UpsertResult> {
    await this.assertValidPlacement(
      dto.operator,
      dto.communeCode,
      dateWindowErrors('openedOn', dto.openedOn, await this.calendar.window()),
    );
    await this.scope.assertCanManage(principal, dto.operator);
    const wanted = {
      operatorCode: dto.operator,
      communeCode: dto.communeCode,
      address: dto.address,
      hours: dto.hours ?? null,
      openedOn: dto.openedOn,
    };
    return this.ds.transaction(async (m) => {
      await this.repo.lockPoint(m, id);
      const existing = await this.repo.find(m, id);
      // Moving a point away from an operator is a change to that operator's point too.
      if (existing && existing.operatorCode !== wanted.operatorCode) await this.scope.assertCanManage(principal, existing.operatorCode);
      const bounds = existing ? await this.repo.sessionDateBounds(m, id) : { earliest: null, latest: null };
      const outcome = unwrap(decideUpsert(existing, wanted, bounds.earliest));
      if (outcome.kind === 'unchanged') return { created: false, changed: false, point: toView(existing!) };
      const next: StoredPoint = {
        id,
        operatorCode: wanted.operatorCode,
        communeCode: wanted.communeCode,
        address: wanted.address,
        hours: wanted.hours,
        revision: (existing?.revision ?? 0) + 1,
        periods: outcome.periods,
      };
      if (outcome.kind === 'created') await this.repo.insert(m, next);
      else await this.repo.update(m, next);
      await this.recordOpened(m, next, currentPeriod(next.periods)!.openedOn);
      return { created: outcome.kind === 'created', changed: true, point: toView(next) };
    });
  }

  async close(principal: Principal, id: string, date: string): Promise<PointView> {
    return this.ds.transaction(async (m) => {
      const existing = await this.lockAndFind(m, principal, id);
      await this.calendar.assertWithin({ date }, m);
      const bounds = await this.repo.sessionDateBounds(m, id);
      const periods = unwrap(decideClose(existing.periods, date, bounds.latest));
      const next: StoredPoint = { ...existing, periods, revision: existing.revision + 1 };
      await this.repo.update(m, next);
      await this.outbox.record(m, SupportPointClosedV1, next.communeCode, {
        pointId: id,
        operatorCode: next.operatorCode,
        communeCode: next.communeCode,
        closedOn: date,
        revision: next.revision,
      });
      return toView(next);
    });
  }

  async reopen(principal: Principal, id: string, date: string): Promise<PointView> {
    return this.ds.transaction(async (m) => {
      const existing = await this.lockAndFind(m, principal, id);
      await this.calendar.assertWithin({ date }, m);
      const periods = unwrap(decideReopen(existing.periods, date));
      // The registry may have retired the commune or the operator while the point was closed.
      await this.assertValidPlacement(existing.operatorCode, existing.communeCode);
      const next: StoredPoint = { ...existing, periods, revision: existing.revision + 1 };
      await this.repo.update(m, next);
      await this.recordOpened(m, next, date);
      return toView(next);
    });
  }

  async get(principal: Principal, id: string): Promise<PointView & { sessions: SessionView[] }> {
    const m = this.ds.manager;
    const point = await this.repo.find(m, id);
    if (!point) throw notFound(id);
    await this.scope.assertCanReadUnit(principal, point.communeCode, 'id');
    return { ...toView(point), sessions: await this.repo.latestSessions(m, id) };
  }

  async list(principal: Principal, q: ListPointsQuery): Promise<{ items: PointView[]; total: number; limit: number; offset: number }> {
    const root = this.scope.readRoot(principal);
    const limit = q.limit ?? 100;
    const offset = q.offset ?? 0;
    const { items, total } = await this.repo.list(this.ds.manager, {
      commune: q.commune,
      district: q.district,
      operator: q.operator,
      openOn: q.openOn,
      withinUnit: root ?? undefined,
      limit,
      offset,
    });
    return { items, total, limit, offset };
  }

  /** Locks the point for the transaction, then checks it exists and the key manages it. */
  async lockAndFind(m: EntityManager, principal: Principal, id: string): Promise<StoredPoint> {
    await this.repo.lockPoint(m, id);
    const existing = await this.repo.find(m, id);
    if (!existing) throw notFound(id);
    await this.scope.assertCanManage(principal, existing.operatorCode);
    return existing;
  }

  private async recordOpened(m: EntityManager, p: StoredPoint, openedOn: string): Promise<void> {
    await this.outbox.record(m, SupportPointOpenedV1, p.communeCode, {
      pointId: p.id,
      operatorCode: p.operatorCode,
      communeCode: p.communeCode,
      address: p.address,
      openedOn,
      hours: p.hours,
      revision: p.revision,
    });
  }
}

export function notFound(id: string): ProblemException {
  return new ProblemException(404, `no support point ${id}`, [{ field: 'id', message: `support point ${id} does not exist` }]);
}
