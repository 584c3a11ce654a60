import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXCHANGE_FIELDS, ExchangeElementMappedV1, ExchangeUnitMappedV1, type ExchangeField } from '@app/contracts';
import type { EventInjector } from '@test/support/service-harness';

/** The sample files (written from the IHE QRPH ADX profile and DHIS2's dataValueSets format). */
export const sample = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

export const DATA_ELEMENTS: Record<ExchangeField, string> = {
  headcount: 'BZ_HEADCOUNT',
  smartphoneHolders: 'BZ_SMARTPHONE',
  installed: 'BZ_INSTALLED',
  bluetoothOn: 'BZ_BLUETOOTH_ON',
};

/** The residents' four counts mapped as the sample files carry them, and DHIS_TV_AN_PHU mapped to commune 29236. */
export async function publishSampleMapping(events: EventInjector): Promise<void> {
  for (const field of EXCHANGE_FIELDS) {
    await events.publish(ExchangeElementMappedV1, `residents/${field}`, {
      cohort: 'residents',
      field,
      dataElement: DATA_ELEMENTS[field],
      categoryOptionCombo: 'RESIDENTS',
      adxDisaggregation: { COHORT: 'RESIDENTS' },
      removed: false,
      revision: 1,
    });
  }
  await events.publish(ExchangeUnitMappedV1, 'DHIS_TV_AN_PHU', { externalCode: 'DHIS_TV_AN_PHU', orgUnitCode: '29236', revision: 1 });
}
