import { COHORTS, COHORTS_BY_UNIT_TYPE, UNIT_TYPES, treeOfCohort } from '@app/contracts';
import { plannedDateErrors, type Target } from '@app/domain';

/** A target as a caller sets it: the one target type (libs/domain) before the registry gives it a revision. */
export type TargetDefinition = Omit<Target, 'revision'>;

/** Same content, same order: cohorts and unit types in enum order, levels ascending, so equal targets compare equal. */
export function normaliseTarget(t: TargetDefinition): TargetDefinition {
  return {
    ...t,
    cohorts: COHORTS.filter((c) => t.cohorts.includes(c)),
    scopeUnitTypes: UNIT_TYPES.filter((u) => t.scopeUnitTypes.includes(u)),
    scopeLevels: [...new Set(t.scopeLevels)].sort((a, b) => a - b),
  };
}

/**
 * The consistency rules of a target (docs/domain.md): a cohort is counted on one tree only, so every cohort
 * of a target must live on the target's tree; a resident (population) rate is a rate of residents only;
 * every unit type in scope must be able to report one of the cohorts; the campaign starts before its deadline.
 */
export function checkTarget(t: TargetDefinition): Array<{ field: string; message: string }> {
  const errors: Array<{ field: string; message: string }> = [];
  for (const c of t.cohorts) {
    if (treeOfCohort(c) !== t.tree)
      errors.push({ field: 'cohorts', message: `cohort ${c} is counted on the ${treeOfCohort(c)} tree, not the ${t.tree} tree` });
  }
  if (t.metric === 'resident_rate' && t.cohorts.some((c) => c !== 'residents')) {
    errors.push({ field: 'metric', message: 'resident_rate is a rate of residents against the population: its only cohort is residents' });
  }
  for (const u of t.scopeUnitTypes) {
    if (!COHORTS_BY_UNIT_TYPE[u].some((c) => t.cohorts.includes(c))) {
      errors.push({
        field: 'scopeUnitTypes',
        message: `a ${u} reports none of the cohorts ${t.cohorts.join(', ')} (it may report ${COHORTS_BY_UNIT_TYPE[u].join(', ')})`,
      });
    }
  }
  if (t.campaignStart !== null && t.campaignStart > t.deadline)
    errors.push({ field: 'campaignStart', message: `campaignStart ${t.campaignStart} is after the deadline ${t.deadline}` });
  return errors;
}

/**
 * The dates of a target on the campaign calendar: the deadline may lie ahead (up to the calendar's horizon),
 * and neither it nor the campaign start may fall before the configured campaign start (`earliest`), which is
 * the earliest day any service accepts, so a published start can only narrow the calendar, never widen it.
 */
export function targetDateErrors(
  t: Pick<TargetDefinition, 'deadline' | 'campaignStart'>,
  earliest: string,
  today: string,
): Array<{ field: string; message: string }> {
  return [
    ...plannedDateErrors('deadline', t.deadline, earliest, today),
    ...(t.campaignStart === null ? [] : plannedDateErrors('campaignStart', t.campaignStart, earliest, today)),
  ];
}

export function sameTarget(a: TargetDefinition, b: TargetDefinition): boolean {
  const x = normaliseTarget(a);
  const y = normaliseTarget(b);
  return JSON.stringify(x) === JSON.stringify(y);
}
