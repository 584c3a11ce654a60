import { plainToInstance } from 'class-transformer';
import { IsString, Length, validateSync } from 'class-validator';
import { describeValidationErrors } from '@app/messaging';

/**
 * Who issues the daily report as an administrative document, to whom, and who signs it (Decree
 * 30/2020/ND-CP). Read from the environment at boot; the defaults are the Trà Vinh DIC's. Recipients are
 * separated by `;` (each becomes one "- …;" line of "Nơi nhận").
 */
export class OfficialDocumentSettings {
  /** The issuing body's superior, upper case above the issuer (left header). */
  @IsString() @Length(1, 200) REPORT_ISSUER_SUPERIOR = 'UBND TỈNH TRÀ VINH';
  @IsString() @Length(1, 200) REPORT_ISSUER = 'SỞ THÔNG TIN VÀ TRUYỀN THÔNG';
  /** The issuer as named in running text (English falls back to it when no translation is set). */
  @IsString() @Length(1, 300) REPORT_ISSUER_FULL_NAME = 'Sở Thông tin và Truyền thông tỉnh Trà Vinh';
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
}

export function loadOfficialDocumentSettings(env: NodeJS.ProcessEnv = process.env): OfficialDocumentSettings {
  const defaults = new OfficialDocumentSettings() as unknown as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = env[key] === undefined || env[key] === '' ? defaults[key] : env[key];
  const settings = plainToInstance(OfficialDocumentSettings, raw);
  const errors = describeValidationErrors(validateSync(settings));
  if (errors.length) throw new Error(`invalid configuration: ${errors.join('; ')}`);
  return settings;
}
