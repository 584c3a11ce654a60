export interface TransportCounts {
  passengersChecked: number;
  alreadyInstalled: number;
  installedOnSite: number;
  refused: number;
}

/** Every checked passenger is at most one of: already had the app, installed it on the spot, refused. */
export function transportCountErrors(c: TransportCounts): Array<{ field: string; message: string }> {
  const accounted = c.alreadyInstalled + c.installedOnSite + c.refused;
  if (accounted <= c.passengersChecked) return [];
  const message = `alreadyInstalled + installedOnSite + refused (${accounted}) must not exceed passengersChecked (${c.passengersChecked})`;
  return ['alreadyInstalled', 'installedOnSite', 'refused'].map((field) => ({ field, message }));
}

/** The identity of a submission, for idempotency: same hub, date and counts. */
export function canonicalCheck(hubCode: string, date: string, c: TransportCounts): string {
  return JSON.stringify([hubCode, date, c.passengersChecked, c.alreadyInstalled, c.installedOnSite, c.refused]);
}
