/** A valid resident report body for commune 29236 (the intake tests' usual unit), with overrides. */
export const VALID_REPORT = {
  orgUnitCode: '29236',
  cohort: 'residents',
  asOf: '2020-08-25',
  headcount: 1000,
  smartphoneHolders: 800,
  installed: 500,
  bluetoothOn: 450,
};

export const reportBody = (over: Record<string, unknown> = {}): Record<string, unknown> => ({ ...VALID_REPORT, ...over });
