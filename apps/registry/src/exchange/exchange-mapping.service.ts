import { Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ExchangeElementMappedV1, ExchangeUnitMappedV1, type Cohort, type ExchangeField } from '@app/contracts';
import { uniqueViolationOf } from '@app/persistence';
import { EventOutbox, ProblemException } from '@app/platform';
import { EXTERNAL_CODE, type ElementMappingDto, type ExchangeMappingDto, type UnitMappingDto } from './dto/exchange-mapping.dto';

export interface ElementMapping {
  cohort: Cohort;
  field: ExchangeField;
  dataElement: string;
  categoryOptionCombo: string;
  adxDisaggregation: Record<string, string>;
}

/** An ADX disaggregation attribute: an XML name without a prefix. */
const ADX_ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;

const ELEMENT_COLUMNS = `cohort, field, data_element AS "dataElement", category_option_combo AS "categoryOptionCombo",
  adx_disaggregation AS "adxDisaggregation", revision`;

/**
 * The DHIS2/ADX mapping table (issue 20): which data element (with its category option combo, or its ADX
 * disaggregation attributes) carries which count of which cohort, and which org-unit code of the other
 * system is which of our units (a code with no row is taken as our own unit code). Every change is
 * published (registry.exchange.*) for intake's imports and compliance's exports; setting a row to what it
 * already is changes and publishes nothing.
 */
@Injectable()
export class ExchangeMappingService {
  constructor(
    private readonly ds: DataSource,
    private readonly outbox: EventOutbox,
  ) {}

  async list(): Promise<ExchangeMappingDto> {
    const elements: ElementMappingDto[] = await this.ds.query(
      `SELECT ${ELEMENT_COLUMNS} FROM exchange_elements WHERE NOT removed ORDER BY cohort, field`,
    );
    const units: UnitMappingDto[] = await this.ds.query(
      `SELECT external_code AS "externalCode", org_unit_code AS "orgUnitCode", revision FROM exchange_units
       WHERE org_unit_code IS NOT NULL ORDER BY external_code`,
    );
    return { elements, units };
  }

  async mapElement(d: ElementMapping): Promise<ElementMappingDto & { changed: boolean }> {
    // The keys become attributes of an ADX dataValue: XML names, and neither of the dataValue's own.
    const errors = Object.entries(d.adxDisaggregation).flatMap(([k, v]) =>
      ADX_ATTRIBUTE.test(k) && k !== 'dataElement' && k !== 'value' && typeof v === 'string' && EXTERNAL_CODE.test(v)
        ? []
        : [{ field: 'adxDisaggregation', message: `adxDisaggregation: "${k}" must map a category code (an XML name) to an option code` }],
    );
    if (errors.length) throw new ProblemException(422, errors.map((e) => e.message).join('; '), errors);
    return this.ds.transaction(async (m) => {
      const clash: Array<{ cohort: string; field: string }> = await m.query(
        `SELECT cohort, field FROM exchange_elements
         WHERE NOT removed AND (cohort, field) <> ($1, $2) AND data_element = $3
           AND (category_option_combo = $4 OR adx_disaggregation = $5::jsonb)`,
        [d.cohort, d.field, d.dataElement, d.categoryOptionCombo, JSON.stringify(d.adxDisaggregation)],
      );
      const carried = (other: string) =>
        new ProblemException(409, `data element ${d.dataElement} with this combo already carries ${other}`, [
          {
            field: 'dataElement',
            message: `${d.dataElement} with this category option combo or ADX disaggregation already carries ${other}`,
          },
        ]);
      if (clash.length) throw carried(`${clash[0].cohort}/${clash[0].field}`);
      const rows: Array<{ revision: number }> = await m
        .query(
          `INSERT INTO exchange_elements (cohort, field, data_element, category_option_combo, adx_disaggregation, revision)
         VALUES ($1, $2, $3, $4, $5::jsonb, 1)
         ON CONFLICT (cohort, field) DO UPDATE SET data_element = EXCLUDED.data_element,
           category_option_combo = EXCLUDED.category_option_combo, adx_disaggregation = EXCLUDED.adx_disaggregation,
           removed = false, revision = exchange_elements.revision + 1, updated_at = now()
         WHERE exchange_elements.removed OR (exchange_elements.data_element, exchange_elements.category_option_combo, exchange_elements.adx_disaggregation)
               IS DISTINCT FROM (EXCLUDED.data_element, EXCLUDED.category_option_combo, EXCLUDED.adx_disaggregation)
         RETURNING revision`,
          [d.cohort, d.field, d.dataElement, d.categoryOptionCombo, JSON.stringify(d.adxDisaggregation)],
        )
        .catch((err: unknown) => {
          // Another request mapped the same element and combo between the check above and this write.
          const broken = uniqueViolationOf(err);
          if (broken === 'exchange_elements_combo' || broken === 'exchange_elements_adx') throw carried('another cohort and field');
          throw err;
        });
      if (rows.length === 0) {
        const [cur]: Array<{ revision: number }> = await m.query(
          `SELECT revision FROM exchange_elements WHERE cohort = $1 AND field = $2`,
          [d.cohort, d.field],
        );
        return { ...d, revision: cur.revision, changed: false };
      }
      const revision = rows[0].revision;
      await this.outbox.record(m, ExchangeElementMappedV1, `${d.cohort}/${d.field}`, { ...d, removed: false, revision });
      return { ...d, revision, changed: true };
    });
  }

  async unmapElement(cohort: Cohort, field: ExchangeField): Promise<void> {
    await this.ds.transaction(async (m) => {
      // An UPDATE … RETURNING answers [rows, count] through TypeORM.
      const [rows]: [ElementMappingDto[], number] = await m.query(
        `UPDATE exchange_elements SET removed = true, revision = revision + 1, updated_at = now()
         WHERE cohort = $1 AND field = $2 AND NOT removed RETURNING ${ELEMENT_COLUMNS}`,
        [cohort, field],
      );
      if (rows.length === 0) throw new NotFoundException({ detail: `no mapping for ${cohort}/${field}` });
      const r = rows[0];
      await this.outbox.record(m, ExchangeElementMappedV1, `${cohort}/${field}`, {
        cohort,
        field,
        dataElement: r.dataElement,
        categoryOptionCombo: r.categoryOptionCombo,
        adxDisaggregation: r.adxDisaggregation,
        removed: true,
        revision: r.revision,
      });
    });
  }

  async mapUnit(externalCode: string, orgUnitCode: string): Promise<UnitMappingDto & { changed: boolean }> {
    return this.ds.transaction(async (m) => {
      const [unit]: Array<{ active: boolean }> = await m.query(`SELECT active FROM org_units WHERE code = $1`, [orgUnitCode]);
      if (!unit) throw new NotFoundException({ detail: `unknown org unit ${orgUnitCode}` });
      const taken: Array<{ external_code: string }> = await m.query(
        `SELECT external_code FROM exchange_units WHERE org_unit_code = $1 AND external_code <> $2`,
        [orgUnitCode, externalCode],
      );
      const alreadyMapped = (from: string) => {
        const message = `org unit ${orgUnitCode} is already mapped from ${from}`;
        return new ProblemException(409, message, [{ field: 'orgUnitCode', message }]);
      };
      if (taken.length) throw alreadyMapped(taken[0].external_code);
      const rows: Array<{ revision: number }> = await m
        .query(
          `INSERT INTO exchange_units (external_code, org_unit_code, revision) VALUES ($1, $2, 1)
         ON CONFLICT (external_code) DO UPDATE SET org_unit_code = EXCLUDED.org_unit_code, revision = exchange_units.revision + 1,
           updated_at = now()
         WHERE exchange_units.org_unit_code IS DISTINCT FROM EXCLUDED.org_unit_code
         RETURNING revision`,
          [externalCode, orgUnitCode],
        )
        .catch((err: unknown) => {
          // Another request mapped the unit between the check above and this write.
          if (uniqueViolationOf(err) === 'exchange_units_org_unit') throw alreadyMapped('another external code');
          throw err;
        });
      if (rows.length === 0) {
        const [cur]: Array<{ revision: number }> = await m.query(`SELECT revision FROM exchange_units WHERE external_code = $1`, [
          externalCode,
        ]);
        return { externalCode, orgUnitCode, revision: cur.revision, changed: false };
      }
      await this.outbox.record(m, ExchangeUnitMappedV1, externalCode, { externalCode, orgUnitCode, revision: rows[0].revision });
      return { externalCode, orgUnitCode, revision: rows[0].revision, changed: true };
    });
  }

  async unmapUnit(externalCode: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const [rows]: [Array<{ revision: number }>, number] = await m.query(
        `UPDATE exchange_units SET org_unit_code = NULL, revision = revision + 1, updated_at = now()
         WHERE external_code = $1 AND org_unit_code IS NOT NULL RETURNING revision`,
        [externalCode],
      );
      if (rows.length === 0) throw new NotFoundException({ detail: `no mapping for org unit ${externalCode}` });
      await this.outbox.record(m, ExchangeUnitMappedV1, externalCode, { externalCode, orgUnitCode: null, revision: rows[0].revision });
    });
  }
}
