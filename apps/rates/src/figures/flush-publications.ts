import {
  BUNDLE_MAX_ITEMS,
  FiguresUpdatedV1,
  TargetStatusesChangedV1,
  TargetStatusWithdrawnV1,
  type EventEnvelope,
  type FigureUpdatedV1Data,
  type TargetStatus,
  type TargetStatusChangedV1Data,
} from '@app/contracts';
import type { Figure, TargetEvaluation } from '@app/domain';
import type { EventOutbox } from '@app/platform';

/**
 * What one flush publishes, collected while it computes and turned into events at its end: its figures and status
 * changes as a few bundles (rates.figures.updated, rates.target.statuses-changed, BUNDLE_MAX_ITEMS items an event: every
 * event costs an outbox row, a publish, and a delivery, a decode and an inbox row in each consumer), then its withdrawals,
 * an event each.
 */
export class FlushPublications {
  private readonly figures: FigureUpdatedV1Data[] = [];
  private readonly statuses: TargetStatusChangedV1Data[] = [];
  private readonly withdrawals: EventEnvelope[] = [];

  constructor(private readonly outbox: EventOutbox) {}

  /** A unit's figure from `date` on, as its event says it. */
  figure(f: Figure, date: string): void {
    this.figures.push({
      orgUnitCode: f.orgUnitCode,
      cohort: f.cohort,
      tree: f.tree,
      date,
      headcount: f.headcount,
      smartphoneHolders: f.smartphoneHolders,
      installed: f.installed,
      bluetoothOn: f.bluetoothOn,
      population: f.population,
      reportingUnits: f.reportingUnits,
      expectedUnits: f.expectedUnits,
      installRate: f.installRate,
      bluetoothRate: f.bluetoothRate,
      populationRate: f.populationRate,
    });
  }

  /** A unit's status against a target from `date` on, and the one it had before (null: none). */
  status(e: TargetEvaluation, date: string, previous: TargetStatus | null): void {
    this.statuses.push({
      targetId: e.targetId,
      orgUnitCode: e.orgUnitCode,
      date,
      status: e.status,
      previousStatus: previous,
      value: e.value,
      threshold: e.threshold,
      forecastDate: e.forecastDate,
      gap: e.gap ?? 0,
      reportingUnits: e.reportingUnits,
      expectedUnits: e.expectedUnits,
      reporting: e.reporting,
    });
  }

  /** A unit with no status against a target from `date` on (it retired or left the target's scope). */
  withdrawal(targetId: string, unitCode: string, date: string, previous: TargetStatus): void {
    this.withdrawals.push(
      this.outbox.build(TargetStatusWithdrawnV1, unitCode, { targetId, orgUnitCode: unitCode, date, previousStatus: previous }),
    );
  }

  /** The flush's events, in the order they are recorded. */
  events(): EventEnvelope[] {
    return [
      ...bundled(this.figures, (figures) => this.outbox.build(FiguresUpdatedV1, bundleKey(figures), { figures })),
      ...bundled(this.statuses, (statuses) => this.outbox.build(TargetStatusesChangedV1, bundleKey(statuses), { statuses })),
      ...this.withdrawals,
    ];
  }
}

/** Items as bundles of BUNDLE_MAX_ITEMS at most, each built by `build`. */
function bundled<T>(items: readonly T[], build: (chunk: T[]) => EventEnvelope): EventEnvelope[] {
  const out: EventEnvelope[] = [];
  for (let i = 0; i < items.length; i += BUNDLE_MAX_ITEMS) out.push(build(items.slice(i, i + BUNDLE_MAX_ITEMS)));
  return out;
}

/** A bundle's envelope key (the unit an event is about): its first item's unit, and how many more. */
function bundleKey(items: ReadonlyArray<{ orgUnitCode: string }>): string {
  return items.length === 1 ? items[0].orgUnitCode : `${items[0].orgUnitCode} (+${items.length - 1})`;
}
