import { ProblemException } from '@app/platform';
import type { DataValue } from './data-values';
import { EXCHANGE_MESSAGES, say, type Lang } from './exchange-messages';

/** How big a dataValueSets body may be (the route's own Fastify body limit; beyond it, 413). */
export const DATA_VALUE_SETS_MAX_BYTES = 32 * 1024 * 1024;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/**
 * The data values of a DHIS2 data value set (`{"dataSet", "period", "orgUnit", "dataValues": [{"dataElement",
 * "period", "orgUnit", "categoryOptionCombo", "value"}]}`): a value's period and orgUnit default to the set's,
 * its categoryOptionCombo to the default combo (''). Values as DHIS2 writes them (strings) or as numbers.
 */
export function readDataValueSet(body: unknown, maxValues: number, lang: Lang): DataValue[] {
  const set = body as { dataValues?: unknown; period?: unknown; orgUnit?: unknown } | null;
  if (typeof set !== 'object' || set === null || Array.isArray(set) || !Array.isArray(set.dataValues)) {
    const detail = say(EXCHANGE_MESSAGES.notDataValueSet, lang, undefined);
    throw new ProblemException(400, detail, [{ field: 'dataValues', message: detail }]);
  }
  if (set.dataValues.length > maxValues) {
    const detail = say(EXCHANGE_MESSAGES.tooManyValues, lang, { max: maxValues });
    throw new ProblemException(413, detail, [{ field: 'dataValues', message: detail }]);
  }
  const period = text(set.period);
  const orgUnit = text(set.orgUnit);
  return set.dataValues.map((raw: unknown, i): DataValue => {
    const at = `dataValues[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return {
        at,
        orgUnit: '',
        period: '',
        dataElement: '',
        value: undefined,
        fault: { field: at, message: say(EXCHANGE_MESSAGES.dataValueNotObject, lang, undefined) },
      };
    }
    const d = raw as Record<string, unknown>;
    const v = {
      at,
      orgUnit: text(d.orgUnit) ?? orgUnit,
      period: text(d.period) ?? period,
      dataElement: text(d.dataElement),
      categoryOptionCombo: text(d.categoryOptionCombo) ?? '',
      value: d.value,
    };
    const missing = (['dataElement', 'period', 'orgUnit', 'value'] as const).find((k) => v[k] === undefined);
    return {
      ...v,
      orgUnit: v.orgUnit ?? '',
      period: v.period ?? '',
      dataElement: v.dataElement ?? '',
      ...(missing ? { fault: { field: `${at}.${missing}`, message: say(EXCHANGE_MESSAGES.missingField, lang, { field: missing }) } } : {}),
    };
  });
}
