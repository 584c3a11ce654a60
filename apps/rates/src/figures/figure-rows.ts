import type { Figure } from '@app/domain';

/** Two figures the same as consumers see them: every counted field (a figure is published when any changes). */
export function sameFigure(a: Figure, b: Figure): boolean {
  return (
    a.tree === b.tree &&
    a.headcount === b.headcount &&
    a.smartphoneHolders === b.smartphoneHolders &&
    a.installed === b.installed &&
    a.bluetoothOn === b.bluetoothOn &&
    a.installRate === b.installRate &&
    a.bluetoothRate === b.bluetoothRate &&
    a.population === b.population &&
    a.populationRate === b.populationRate &&
    a.reportingUnits === b.reportingUnits &&
    a.expectedUnits === b.expectedUnits
  );
}
