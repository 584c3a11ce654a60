import { plainToInstance } from 'class-transformer';
import { IsString, Length, validateSync } from 'class-validator';
import { describeValidationErrors } from '@app/messaging';

/**
 * Who issues the daily report as an administrative document, to whom, and who signs it (Decree
 * 30/2020/ND-CP). Read from the environment at boot; the defaults are the Trà Vinh DIC's. Recipients are
 * separated by `;` (each becomes one "- …;" line of "Nơi nhận").
 *
 * The English document (`lang=en`) names the issuer, recipients and signer's title from the `_EN` settings. Each
 * defaults to the English of its Vietnamese setting's default; a deployment that sets the Vietnamese one and not its
 * `_EN` gets the Vietnamese one in the English document too, never the translation of another body's name.
 */
export class OfficialDocumentSettings {
  /** The issuing body's superior, upper case above the issuer (left header). */
  @IsString() @Length(1, 200) REPORT_ISSUER_SUPERIOR = 'UBND TỈNH TRÀ VINH';
  @IsString() @Length(1, 200) REPORT_ISSUER = 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG';
  /** The symbol after the number: the kind of document (BC: báo cáo) and the issuer's abbreviation. */
  @IsString() @Length(1, 60) REPORT_SYMBOL = 'BC-STTTT';
  @IsString() @Length(1, 100) REPORT_PLACE = 'Trà Vinh';
  @IsString() @Length(1, 2000) REPORT_RECIPIENTS =
    'Chủ tịch UBND tỉnh (b/c);Các Phó Chủ tịch UBND tỉnh;Các sở, ban, ngành tỉnh;UBND các huyện, thị xã, thành phố';
  /** Filing line, always last among the recipients. */
  @IsString() @Length(1, 200) REPORT_ARCHIVE = 'Lưu: VT, BCVT';
  /** Signing on behalf ("KT. GIÁM ĐỐC"); empty when the head signs in person. */
  @IsString() @Length(0, 200) REPORT_SIGNER_AUTHORITY = 'KT. GIÁM ĐỐC';
  @IsString() @Length(1, 200) REPORT_SIGNER_TITLE = 'PHÓ GIÁM ĐỐC';
  @IsString() @Length(1, 200) REPORT_SIGNER_NAME = 'Nguyễn Văn A (chưa cấu hình)';

  @IsString() @Length(1, 200) REPORT_ISSUER_SUPERIOR_EN = "TRA VINH PROVINCIAL PEOPLE'S COMMITTEE";
  @IsString() @Length(1, 200) REPORT_ISSUER_EN = 'DEPARTMENT OF INFORMATION AND COMMUNICATIONS';
  @IsString() @Length(1, 2000) REPORT_RECIPIENTS_EN =
    "Chairman of the Provincial People's Committee (for report);Vice-Chairmen of the Provincial People's Committee;" +
    "Provincial departments, boards and agencies;People's Committees of the districts, towns and city";
  @IsString() @Length(1, 200) REPORT_ARCHIVE_EN = 'Filed: Clerical Office, Posts and Telecommunications Division';
  @IsString() @Length(0, 200) REPORT_SIGNER_AUTHORITY_EN = 'FOR THE DIRECTOR';
  @IsString() @Length(1, 200) REPORT_SIGNER_TITLE_EN = 'DEPUTY DIRECTOR';
}

/** The settings the English document reads, each under the Vietnamese setting it translates. */
const ENGLISH_OF = {
  REPORT_ISSUER_SUPERIOR: 'REPORT_ISSUER_SUPERIOR_EN',
  REPORT_ISSUER: 'REPORT_ISSUER_EN',
  REPORT_RECIPIENTS: 'REPORT_RECIPIENTS_EN',
  REPORT_ARCHIVE: 'REPORT_ARCHIVE_EN',
  REPORT_SIGNER_AUTHORITY: 'REPORT_SIGNER_AUTHORITY_EN',
  REPORT_SIGNER_TITLE: 'REPORT_SIGNER_TITLE_EN',
} as const satisfies Partial<Record<keyof OfficialDocumentSettings, keyof OfficialDocumentSettings>>;

/** A setting that has an English version, as the document in `lang` names it. */
export function inLanguage(s: OfficialDocumentSettings, key: keyof typeof ENGLISH_OF, lang: 'vi' | 'en'): string {
  return lang === 'en' ? s[ENGLISH_OF[key]] : s[key];
}

/** Settings an empty value is a value of (the head signs in person); for the others, empty means the default. */
const MAY_BE_EMPTY: ReadonlySet<string> = new Set(['REPORT_SIGNER_AUTHORITY', 'REPORT_SIGNER_AUTHORITY_EN']);

export function loadOfficialDocumentSettings(env: NodeJS.ProcessEnv = process.env): OfficialDocumentSettings {
  const defaults = new OfficialDocumentSettings() as unknown as Record<string, unknown>;
  const given = (key: string) => env[key] !== undefined && (env[key] !== '' || MAY_BE_EMPTY.has(key));
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = given(key) ? env[key] : defaults[key];
  // An English name not given, for a Vietnamese one that is: the Vietnamese one (the default is another body's).
  for (const [vi, en] of Object.entries(ENGLISH_OF)) if (!given(en) && given(vi)) raw[en] = raw[vi];
  const settings = plainToInstance(OfficialDocumentSettings, raw);
  const errors = describeValidationErrors(validateSync(settings));
  if (errors.length) throw new Error(`invalid configuration: ${errors.join('; ')}`);
  return settings;
}
