import { Injectable } from '@nestjs/common';
import type { Cohort, ExchangeField, Tree } from '@app/contracts';
import { ADMIN_TREE, BOTH_TREES, subtreeSql } from '@app/persistence';
import { ReadModelService } from '../common/read-model.service';

/** One count of one report, coded for the other system. */
export interface ExportedValue {
  readonly orgUnit: string;
  readonly asOf: string;
  readonly dataElement: string;
  readonly categoryOptionCombo: string;
  readonly adxDisaggregation: Readonly<Record<string, string>>;
  readonly value: number;
}

const FIELD_COLUMN: Record<ExchangeField, string> = {
  headcount: 'headcount',
  smartphoneHolders: 'smartphone_holders',
  installed: 'installed',
  bluetoothOn: 'bluetooth_on',
};

export interface ExportQuery {
  readonly unit: string;
  readonly from: string;
  readonly to: string;
  readonly tree?: Tree;
}

/**
 * The reports of a period and a subtree, as the read model holds them (the latest revision of each unit,
 * cohort and day), coded through the registry's mapping table (compliance's replica of it): one value per
 * mapped count; a count with no mapping is not exported; a unit with no org-unit mapping keeps its own code.
 * What comes out is what the import reads back: the same file imported again changes nothing.
 */
@Injectable()
export class ExchangeExportService {
  constructor(private readonly readModel: ReadModelService) {}

  async values(q: ExportQuery): Promise<{ asOfEvent: string | null; values: ExportedValue[] }> {
    return this.readModel.read(async (g) => {
      const s = `"${g.schema}"`;
      const walk = {
        table: `${s}.units`,
        parentColumns: q.tree === 'accountability' ? ['accountable_to_code'] : q.tree === 'administrative' ? ADMIN_TREE : BOTH_TREES,
      };
      const counts = (Object.keys(FIELD_COLUMN) as ExchangeField[]).map((f) => `('${f}', r.${FIELD_COLUMN[f]})`).join(', ');
      const rows: Array<{
        org_unit: string;
        as_of: string;
        data_element: string;
        category_option_combo: string;
        adx_disaggregation: Record<string, string>;
        value: number;
        cohort: Cohort;
      }> = await g.m.query(
        `SELECT coalesce(u.external_code, r.org_unit_code) AS org_unit, r.as_of::text AS as_of, r.cohort,
                e.data_element, e.category_option_combo, e.adx_disaggregation, c.value
         FROM ${s}.reports r
         CROSS JOIN LATERAL (VALUES ${counts}) c(field, value)
         JOIN replica_exchange_elements e ON e.cohort = r.cohort AND e.field = c.field AND NOT e.removed
         LEFT JOIN replica_exchange_units u ON u.org_unit_code = r.org_unit_code
         WHERE r.as_of BETWEEN $2::date AND $3::date
           AND r.org_unit_code IN (${subtreeSql('SELECT $1::text', walk)})
         ORDER BY r.org_unit_code, r.as_of, r.cohort, c.field`,
        [q.unit, q.from, q.to],
      );
      return {
        asOfEvent: g.asOfEvent,
        values: rows.map((r) => ({
          orgUnit: r.org_unit,
          asOf: r.as_of,
          dataElement: r.data_element,
          categoryOptionCombo: r.category_option_combo,
          adxDisaggregation: r.adx_disaggregation,
          value: r.value,
        })),
      };
    });
  }
}

const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/**
 * An ADX message (IHE QRPH ADX, urn:ihe:qrph:adx:2015): one group per org unit and day (period `YYYY-MM-DD/P1D`),
 * one dataValue per count with its disaggregation attributes. Yielded piece by piece, for a streamed reply.
 */
export function* adxOf(values: readonly ExportedValue[], dataSet: string, exported: string): Generator<string> {
  yield `<?xml version="1.0" encoding="UTF-8"?>\n<adx xmlns="urn:ihe:qrph:adx:2015" exported="${escapeXml(exported)}">\n`;
  let open: string | null = null;
  for (const v of values) {
    const key = `${v.orgUnit}\u0000${v.asOf}`;
    if (key !== open) {
      if (open !== null) yield '  </group>\n';
      yield `  <group orgUnit="${escapeXml(v.orgUnit)}" period="${v.asOf}/P1D" dataSet="${escapeXml(dataSet)}">\n`;
      open = key;
    }
    const disaggregation = Object.entries(v.adxDisaggregation)
      .map(([k, o]) => ` ${k}="${escapeXml(o)}"`)
      .join('');
    yield `    <dataValue dataElement="${escapeXml(v.dataElement)}"${disaggregation} value="${v.value}"/>\n`;
  }
  if (open !== null) yield '  </group>\n';
  yield '</adx>\n';
}

/** A DHIS2 data value set (JSON, as GET /api/dataValueSets answers): daily periods yyyyMMdd, values as strings. */
export function* dataValueSetOf(values: readonly ExportedValue[], dataSet: string, completeDate: string): Generator<string> {
  yield `{"dataSet":${JSON.stringify(dataSet)},"completeDate":${JSON.stringify(completeDate)},"dataValues":[`;
  let first = true;
  for (const v of values) {
    const dv = {
      dataElement: v.dataElement,
      period: v.asOf.replaceAll('-', ''),
      orgUnit: v.orgUnit,
      categoryOptionCombo: v.categoryOptionCombo,
      value: String(v.value),
    };
    yield `${first ? '\n' : ',\n'}${JSON.stringify(dv)}`;
    first = false;
  }
  yield '\n]}\n';
}
