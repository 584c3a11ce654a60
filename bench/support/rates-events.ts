import { FigureUpdatedV1, TargetStatusChangedV1 } from '@app/contracts';
import type { Injector } from './inject';

/** A resident figure for a unit on a day, as the rates service publishes it (fractions, never percentages). */
export async function publishFigure(
  inj: Injector,
  unit: string,
  date: string,
  headcount: number,
  seed: number,
  reportingUnits = 1,
  expectedUnits = 1,
): Promise<void> {
  const smartphoneHolders = Math.floor(headcount * (0.5 + (seed % 40) / 100));
  const installed = Math.floor(smartphoneHolders * (0.1 + (seed % 80) / 100));
  const bluetoothOn = Math.floor(installed * 0.8);
  await inj.publish(FigureUpdatedV1, 'rates', unit, {
    orgUnitCode: unit,
    cohort: 'residents',
    tree: 'administrative',
    date,
    headcount,
    smartphoneHolders,
    installed,
    bluetoothOn,
    population: headcount,
    reportingUnits,
    expectedUnits,
    installRate: smartphoneHolders ? installed / smartphoneHolders : null,
    bluetoothRate: smartphoneHolders ? bluetoothOn / smartphoneHolders : null,
    populationRate: headcount ? installed / headcount : null,
  });
}

export async function publishStatus(inj: Injector, targetId: string, unit: string, date: string, seed: number): Promise<void> {
  const value = ((seed * 37) % 100) / 100;
  await inj.publish(TargetStatusChangedV1, 'rates', unit, {
    targetId,
    orgUnitCode: unit,
    date,
    status: value >= 0.5 ? 'met' : 'breached',
    previousStatus: null,
    value,
    threshold: 0.5,
    forecastDate: null,
    gap: value >= 0.5 ? 0 : Math.round((0.5 - value) * 1000),
    reportingUnits: 1,
    expectedUnits: 1,
    reporting: true,
  });
}
