/** What a roster holds, as published: the four counts of an adoption figure. */
export interface RosterAggregates {
  headcount: number;
  smartphoneHolders: number;
  installed: number;
  bluetoothOn: number;
}

/**
 * The change since the previous roster, matched by hashed employee id. `newlyInstalled` and
 * `newlyBluetoothOn` count workers present in both rosters whose flag went from off to on; a worker who
 * joins already installed counts in `joined` only.
 */
export interface RosterDiff {
  joined: number;
  left: number;
  newlyInstalled: number;
  newlyBluetoothOn: number;
}

export function emptyAggregates(): RosterAggregates {
  return { headcount: 0, smartphoneHolders: 0, installed: 0, bluetoothOn: 0 };
}

export function addToAggregates(a: RosterAggregates, row: { hasSmartphone: boolean; installed: boolean; bluetoothOn: boolean }): void {
  a.headcount += 1;
  if (row.hasSmartphone) a.smartphoneHolders += 1;
  if (row.installed) a.installed += 1;
  if (row.bluetoothOn) a.bluetoothOn += 1;
}
