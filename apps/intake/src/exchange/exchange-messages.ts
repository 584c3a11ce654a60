/**
 * What an ADX or dataValueSets import is refused with, in Vietnamese and English (`Accept-Language`, libs/domain
 * `langOf`): the file as a whole (413, 400) and a data value that cannot become part of a report. A report's own
 * errors are the batch's (ReportChecker), whatever the format it came in.
 */
import type { Lang } from '@app/domain';

export { langOf } from '@app/domain';
export type { Lang };

const num = (lang: Lang, n: number): string => n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US');

interface Texts<P> {
  readonly en: (p: P, lang: Lang) => string;
  readonly vi: (p: P, lang: Lang) => string;
}
const texts = <P = void>(t: Texts<P>): Texts<P> => t;

export const EXCHANGE_MESSAGES = {
  adxContentType: texts<{ type: string }>({
    en: ({ type }) => `an ADX file is sent with Content-Type: application/adx+xml, not ${type || 'without a content type'}`,
    vi: ({ type }) => `Tệp ADX được gửi với Content-Type: application/adx+xml, không phải ${type || 'thiếu kiểu nội dung'}`,
  }),
  fileTooLarge: texts<{ maxBytes: number }>({
    en: ({ maxBytes }, l) => `the file is larger than ${num(l, Math.floor(maxBytes / 1048576))} MB: split it by period or by district`,
    vi: ({ maxBytes }, l) => `Tệp lớn hơn ${num(l, Math.floor(maxBytes / 1048576))} MB: hãy chia tệp theo kỳ báo cáo hoặc theo huyện`,
  }),
  bodyStalled: texts<{ seconds: number }>({
    en: ({ seconds }, l) => `the file stopped arriving (nothing for ${num(l, seconds)} s): send it again`,
    vi: ({ seconds }, l) => `Tệp ngừng được gửi (không nhận được dữ liệu trong ${num(l, seconds)} giây): hãy gửi lại`,
  }),
  tooManyValues: texts<{ max: number }>({
    en: ({ max }, l) => `the file holds more than ${num(l, max)} data values: split it by period or by district`,
    vi: ({ max }, l) => `Tệp có hơn ${num(l, max)} giá trị dữ liệu: hãy chia tệp theo kỳ báo cáo hoặc theo huyện`,
  }),
  tooManyReports: texts<{ max: number }>({
    en: ({ max }, l) => `the file holds more than ${num(l, max)} reports (unit, cohort and day): split it by period or by district`,
    vi: ({ max }, l) => `Tệp có hơn ${num(l, max)} báo cáo (đơn vị, nhóm đối tượng và ngày): hãy chia tệp theo kỳ báo cáo hoặc theo huyện`,
  }),
  notXml: texts<{ line: number; reason: string }>({
    en: ({ line, reason }) => `the file is not well-formed XML (line ${line}): ${reason}`,
    vi: ({ line, reason }) => `Tệp không phải XML hợp lệ (dòng ${line}): ${reason}`,
  }),
  doctype: texts({
    en: () => 'the file declares a DOCTYPE: ADX files have none, and DTDs and entities are refused',
    vi: () => 'Tệp có khai báo DOCTYPE: tệp ADX không có khai báo này; DTD và thực thể (entity) bị từ chối',
  }),
  notAdx: texts<{ root: string }>({
    en: ({ root }) => `the root element is <${root}>, not <adx xmlns="urn:ihe:qrph:adx:2015">`,
    vi: ({ root }) => `Phần tử gốc là <${root}>, không phải <adx xmlns="urn:ihe:qrph:adx:2015">`,
  }),
  misplaced: texts<{ line: number; element: string; parent: string }>({
    en: ({ line, element, parent }) => `line ${line}: <${element}> cannot stand inside <${parent}> in ADX`,
    vi: ({ line, element, parent }) => `Dòng ${line}: phần tử <${element}> không được nằm trong <${parent}> theo chuẩn ADX`,
  }),
  missingAttribute: texts<{ line: number; element: string; attribute: string }>({
    en: ({ line, element, attribute }) => `line ${line}: <${element}> lacks its ${attribute} attribute`,
    vi: ({ line, element, attribute }) => `Dòng ${line}: phần tử <${element}> thiếu thuộc tính ${attribute}`,
  }),
  notDataValueSet: texts({
    en: () => 'the body is not a DHIS2 data value set: send a JSON object with a dataValues array',
    vi: () => 'Nội dung không phải bộ giá trị dữ liệu DHIS2: hãy gửi một đối tượng JSON có mảng dataValues',
  }),
  dataValueNotObject: texts({
    en: () => 'a data value must be a JSON object with dataElement, period, orgUnit and value',
    vi: () => 'Mỗi giá trị dữ liệu phải là một đối tượng JSON có dataElement, period, orgUnit và value',
  }),
  missingField: texts<{ field: string }>({
    en: ({ field }) => `${field} is missing`,
    vi: ({ field }) => `Thiếu ${field}`,
  }),
  unmappedElement: texts<{ element: string; combo: string }>({
    en: ({ element, combo }) =>
      `data element ${element}${combo ? ` (${combo})` : ''} is not in the mapping table: ask the administrator to map it (PUT /v1/exchange/mapping/elements/…)`,
    vi: ({ element, combo }) =>
      `Phần tử dữ liệu ${element}${combo ? ` (${combo})` : ''} chưa có trong bảng ánh xạ: đề nghị quản trị viên khai báo (PUT /v1/exchange/mapping/elements/…)`,
  }),
  notDaily: texts<{ period: string; example: string }>({
    en: ({ period, example }) => `period ${period} is not one day: reports are daily (e.g. ${example})`,
    vi: ({ period, example }) => `Kỳ báo cáo ${period} không phải một ngày: báo cáo được lập theo ngày (ví dụ ${example})`,
  }),
  duplicateValue: texts<{ field: string }>({
    en: ({ field }) => `${field} is given more than once for this unit, cohort and day`,
    vi: ({ field }) => `${field} được khai báo nhiều lần cho cùng đơn vị, nhóm đối tượng và ngày`,
  }),
} as const;

export function say<P>(t: Texts<P>, lang: Lang, p: P): string {
  return t[lang](p, lang);
}
