import type { ActivityKind } from '@app/contracts';
import type { CountRule } from '../common/count.rules';

/** The counts each kind of activity carries (docs/api.md, intake). Anything else in the body is refused. */
export const ACTIVITY_FIELDS: Readonly<Record<ActivityKind, readonly string[]>> = {
  broadcast: ['sessionsAired', 'sessionsWithStartAnnouncement', 'sessionsWithEndAnnouncement', 'supportLocationsAnnounced'],
  door_to_door: ['householdsVisited', 'householdsReminded'],
  propaganda_team: ['teamsFormed', 'members'],
  venue_outreach: ['venueType', 'venuesMobilised', 'customersGuided'],
  hq_visitor_check: ['visitors', 'alreadyInstalled', 'installedOnSite', 'turnedAway'],
  family_help: ['installsHelped'],
};

/**
 * Consistency of the counts of one activity:
 * - a broadcast session carries an announcement at most once at its start and once at its end;
 * - a household reminded was visited;
 * - a team has at least one member;
 * - a visitor at the headquarters is either already installed, installed on site or turned away (or none, when not checked).
 */
export const ACTIVITY_COUNT_RULES: Readonly<Record<ActivityKind, readonly CountRule[]>> = {
  broadcast: [
    { field: 'sessionsWithStartAnnouncement', parts: ['sessionsWithStartAnnouncement'], limit: 'sessionsAired' },
    { field: 'sessionsWithEndAnnouncement', parts: ['sessionsWithEndAnnouncement'], limit: 'sessionsAired' },
  ],
  door_to_door: [{ field: 'householdsReminded', parts: ['householdsReminded'], limit: 'householdsVisited' }],
  propaganda_team: [{ field: 'teamsFormed', parts: ['teamsFormed'], limit: 'members' }],
  venue_outreach: [],
  hq_visitor_check: [{ field: 'visitors', parts: ['alreadyInstalled', 'installedOnSite', 'turnedAway'], limit: 'visitors' }],
  family_help: [],
};

/** The counts of an activity as stored and compared (only its kind's fields, venueType kept apart as part of the key). */
export function activityCounts(kind: ActivityKind, body: Readonly<Record<string, unknown>>): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const f of ACTIVITY_FIELDS[kind]) if (f !== 'venueType') out[f] = body[f] as number | boolean;
  return out;
}

export function sameActivityCounts(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
