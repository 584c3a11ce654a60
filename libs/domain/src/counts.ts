/** The four counts every adoption figure is made of; 0 ≤ bluetoothOn ≤ installed ≤ smartphoneHolders ≤ headcount. */
export interface AdoptionCounts {
  readonly headcount: number;
  readonly smartphoneHolders: number;
  readonly installed: number;
  readonly bluetoothOn: number;
}

export const ZERO_COUNTS: AdoptionCounts = Object.freeze({ headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 });

export function addCounts(a: AdoptionCounts, b: AdoptionCounts): AdoptionCounts {
  return {
    headcount: a.headcount + b.headcount,
    smartphoneHolders: a.smartphoneHolders + b.smartphoneHolders,
    installed: a.installed + b.installed,
    bluetoothOn: a.bluetoothOn + b.bluetoothOn,
  };
}

/** A ratio of sums; null when there is nothing to divide by (never 0, which would read as "nobody installed"). */
export function ratio(numerator: number, denominator: number | null | undefined): number | null {
  if (denominator === null || denominator === undefined || denominator <= 0) return null;
  return numerator / denominator;
}

/** Install rate of a cohort: installed / smartphone holders. */
export function installRate(c: AdoptionCounts): number | null {
  return ratio(c.installed, c.smartphoneHolders);
}

/** Bluetooth rate of a cohort: Bluetooth on / smartphone holders. */
export function bluetoothRate(c: AdoptionCounts): number | null {
  return ratio(c.bluetoothOn, c.smartphoneHolders);
}

/** Resident (population) rate: installed / the registry's population denominator. */
export function populationRate(installed: number, population: number | null): number | null {
  return ratio(installed, population);
}
