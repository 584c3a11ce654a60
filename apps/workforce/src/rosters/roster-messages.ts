/**
 * Every message a roster upload is refused with, in Vietnamese and English, in one place: what went wrong
 * and what the EZ-board clerk can do about it. Messages name lines, columns and limits, never a cell's
 * content (a cell may hold a name, a phone number or an employee id).
 */
import { TEMPLATE_HEADERS } from './domain/roster-columns';

import type { Lang } from '@app/domain';

export type { Lang };
/** One reading of `Accept-Language` for every service (libs/domain labels). */
export { langOf } from '@app/domain';

const num = (lang: Lang, n: number): string => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US');
const pct = (lang: Lang, share: number): string =>
  share.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US', { style: 'percent', maximumFractionDigits: 1 });
const mb = (lang: Lang, bytes: number): string => num(lang, Math.floor(bytes / (1024 * 1024)));

const HEADER_EN = `${TEMPLATE_HEADERS.en.join(', ')} (or ${TEMPLATE_HEADERS.vi.join(', ')})`;
const HEADER_VI = `${TEMPLATE_HEADERS.vi.join(', ')} (hoặc ${TEMPLATE_HEADERS.en.join(', ')})`;
const SAVE_AGAIN_EN = 'save the roster again from Excel as a new .xlsx (Excel Workbook) or as CSV UTF-8 and upload that';
const SAVE_AGAIN_VI = 'hãy lưu lại danh sách từ Excel thành tệp .xlsx mới (Excel Workbook) hoặc CSV UTF-8 rồi tải lên';
const KEPT_EN = 'the previous roster stays in force';
const KEPT_VI = 'danh sách trước đó vẫn giữ nguyên hiệu lực';

/** Header cells as found: “Mã NV” (employee_id), “Đã cài Bluezone” (installed). */
const namedList = (named: ReadonlyArray<{ text: string; field: string }>): string =>
  named.map((n) => `“${n.text}” (${n.field})`).join(', ');

/** Column letters of a 1-based column number (256 → "IV"). */
export function columnLetters(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

interface Texts<P> {
  readonly en: (p: P, lang: Lang) => string;
  readonly vi: (p: P, lang: Lang) => string;
}
const texts = <P = void>(t: Texts<P>): Texts<P> => t;

export const ROSTER_MESSAGES = {
  fileEmpty: texts({ en: () => 'the file is empty', vi: () => 'Tệp trống' }),
  oldXls: texts({
    en: () => 'this is an old Excel .xls workbook: save it as .xlsx (Excel Workbook) or as CSV UTF-8',
    vi: () => 'Đây là tệp Excel .xls cũ: hãy lưu thành .xlsx (Excel Workbook) hoặc CSV UTF-8',
  }),
  notCsvNorXlsx: texts({
    en: () => 'the file is neither CSV (UTF-8 text) nor XLSX: save the roster as CSV UTF-8 or as .xlsx',
    vi: () => 'Tệp không phải CSV (văn bản UTF-8) cũng không phải XLSX: hãy lưu danh sách thành CSV UTF-8 hoặc .xlsx',
  }),
  wrongContentType: texts<{ type: string }>({
    en: ({ type }) =>
      `a roster is sent as text/csv, as an .xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream) or as multipart/form-data, not ${type || 'without a content type'}`,
    vi: ({ type }) =>
      `Danh sách được gửi dưới dạng text/csv, tệp .xlsx (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet hoặc application/octet-stream) hoặc multipart/form-data, không phải ${type || 'thiếu kiểu nội dung'}`,
  }),
  noFilePart: texts({
    en: () => 'the multipart upload has no file part: attach the roster as a file',
    vi: () => 'Biểu mẫu tải lên không có tệp: hãy đính kèm tệp danh sách',
  }),
  fileTooLarge: texts<{ max: number }>({
    en: ({ max }, l) => `the file is larger than ${mb(l, max)} MB (ROSTER_MAX_BYTES): split the roster into smaller files`,
    vi: ({ max }, l) => `Tệp lớn hơn ${mb(l, max)} MB (ROSTER_MAX_BYTES): hãy chia danh sách thành nhiều tệp nhỏ hơn`,
  }),
  tooManyRows: texts<{ max: number }>({
    en: ({ max }, l) =>
      `the file has more than ${num(l, max)} rows (blank rows included): delete the empty rows below the roster, split it into smaller files, or ask the administrator to raise ROSTER_MAX_ROWS`,
    vi: ({ max }, l) =>
      `Tệp có hơn ${num(l, max)} dòng (kể cả dòng trống): hãy xoá các dòng trống bên dưới danh sách, chia thành nhiều tệp nhỏ hơn, hoặc đề nghị quản trị viên nâng ROSTER_MAX_ROWS`,
  }),
  tooManyColumns: texts<{ line: number; max: number }>({
    en: ({ line, max }) =>
      `line ${line} has a cell beyond column ${columnLetters(max)} (the ${max}th): a roster has a handful of columns; delete what lies to the right of the roster and upload it again`,
    vi: ({ line, max }) =>
      `Dòng ${line} có ô nằm ngoài cột ${columnLetters(max)} (cột thứ ${max}): danh sách chỉ có vài cột; hãy xoá các ô bên phải danh sách rồi tải lên lại`,
  }),
  rowNumberTooLarge: texts<{ max: number }>({
    en: ({ max }, l) => `the worksheet numbers a row beyond ${num(l, max)}, Excel's last row: the file is damaged; ${SAVE_AGAIN_EN}`,
    vi: ({ max }, l) => `Trang tính có số dòng vượt quá ${num(l, max)}, dòng cuối cùng của Excel: tệp bị hỏng; ${SAVE_AGAIN_VI}`,
  }),
  cellTooLong: texts<{ max: number }>({
    en: ({ max }, l) =>
      `a cell or text of the workbook is longer than ${num(l, max)} characters (Excel's own limit): the file is damaged or not a roster`,
    vi: ({ max }, l) =>
      `Một ô hoặc đoạn văn bản của tệp dài hơn ${num(l, max)} ký tự (giới hạn của chính Excel): tệp bị hỏng hoặc không phải danh sách`,
  }),
  sharedStringsTooLarge: texts<{ maxCount: number; maxChars: number; maxRows: number }>({
    en: ({ maxCount, maxChars, maxRows }, l) =>
      `the workbook's table of texts holds more than ${num(l, maxCount)} entries or ${num(l, maxChars)} characters, far more than a roster of ${num(l, maxRows)} rows needs: copy the roster alone into a new workbook, or save it as CSV UTF-8, and upload that`,
    vi: ({ maxCount, maxChars, maxRows }, l) =>
      `Bảng văn bản dùng chung của tệp Excel có hơn ${num(l, maxCount)} mục hoặc ${num(l, maxChars)} ký tự, nhiều hơn hẳn mức một danh sách ${num(l, maxRows)} dòng cần: hãy chép riêng danh sách sang một tệp Excel mới, hoặc lưu thành CSV UTF-8, rồi tải lên`,
  }),
  unpackedTooLarge: texts<{ max: number }>({
    en: ({ max }, l) =>
      `the workbook unpacks to more than ${mb(l, max)} MB (ROSTER_MAX_UNPACKED_BYTES), far more than a roster needs: ${SAVE_AGAIN_EN}`,
    vi: ({ max }, l) =>
      `Tệp Excel khi giải nén lớn hơn ${mb(l, max)} MB (ROSTER_MAX_UNPACKED_BYTES), lớn hơn hẳn mức một danh sách cần: ${SAVE_AGAIN_VI}`,
  }),
  tooManyParts: texts<{ max: number }>({
    en: ({ max }, l) =>
      `the XLSX file holds more than ${num(l, max)} parts: it is not a workbook Excel saves a roster as; ${SAVE_AGAIN_EN}`,
    vi: ({ max }, l) =>
      `Tệp XLSX chứa hơn ${num(l, max)} thành phần: đây không phải tệp Excel lưu danh sách thông thường; ${SAVE_AGAIN_VI}`,
  }),
  doctype: texts({
    en: () => `the XLSX file declares a DOCTYPE or entities, which Excel never writes; it is refused for safety: ${SAVE_AGAIN_EN}`,
    vi: () =>
      `Tệp XLSX có khai báo DOCTYPE hoặc thực thể (entity), điều Excel không bao giờ ghi; tệp bị từ chối vì an toàn: ${SAVE_AGAIN_VI}`,
  }),
  xlsxUnreadable: texts({
    en: () => 'the XLSX file could not be read (damaged or not an Excel workbook); nothing was imported',
    vi: () => 'Không đọc được tệp XLSX (tệp bị hỏng hoặc không phải tệp Excel); chưa có dữ liệu nào được nhập',
  }),
  xlsxNoSheet: texts({ en: () => 'the XLSX file has no worksheet', vi: () => 'Tệp XLSX không có trang tính nào' }),
  csvLineTooLong: texts<{ line: number }>({
    en: ({ line }) =>
      `line ${line} is longer than 64 KiB, and a roster line is a few dozen characters: check that the file is the roster saved as CSV UTF-8 and that no quote (") is left open; nothing was imported`,
    vi: ({ line }) =>
      `Dòng ${line} dài hơn 64 KiB, trong khi mỗi dòng danh sách chỉ vài chục ký tự: hãy kiểm tra tệp đúng là danh sách lưu dạng CSV UTF-8 và không có dấu ngoặc kép (") nào mở mà không đóng; chưa có dữ liệu nào được nhập`,
  }),
  csvMalformed: texts<{ line: number | undefined; code: string }>({
    en: ({ line, code }) => `malformed CSV near line ${line ?? '?'} (${code}); nothing was imported`,
    vi: ({ line, code }) => `Tệp CSV sai định dạng gần dòng ${line ?? '?'} (${code}); chưa có dữ liệu nào được nhập`,
  }),
  headerPartial: texts<{ line: number; rows: number; named: Array<{ text: string; field: string }>; missing: string[] }>({
    en: ({ line, rows, named, missing }) =>
      `no complete header in the first ${rows} rows: the closest is line ${line}, whose columns found are ${namedList(named)}; it lacks the column(s) ${missing.join(', ')}; expected ${HEADER_EN}`,
    vi: ({ line, rows, named, missing }) =>
      `Không tìm thấy dòng tiêu đề đầy đủ trong ${rows} dòng đầu: gần nhất là dòng ${line}, có các cột ${namedList(named)}; còn thiếu cột ${missing.join(', ')}; cần có các cột ${HEADER_VI}`,
  }),
  noHeader: texts<{ rows: number }>({
    en: ({ rows }) =>
      `no recognisable header: none of the first ${rows} rows names a roster column; the header row (above the workers, titles may come before it) must name the columns ${HEADER_EN}`,
    vi: ({ rows }) =>
      `Không nhận ra dòng tiêu đề: không dòng nào trong ${rows} dòng đầu ghi tên cột của danh sách; dòng tiêu đề (phía trên danh sách người lao động, có thể có dòng tên bảng ở trên) phải ghi tên các cột ${HEADER_VI}`,
  }),
  headerNoRows: texts({ en: () => 'the file has a header but no rows', vi: () => 'Tệp có dòng tiêu đề nhưng không có dòng dữ liệu nào' }),
  noRowAccepted: texts<{ rejected: number }>({
    en: ({ rejected }, l) => `no row was accepted (${num(l, rejected)} rejected); ${KEPT_EN}`,
    vi: ({ rejected }, l) => `Không có dòng nào được chấp nhận (${num(l, rejected)} dòng bị từ chối); ${KEPT_VI}`,
  }),
  heldPending: texts<{ left: number; previous: number; share: number; maxShare: number; hours: number }>({
    en: ({ left, previous, share, maxShare, hours }, l) =>
      `this roster would remove ${num(l, left)} of the ${num(l, previous)} workers of the roster in force (${pct(l, share)}, more than the ${pct(l, maxShare)} allowed at once): it is held and nothing has changed; the EZ board or an administrator confirms it with its preview token within ${num(l, hours)} hours, or rejects it`,
    vi: ({ left, previous, share, maxShare, hours }, l) =>
      `Danh sách này sẽ loại bỏ ${num(l, left)} trong số ${num(l, previous)} người lao động của danh sách đang có hiệu lực (${pct(l, share)}, vượt mức ${pct(l, maxShare)} được phép trong một lần): danh sách được giữ chờ xác nhận và chưa có gì thay đổi; Ban quản lý hoặc quản trị viên xác nhận bằng mã xem trước trong vòng ${num(l, hours)} giờ, hoặc từ chối`,
  }),
  preview: texts<{ hours: number }>({
    en: ({ hours }, l) =>
      `dry run: nothing has changed; confirm this preview with its token within ${num(l, hours)} hours to put the roster in force`,
    vi: ({ hours }, l) =>
      `Chạy thử: chưa có gì thay đổi; xác nhận bản xem trước này bằng mã của nó trong vòng ${num(l, hours)} giờ để danh sách có hiệu lực`,
  }),
  notHeld: texts<{ state: string }>({
    en: ({ state }) => `this roster upload is ${state}, not waiting for a confirmation`,
    vi: ({ state }) => `Lần tải danh sách này đang ở trạng thái ${state}, không chờ xác nhận`,
  }),
  wrongToken: texts({
    en: () => 'the preview token does not match this upload: confirm with the token of the preview you reviewed',
    vi: () => 'Mã xem trước không khớp với lần tải lên này: hãy xác nhận bằng mã của bản xem trước bạn đã kiểm tra',
  }),
  rosterChanged: texts({
    en: () => `the roster in force changed after this preview was made: upload the file again to see what it changes now; ${KEPT_EN}`,
    vi: () =>
      `Danh sách đang có hiệu lực đã thay đổi sau khi bản xem trước này được tạo: hãy tải tệp lên lại để xem thay đổi hiện nay; ${KEPT_VI}`,
  }),
} as const;

export type RosterMessageKey = keyof typeof ROSTER_MESSAGES;
export type RosterMessageParams<K extends RosterMessageKey> = Parameters<(typeof ROSTER_MESSAGES)[K]['en']>[0];

export function rosterMessage<K extends RosterMessageKey>(key: K, params: RosterMessageParams<K>, lang: Lang): string {
  const t = ROSTER_MESSAGES[key] as Texts<RosterMessageParams<K>>;
  return t[lang](params, lang);
}

/**
 * A refused row's reason as stored (English: the API answers it as written in roster-row.ts and
 * roster-import.service.ts), in the reader's language. A reason of an unknown shape is shown as stored.
 */
const ROW_REASONS_VI: ReadonlyArray<readonly [RegExp, (m: RegExpMatchArray) => string]> = [
  [
    /^(\d+) field\(s\) where the header has (\d+): the row is cut short$/,
    (m) => `Dòng có ${m[1]} trường trong khi dòng tiêu đề có ${m[2]}: dòng bị thiếu`,
  ],
  [
    /^a value past the header's (\d+) column\(s\): the row's fields are shifted \(an unquoted separator\?\)$/,
    (m) => `Có giá trị nằm ngoài ${m[1]} cột của dòng tiêu đề: các trường bị lệch (có dấu phân cách không nằm trong ngoặc kép?)`,
  ],
  [/^empty employee id$/, () => 'Thiếu mã người lao động'],
  [
    /^unknown flag in (.+) \(use có\/không, x\/blank, 1\/0, yes\/no or true\/false\)$/,
    (m) => `Giá trị không hợp lệ ở cột ${m[1]} (dùng có/không, x/để trống, 1/0, yes/no hoặc true/false)`,
  ],
  [/^installed without a smartphone$/, () => 'Đã cài Bluezone nhưng không có điện thoại thông minh'],
  [/^Bluetooth on without Bluezone installed$/, () => 'Bật Bluetooth nhưng chưa cài Bluezone'],
  [/^duplicate employee id \(first on line (\d+)\)$/, (m) => `Mã người lao động bị trùng (xuất hiện lần đầu ở dòng ${m[1]})`],
];

export function rejectedRowReason(reason: string, lang: Lang): string {
  if (lang === 'en') return reason;
  for (const [re, vi] of ROW_REASONS_VI) {
    const m = reason.match(re);
    if (m) return vi(m);
  }
  return reason;
}
