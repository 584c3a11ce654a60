import { ACTIVITY_KINDS } from '@app/contracts';
import { countRuleErrors } from '../common/count.rules';
import { validatePlain } from '../common/field-errors';
import { ACTIVITY_COUNT_RULES, ACTIVITY_FIELDS, activityCounts, sameActivityCounts } from './activity.rules';
import { ACTIVITY_DTOS } from './dto/create-activity.dto';

const fields = (body: Record<string, unknown>, kind: keyof typeof ACTIVITY_COUNT_RULES) =>
  countRuleErrors(body, ACTIVITY_COUNT_RULES[kind]).map((e) => e.field);

describe('activity rules', () => {
  it('broadcast: sessions with a start or end announcement are at most the sessions aired', () => {
    expect(fields({ sessionsAired: 3, sessionsWithStartAnnouncement: 3, sessionsWithEndAnnouncement: 3 }, 'broadcast')).toEqual([]);
    expect(fields({ sessionsAired: 3, sessionsWithStartAnnouncement: 4, sessionsWithEndAnnouncement: 5 }, 'broadcast')).toEqual([
      'sessionsWithStartAnnouncement',
      'sessionsWithEndAnnouncement',
    ]);
  });

  it('door to door: households reminded are at most households visited', () => {
    expect(fields({ householdsVisited: 5, householdsReminded: 5 }, 'door_to_door')).toEqual([]);
    expect(fields({ householdsVisited: 5, householdsReminded: 6 }, 'door_to_door')).toEqual(['householdsReminded']);
  });

  it('propaganda team: a team has at least one member', () => {
    expect(fields({ teamsFormed: 2, members: 2 }, 'propaganda_team')).toEqual([]);
    expect(fields({ teamsFormed: 3, members: 2 }, 'propaganda_team')).toEqual(['teamsFormed']);
  });

  it('hq visitor check: already installed + installed on site + turned away ≤ visitors', () => {
    expect(fields({ visitors: 10, alreadyInstalled: 5, installedOnSite: 3, turnedAway: 2 }, 'hq_visitor_check')).toEqual([]);
    const errors = countRuleErrors(
      { visitors: 10, alreadyInstalled: 5, installedOnSite: 3, turnedAway: 3 },
      ACTIVITY_COUNT_RULES.hq_visitor_check,
    );
    expect(errors).toEqual([
      { field: 'visitors', message: 'visitors: alreadyInstalled + installedOnSite + turnedAway (11) must not exceed visitors (10)' },
    ]);
  });

  it('keeps only the counts of the kind (venueType is part of the key, not a count)', () => {
    expect(activityCounts('venue_outreach', { venueType: 'tourism', venuesMobilised: 1, customersGuided: 2, orgUnitCode: 'x' })).toEqual({
      venuesMobilised: 1,
      customersGuided: 2,
    });
    expect(sameActivityCounts({ a: 1, b: true }, { b: true, a: 1 })).toBe(true);
    expect(sameActivityCounts({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });

  it('each kind DTO accepts its own fields and refuses the fields of every other kind', () => {
    const sample: Record<string, unknown> = {
      sessionsAired: 1,
      sessionsWithStartAnnouncement: 1,
      sessionsWithEndAnnouncement: 1,
      supportLocationsAnnounced: true,
      householdsVisited: 1,
      householdsReminded: 1,
      teamsFormed: 1,
      members: 1,
      venueType: 'food_drink',
      venuesMobilised: 1,
      customersGuided: 1,
      visitors: 3,
      alreadyInstalled: 1,
      installedOnSite: 1,
      turnedAway: 1,
      installsHelped: 1,
    };
    for (const kind of ACTIVITY_KINDS) {
      const own = Object.fromEntries(ACTIVITY_FIELDS[kind].map((f) => [f, sample[f]]));
      const body = { orgUnitCode: '29236', kind, date: '2020-08-25', ...own };
      expect(validatePlain<object>(ACTIVITY_DTOS[kind], body)).toMatchObject({ ok: true });
      const foreign = Object.keys(sample).find((f) => !ACTIVITY_FIELDS[kind].includes(f))!;
      const refused = validatePlain<object>(ACTIVITY_DTOS[kind], { ...body, [foreign]: sample[foreign] });
      expect(refused).toEqual({ ok: false, errors: [{ field: foreign, message: expect.stringContaining('should not exist') }] });
    }
  });
});
