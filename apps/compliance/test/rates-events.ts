import type { Cohort, FigureUpdatedV1Data, TargetStatus, TargetStatusChangedV1Data } from '@app/contracts';

/** A rates figure for the compliance specs: counts default to zero, the tree follows the cohort. */
export function figureData(orgUnitCode: string, cohort: Cohort, date: string, c: Partial<FigureUpdatedV1Data>): FigureUpdatedV1Data {
  return {
    orgUnitCode,
    cohort,
    tree: cohort === 'residents' ? 'administrative' : 'accountability',
    date,
    headcount: c.population ?? c.headcount ?? 0,
    smartphoneHolders: 0,
    installed: 0,
    bluetoothOn: 0,
    population: null,
    reportingUnits: 1,
    expectedUnits: 1,
    ...c,
  };
}

/** A rates status change for the compliance specs (no previous status, no forecast). */
export function statusData(
  targetId: string,
  orgUnitCode: string,
  date: string,
  status: TargetStatus,
  value: number | null,
  threshold: number,
  gap: number,
): TargetStatusChangedV1Data {
  return { targetId, orgUnitCode, date, status, previousStatus: null, value, threshold, forecastDate: null, gap };
}
