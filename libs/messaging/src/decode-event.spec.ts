import { ReportAcceptedV1, subjectOf } from '@app/contracts';
import { decodeEvent } from './event-consumer';
import { probeReport } from './testing/probe-consumer';

describe('decodeEvent', () => {
  const ns = 'bz';
  const subject = subjectOf(ns, ReportAcceptedV1);

  it('accepts a valid event as it was published', async () => {
    const e = probeReport(3);
    const d = await decodeEvent(ns, subject, JSON.stringify(e));
    expect(d).toMatchObject({ ok: true, envelope: e, contract: ReportAcceptedV1 });
  });

  it('names every wrong payload field, with its path under data', async () => {
    const e = probeReport(3, { installed: -1, asOf: '2020-02-30' });
    const d = await decodeEvent(ns, subject, JSON.stringify(e));
    expect(d.ok).toBe(false);
    if (d.ok) return;
    expect(d.reason).toContain('data.installed must not be less than 0');
    expect(d.reason).toContain('data.asOf must be a real date');
  });

  it('refuses a broken envelope, a subject that contradicts the type, and what is not JSON', async () => {
    const e = probeReport(1);
    const noId = await decodeEvent(ns, subject, JSON.stringify({ ...e, id: 'nope' }));
    expect(noId).toMatchObject({ ok: false, reason: expect.stringContaining('envelope: id must be a UUID') });
    const wrongSubject = await decodeEvent(ns, `${ns}.intake.activity.recorded.v1`, JSON.stringify(e));
    expect(wrongSubject).toMatchObject({ ok: false, reason: expect.stringContaining('does not match type intake.report.accepted v1') });
    expect(await decodeEvent(ns, subject, '{')).toEqual({ ok: false, reason: 'payload is not JSON' });
    const unknownVersion = await decodeEvent(ns, `${ns}.intake.report.accepted.v9`, JSON.stringify({ ...e, version: 9 }));
    expect(unknownVersion).toMatchObject({ ok: false, reason: 'no contract for intake.report.accepted v9' });
  });
});
