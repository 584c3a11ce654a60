import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Cohort, ExchangeField } from '@app/contracts';
import type { DataValue, ExchangeMapping } from './data-values';

interface ElementRow {
  cohort: Cohort;
  field: ExchangeField;
  data_element: string;
  category_option_combo: string;
  adx_disaggregation: Record<string, string>;
}

const EXTERNAL_CODE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

const sameDisaggregation = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
};

/**
 * The registry's mapping table as intake's replica holds it (libs/replica ExchangeMappingReplicaHandlers): the
 * data elements (a handful of rows, read whole) and the org-unit codes a file names.
 */
@Injectable()
export class ExchangeMappingStore {
  constructor(private readonly ds: DataSource) {}

  async forImport(orgUnits: readonly string[]): Promise<ExchangeMapping> {
    const elements: ElementRow[] = await this.ds.query(
      `SELECT cohort, field, data_element, category_option_combo, adx_disaggregation FROM replica_exchange_elements WHERE NOT removed`,
    );
    const units: Array<{ external_code: string; org_unit_code: string }> = await this.ds.query(
      `SELECT external_code, org_unit_code FROM replica_exchange_units WHERE external_code = ANY($1::text[]) AND org_unit_code IS NOT NULL`,
      // Only what can be a code is looked up (a hostile file's text never reaches the query).
      [[...new Set(orgUnits)].filter((c) => EXTERNAL_CODE.test(c))],
    );
    const byCombo = new Map(elements.map((e) => [`${e.data_element}\u0000${e.category_option_combo}`, e]));
    const unitOf = new Map(units.map((u) => [u.external_code, u.org_unit_code]));
    return {
      element(v: DataValue) {
        const e =
          v.categoryOptionCombo !== undefined
            ? byCombo.get(`${v.dataElement}\u0000${v.categoryOptionCombo}`)
            : elements.find((x) => x.data_element === v.dataElement && sameDisaggregation(x.adx_disaggregation, v.disaggregation ?? {}));
        return e ? { cohort: e.cohort, field: e.field } : null;
      },
      unit: (orgUnit: string) => unitOf.get(orgUnit) ?? orgUnit,
    };
  }
}
