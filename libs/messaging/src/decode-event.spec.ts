import {
  ApiKeyIssuedV1,
  FiguresUpdatedV1,
  unbundle,
  OrgUnitUpsertedV1,
  OrgUnitUpsertedV2,
  ReportAcceptedV1,
  subjectOf,
  TargetSetV1,
  TargetSetV2,
} from '@app/contracts';
import { makeEvent } from '@app/persistence';
import { RESIDENTS_50 } from '@test/support/domain-fixtures';
import { decodeEvent } from './decode-event';
import { probeReport } from '@test/support/messaging/probe-consumer';

describe('decodeEvent', () => {
  const ns = 'bz';
  const subject = subjectOf(ns, ReportAcceptedV1);

  it('accepts a valid event as it was published', () => {
    const e = probeReport(3);
    const d = decodeEvent(ns, subject, JSON.stringify(e));
    expect(d).toMatchObject({ ok: true, envelope: e, contract: ReportAcceptedV1 });
  });

  it('names every wrong payload field, with its path under data', () => {
    const e = probeReport(3, { installed: -1, asOf: '2020-02-30' });
    const d = decodeEvent(ns, subject, JSON.stringify(e));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.reason).toContain('data.installed must not be less than 0');
    expect(d.reason).toContain('data.asOf must be a real date');
  });

  it('refuses a broken envelope, a subject that contradicts the type, and what is not JSON', () => {
    const e = probeReport(1);
    const noId = decodeEvent(ns, subject, JSON.stringify({ ...e, id: 'nope' }));
    expect(noId).toMatchObject({ ok: false, reason: expect.stringContaining('envelope: id must be a UUID') });
    const wrongSubject = decodeEvent(ns, `${ns}.intake.activity.recorded.v1`, JSON.stringify(e));
    expect(wrongSubject).toMatchObject({ ok: false, reason: expect.stringContaining('does not match type intake.report.accepted v1') });
    expect(decodeEvent(ns, subject, '{')).toEqual({ ok: false, reason: 'payload is not JSON' });
    const unknownVersion = decodeEvent(ns, `${ns}.intake.report.accepted.v9`, JSON.stringify({ ...e, version: 9 }));
    expect(unknownVersion).toMatchObject({ ok: false, reason: 'no contract for intake.report.accepted v9' });
  });

  it("accepts a bundle of figures item by item, and refuses it whole, naming the item's field, when one item breaks its contract", () => {
    const subj = subjectOf(ns, FiguresUpdatedV1);
    const figure = (code: string, installed: number) => ({
      orgUnitCode: code,
      cohort: 'residents',
      tree: 'administrative',
      date: '2020-08-20',
      headcount: 100,
      smartphoneHolders: 80,
      installed,
      bluetoothOn: 30,
      population: null,
      reportingUnits: 1,
      expectedUnits: 1,
    });
    const good = makeEvent(FiguresUpdatedV1, 'rates', 'X1', { figures: [figure('X1', 40), figure('X2', 50)] } as never);
    const d = decodeEvent(ns, subj, JSON.stringify(good));
    expect(d).toMatchObject({ ok: true, contract: FiguresUpdatedV1 });
    if (!d.ok) return;
    // Its items, as the events of their own they stand for: the bundle's id, time and source.
    expect(unbundle(d.envelope)).toEqual([
      { ...good, type: 'rates.figure.updated', version: 1, data: figure('X1', 40) },
      { ...good, type: 'rates.figure.updated', version: 1, data: figure('X2', 50) },
    ]);
    const bad = makeEvent(FiguresUpdatedV1, 'rates', 'X1', { figures: [figure('X1', 40), figure('X2', -1)] } as never);
    expect(decodeEvent(ns, subj, JSON.stringify(bad))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('data.figures.1.installed must not be less than 0'),
    });
    const empty = makeEvent(FiguresUpdatedV1, 'rates', 'X1', { figures: [] } as never);
    expect(decodeEvent(ns, subj, JSON.stringify(empty))).toMatchObject({ ok: false, reason: expect.stringContaining('data.figures') });
    // Only rates publishes them.
    const forged = { ...good, source: 'intake' };
    expect(decodeEvent(ns, subj, JSON.stringify(forged))).toMatchObject({ ok: false, kind: 'producer' });
  });

  const unit = {
    code: 'X1',
    name: 'Xã Một',
    type: 'commune' as const,
    bloc: null,
    adminParentCode: 'D1',
    accountableToCode: 'D1',
    head: { name: 'Nguyễn Văn A', title: 'Chủ tịch', phone: '+84912345678', email: 'a@travinh.gov.vn' },
    level: 3,
    active: true,
    revision: 2,
  };

  it('validates nested objects of a payload (a unit head) and keeps the payload as published', () => {
    const subj = subjectOf(ns, OrgUnitUpsertedV2);
    const good = makeEvent(OrgUnitUpsertedV2, 'registry', 'X1', unit as never);
    expect(decodeEvent(ns, subj, JSON.stringify(good))).toMatchObject({ ok: true, envelope: good });
    const bad = makeEvent(OrgUnitUpsertedV2, 'registry', 'X1', { ...unit, head: { ...unit.head, name: 42, phone: '12345' } } as never);
    const d = decodeEvent(ns, subj, JSON.stringify(bad));
    expect(d).toMatchObject({ ok: false, reason: expect.stringContaining('data.head.name must be a string') });
    expect(d).toMatchObject({ ok: false, reason: expect.stringContaining('data.head.phone must be a Vietnamese telephone number') });
  });

  it('upcasts a v1 event to the newest version: a v1 head has no contacts, a v1 target one name for both languages', () => {
    const { phone: _p, email: _e, ...v1Head } = unit.head;
    const v1 = makeEvent(OrgUnitUpsertedV1, 'registry', 'X1', { ...unit, head: v1Head });
    expect(decodeEvent(ns, subjectOf(ns, OrgUnitUpsertedV1), JSON.stringify(v1))).toMatchObject({
      ok: true,
      contract: OrgUnitUpsertedV2,
      envelope: { version: 2, data: { head: { ...v1Head, phone: null, email: null } } },
    });
    const target = makeEvent(TargetSetV1, 'registry', 'residents-50', { ...RESIDENTS_50, name: 'Residents' });
    expect(decodeEvent(ns, subjectOf(ns, TargetSetV1), JSON.stringify(target))).toMatchObject({
      ok: true,
      contract: TargetSetV2,
      envelope: { version: 2, data: { nameVi: 'Residents', nameEn: 'Residents', threshold: 0.5 } },
    });
  });

  it('refuses an event whose source is not the producer of its type (bus-topology.json), as a producer failure', () => {
    const forged = { ...probeReport(2), source: 'registry' };
    expect(decodeEvent(ns, subject, JSON.stringify(forged))).toEqual({
      ok: false,
      kind: 'producer',
      reason: 'source registry does not publish intake.report.accepted events (only intake does)',
    });
    const key = makeEvent(ApiKeyIssuedV1, 'intake', 'k1', {
      keyId: 'k1',
      keyHash: 'a'.repeat(64),
      role: 'admin',
      orgUnitCode: null,
      issuedAt: '2020-08-21T00:00:00.000Z',
    });
    expect(decodeEvent(ns, subjectOf(ns, ApiKeyIssuedV1), JSON.stringify(key))).toMatchObject({ ok: false, kind: 'producer' });
  });

  it('refuses JSON that is not an object', () => {
    for (const raw of ['null', '[]', '42', '"text"']) {
      expect(decodeEvent(ns, subject, raw)).toEqual({ ok: false, reason: 'payload is not a JSON object' });
    }
  });

  it('refuses a __proto__ key, in the envelope or the payload (it would swap the class and skip validation)', () => {
    const e = probeReport(2);
    const inEnvelope = JSON.stringify(e).replace('{', '{"__proto__":{"x":1},');
    expect(decodeEvent(ns, subject, inEnvelope)).toMatchObject({ ok: false, reason: expect.stringContaining('__proto__') });
    const inData = JSON.stringify(e).replace('"data":{', '"data":{"__proto__":{"x":1},');
    expect(decodeEvent(ns, subject, inData)).toMatchObject({ ok: false, reason: expect.stringContaining('__proto__') });
  });
});
