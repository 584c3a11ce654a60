import { parse } from 'csv-parse/sync';
import { isEmail } from 'class-validator';
import { BLOCS, normaliseVietnamesePhone, UNIT_CODE_PATTERN, UNIT_TYPES, type Bloc, type UnitType } from '@app/contracts';
import { levelOf, normaliseHead, withDefaults, type UnitDraft } from './org-unit.rules';

/**
 * Reading an org-unit CSV (the GSO catalogue format of data/tra-vinh-units.csv plus optional columns),
 * pure: text in, drafts with their line numbers or every bad line's reason out.
 */

export const REQUIRED_COLUMNS = ['code', 'name'] as const;
export const KNOWN_COLUMNS = [
  'code',
  'name',
  'type',
  'level',
  'parent_code',
  'unit_type',
  'bloc',
  'accountable_to_code',
  'head_name',
  'head_title',
  'head_phone',
  'head_email',
] as const;

export interface CsvLineError {
  readonly line: number;
  readonly reason: string;
}

export interface CsvUnitRow {
  readonly line: number;
  readonly draft: UnitDraft;
}

export type ParsedUnitsCsv =
  | { readonly ok: true; readonly rows: CsvUnitRow[] }
  | { readonly ok: false; readonly fatal: string | null; readonly errors: CsvLineError[] };

/**
 * The GSO `type` column (Vietnamese) to our unit types. "Thành phố" is a centrally-run city at level 1
 * and a provincial city at level 2, so the level decides.
 */
export function unitTypeFromVietnamese(value: string, level: number | null): UnitType | null {
  const v = value.normalize('NFC').trim().toLocaleLowerCase('vi');
  switch (v) {
    case 'tỉnh':
    case 'thành phố trực thuộc trung ương':
      return 'province';
    case 'thành phố':
      return level === 1 ? 'province' : level === 2 ? 'district' : null;
    case 'huyện':
    case 'thị xã':
    case 'quận':
      return 'district';
    case 'xã':
    case 'phường':
    case 'thị trấn':
      return 'commune';
    case 'ấp':
    case 'khóm':
    case 'thôn':
    case 'bản':
    case 'tổ dân phố':
      return 'hamlet';
    default:
      return (UNIT_TYPES as readonly string[]).includes(v) ? (v as UnitType) : null;
  }
}

export function parseUnitsCsv(text: string): ParsedUnitsCsv {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as typeof records;
  } catch (err) {
    const e = err as { lines?: number; message?: string };
    return { ok: false, fatal: null, errors: [{ line: e.lines ?? 0, reason: `malformed CSV: ${e.message ?? String(err)}` }] };
  }
  if (records.length === 0)
    return { ok: false, fatal: 'the file is empty: expected a header line with code,name,type,level,parent_code', errors: [] };

  const header = records[0].record.map((h) => h.toLowerCase());
  const unknown = header.filter((h) => !(KNOWN_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (!header.includes('type') && !header.includes('unit_type')) missing.push('type or unit_type' as never);
  const duplicated = header.filter((h, i) => header.indexOf(h) !== i);
  if (unknown.length || missing.length || duplicated.length) {
    const parts = [
      missing.length ? `missing column(s): ${missing.join(', ')}` : '',
      unknown.length ? `unknown column(s): ${unknown.join(', ')} (known: ${KNOWN_COLUMNS.join(', ')})` : '',
      duplicated.length ? `duplicated column(s): ${duplicated.join(', ')}` : '',
    ].filter(Boolean);
    return { ok: false, fatal: `line ${records[0].info.lines}: bad header: ${parts.join('; ')}`, errors: [] };
  }

  const errors: CsvLineError[] = [];
  const rows: CsvUnitRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.length !== header.length) {
      errors.push({ line, reason: `expected ${header.length} fields (${header.join(',')}), found ${record.length}` });
      continue;
    }
    const cell = (name: string): string => {
      const i = header.indexOf(name);
      return i < 0 ? '' : record[i].normalize('NFC');
    };
    const reasons: string[] = [];
    const code = cell('code');
    if (!UNIT_CODE_PATTERN.test(code)) reasons.push(`code "${code}" is not a unit code (letters, digits, "_", "-", "."; at most 64)`);
    const name = cell('name');
    if (name.length < 1 || name.length > 300) reasons.push('name must have 1 to 300 characters');

    let level: number | null = null;
    const levelText = cell('level');
    if (levelText !== '') {
      if (!/^\d{1,2}$/.test(levelText)) reasons.push(`level "${levelText}" is not a whole number`);
      else level = Number(levelText);
    }

    let type: UnitType | null = null;
    const unitType = cell('unit_type');
    const viType = cell('type');
    if (unitType !== '') {
      if (!(UNIT_TYPES as readonly string[]).includes(unitType))
        reasons.push(`unit_type "${unitType}" is not one of ${UNIT_TYPES.join(', ')}`);
      else type = unitType as UnitType;
    } else if (viType !== '') {
      type = unitTypeFromVietnamese(viType, level);
      if (type === null)
        reasons.push(
          `type "${viType}"${level !== null ? ` at level ${level}` : ''} is not a known unit type (Tỉnh, Thành phố, Huyện, Thị xã, Quận, Xã, Phường, Thị trấn, Ấp, Khóm, Thôn, or one of ${UNIT_TYPES.join(', ')})`,
        );
    } else reasons.push('type (or unit_type) is missing');

    if (type !== null && level !== null && levelOf(type) !== level) {
      reasons.push(
        levelOf(type) === null
          ? `level ${level} given for a ${type}, which has no administrative level`
          : `level ${level} does not match a ${type} (level ${levelOf(type)})`,
      );
    }

    const parentCode = cell('parent_code') || null;
    if (parentCode !== null && !UNIT_CODE_PATTERN.test(parentCode)) reasons.push(`parent_code "${parentCode}" is not a unit code`);
    const accountableToCode = cell('accountable_to_code') || null;
    if (accountableToCode !== null && !UNIT_CODE_PATTERN.test(accountableToCode))
      reasons.push(`accountable_to_code "${accountableToCode}" is not a unit code`);

    const blocText = cell('bloc');
    let bloc: Bloc | null = null;
    if (blocText !== '') {
      if (!(BLOCS as readonly string[]).includes(blocText)) reasons.push(`bloc "${blocText}" is not one of ${BLOCS.join(', ')}`);
      else bloc = blocText as Bloc;
    }

    const headName = cell('head_name');
    const headTitle = cell('head_title');
    if ((headName === '') !== (headTitle === '')) reasons.push('head_name and head_title go together: give both or neither');
    if (headName.length > 200 || headTitle.length > 200) reasons.push('head_name and head_title have at most 200 characters');
    const headPhone = cell('head_phone');
    const headEmail = cell('head_email');
    if ((headPhone !== '' || headEmail !== '') && headName === '')
      reasons.push('head_phone and head_email need a head_name and head_title');
    if (headPhone !== '' && normaliseVietnamesePhone(headPhone) === null)
      reasons.push(
        `head_phone "${headPhone}" is not a Vietnamese telephone number (a mobile such as 0912345678 or +84912345678, or a landline with its area code such as 0294 3862 123)`,
      );
    if (headEmail !== '' && (!isEmail(headEmail) || headEmail.length > 254))
      reasons.push(`head_email "${headEmail}" is not an e-mail address`);

    if (UNIT_CODE_PATTERN.test(code)) {
      const first = firstLineOf.get(code);
      if (first !== undefined) reasons.push(`duplicate code ${code} (first on line ${first})`);
      else firstLineOf.set(code, line);
    }

    if (reasons.length > 0 || type === null) {
      errors.push({ line, reason: reasons.join('; ') });
      continue;
    }
    rows.push({
      line,
      draft: withDefaults({
        code,
        name,
        type,
        bloc,
        adminParentCode: parentCode,
        accountableToCode,
        head: headName !== '' ? normaliseHead({ name: headName, title: headTitle, phone: headPhone, email: headEmail }) : null,
      }),
    });
  }
  if (errors.length > 0) return { ok: false, fatal: null, errors };
  if (rows.length === 0) return { ok: false, fatal: 'the file has a header but no units', errors: [] };
  return { ok: true, rows };
}
