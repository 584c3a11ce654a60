import { DataSource } from 'typeorm';
import { intakeService } from '../main';
import { disposeService, EventInjector, http, settle, startService, type RunningService } from '@test/support/service-harness';

describe('intake: POST /v1/activities and GET /v1/activities', () => {
  let svc: RunningService;
  let events: EventInjector;
  let portal: string;
  let analyst: string;
  const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> => svc.app.get(DataSource).query(sql, params);
  const post = (body: unknown, headers?: Record<string, string>, key = portal) =>
    http(svc, 'POST', '/v1/activities', { key, body, headers });
  const base = { orgUnitCode: '29236', date: '2020-08-25' };

  beforeAll(async () => {
    svc = await startService(intakeService);
    await settle(svc);
    events = await EventInjector.open(svc.namespace);
    await events.unit({ code: '842', type: 'district' });
    await events.unit({ code: '29236', type: 'commune', adminParentCode: '842' });
    await events.unit({ code: '29239', type: 'commune', adminParentCode: '842' });
    portal = await events.key('portal', '29236');
    analyst = await events.key('analyst', null);
    await settle(svc);
  }, 60_000);
  afterAll(async () => {
    await events?.close();
    if (svc) await disposeService(svc);
  });

  it('records each kind with its own counts and publishes intake.activity.recorded', async () => {
    const bodies = [
      {
        ...base,
        kind: 'broadcast',
        sessionsAired: 3,
        sessionsWithStartAnnouncement: 3,
        sessionsWithEndAnnouncement: 2,
        supportLocationsAnnounced: true,
      },
      { ...base, kind: 'door_to_door', householdsVisited: 120, householdsReminded: 110 },
      { ...base, kind: 'propaganda_team', teamsFormed: 2, members: 14 },
      { ...base, kind: 'venue_outreach', venueType: 'food_drink', venuesMobilised: 12, customersGuided: 300 },
      { ...base, kind: 'venue_outreach', venueType: 'tourism', venuesMobilised: 2, customersGuided: 40 },
      { ...base, kind: 'hq_visitor_check', visitors: 50, alreadyInstalled: 30, installedOnSite: 15, turnedAway: 5 },
      { ...base, kind: 'family_help', installsHelped: 7 },
    ];
    for (const b of bodies) {
      const res = await post(b);
      expect([res.status, res.body]).toEqual([202, { activityId: expect.any(String), revision: 1 }]);
    }
    const rows = await q<{ envelope: { type: string; data: Record<string, unknown> } }>(`SELECT envelope FROM outbox ORDER BY seq`);
    expect(rows.map((r) => r.envelope.type)).toEqual(Array(7).fill('intake.activity.recorded'));
    expect(rows[0].envelope.data).toMatchObject({ kind: 'broadcast', sessionsAired: 3, supportLocationsAnnounced: true, revision: 1 });
    expect(rows[0].envelope.data).not.toHaveProperty('householdsVisited');
    expect(rows[3].envelope.data).toMatchObject({ kind: 'venue_outreach', venueType: 'food_drink', venuesMobilised: 12 });
  });

  it('refuses counts that contradict each other, naming the field (400)', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        {
          ...base,
          kind: 'broadcast',
          sessionsAired: 2,
          sessionsWithStartAnnouncement: 3,
          sessionsWithEndAnnouncement: 1,
          supportLocationsAnnounced: false,
        },
        'sessionsWithStartAnnouncement',
      ],
      [
        {
          ...base,
          kind: 'broadcast',
          sessionsAired: 2,
          sessionsWithStartAnnouncement: 2,
          sessionsWithEndAnnouncement: 5,
          supportLocationsAnnounced: false,
        },
        'sessionsWithEndAnnouncement',
      ],
      [{ ...base, kind: 'door_to_door', householdsVisited: 10, householdsReminded: 11 }, 'householdsReminded'],
      [{ ...base, kind: 'propaganda_team', teamsFormed: 3, members: 2 }, 'teamsFormed'],
      [{ ...base, kind: 'hq_visitor_check', visitors: 10, alreadyInstalled: 5, installedOnSite: 5, turnedAway: 1 }, 'visitors'],
      [{ ...base, kind: 'venue_outreach', venueType: 'karaoke', venuesMobilised: 1, customersGuided: 1 }, 'venueType'],
      [{ ...base, kind: 'family_help', installsHelped: -1 }, 'installsHelped'],
      [{ ...base, kind: 'family_help', installsHelped: 2 ** 31 }, 'installsHelped'],
      [
        {
          ...base,
          kind: 'broadcast',
          sessionsAired: 1,
          sessionsWithStartAnnouncement: 1,
          sessionsWithEndAnnouncement: 1,
          supportLocationsAnnounced: 'yes',
        },
        'supportLocationsAnnounced',
      ],
      [{ ...base, kind: 'dancing', installsHelped: 1 }, 'kind'],
      [{ ...base, date: '2020-02-30', kind: 'family_help', installsHelped: 1 }, 'date'],
    ];
    for (const [body, field] of cases) {
      const res = await post(body);
      expect([res.status, res.body.errors.map((e: { field: string }) => e.field)]).toEqual([400, expect.arrayContaining([field])]);
    }
  });

  it('refuses fields that belong to another kind (400)', async () => {
    const res = await post({ ...base, kind: 'door_to_door', householdsVisited: 10, householdsReminded: 5, installsHelped: 3 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'installsHelped', message: expect.stringContaining('should not exist') }]);
  });

  it('applies the same idempotency, revision, date and scope rules as reports', async () => {
    const b = { ...base, date: '2020-08-26', kind: 'door_to_door', householdsVisited: 10, householdsReminded: 5 };
    const first = await post(b, { 'idempotency-key': 'a1' });
    const again = await post(b, { 'idempotency-key': 'a1' });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await post({ ...b, householdsReminded: 6 }, { 'idempotency-key': 'a1' })).status).toBe(422);
    const same = await post(b);
    expect(same.body).toEqual(first.body);
    const fix = await post({ ...b, householdsReminded: 6 });
    expect(fix.body.revision).toBe(2);
    expect((await post({ ...b, orgUnitCode: '29239' })).status).toBe(403);
    expect((await post(b, undefined, analyst)).status).toBe(403);
    expect((await post({ ...b, orgUnitCode: 'NOPE' })).status).toBe(404);
    const future = await post({ ...b, date: '2999-01-01' });
    expect([future.status, future.body.errors[0].field]).toEqual([422, 'date']);
    const concurrent = await Promise.all(Array.from({ length: 8 }, () => post({ ...b, date: '2020-08-27' })));
    expect(new Set(concurrent.map((r) => `${r.status}/${r.body.activityId}`)).size).toBe(1);

    const list = await http(svc, 'GET', '/v1/activities?unit=29236&kind=door_to_door&from=2020-08-26&to=2020-08-26', { key: analyst });
    expect(list.status).toBe(200);
    expect(
      list.body.items.map((a: { revision: number; latest: boolean; counts: { householdsReminded: number } }) => [
        a.revision,
        a.latest,
        a.counts.householdsReminded,
      ]),
    ).toEqual([
      [1, false, 5],
      [2, true, 6],
    ]);
    const venues = await http(svc, 'GET', '/v1/activities?kind=venue_outreach', { key: portal });
    expect(venues.body.items.map((a: { venueType: string }) => a.venueType).sort()).toEqual(['food_drink', 'tourism']);
  });
});
