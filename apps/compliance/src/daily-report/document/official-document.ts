import type { ReportDoc, ReportSection } from '../daily-report.render';
import { inLanguage, type OfficialDocumentSettings } from './official-document.settings';

/**
 * The daily report laid out as an administrative document of Decree 30/2020/ND-CP: the national title
 * and motto, the issuing body, number and symbol, place and date, subject, then the report's own body
 * (whatever sections the daily-report service built), recipients and signature. PDF and DOCX are two
 * renderings of this one value.
 */
export interface OfficialDocument {
  lang: ReportDoc['lang'];
  nation: string;
  motto: string;
  issuerSuperior: string;
  issuer: string;
  /** "Số: …/BC-STTTT": the number is left blank for the clerk who registers the document. */
  number: string;
  /** "Trà Vinh, ngày 30 tháng 8 năm 2020". */
  placeDate: string;
  /** The kind of document, centred above the subject ("BÁO CÁO"). */
  kind: string;
  /** The subject line ("V/v …"). */
  subject: string;
  title: string;
  lead: string[];
  sections: ReportSection[];
  recipientsHeading: string;
  recipients: string[];
  signer: { authority: string; title: string; name: string };
}

const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * The date line of Decree 30 (Appendix I): days below 10 and months below 3 take a leading zero
 * ("ngày 05 tháng 02 năm 2020", "ngày 30 tháng 8 năm 2020").
 */
export function placeAndDate(lang: ReportDoc['lang'], place: string, date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (lang === 'en') return `${place}, ${d} ${MONTHS_EN[m - 1]} ${y}`;
  const dd = d < 10 ? `0${d}` : String(d);
  const mm = m < 3 ? `0${m}` : String(m);
  return `${place}, ngày ${dd} tháng ${mm} năm ${y}`;
}

const WORDS = {
  vi: {
    nation: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    motto: 'Độc lập - Tự do - Hạnh phúc',
    number: (symbol: string) => `Số: …/${symbol}`,
    kind: 'BÁO CÁO',
    subject: (title: string) => `V/v ${title.charAt(0).toLowerCase()}${title.slice(1)}`,
    recipients: 'Nơi nhận:',
  },
  en: {
    nation: 'SOCIALIST REPUBLIC OF VIET NAM',
    motto: 'Independence - Freedom - Happiness',
    number: (symbol: string) => `No.: …/${symbol}`,
    kind: 'REPORT',
    subject: (title: string) => `Re: ${title}`,
    recipients: 'Recipients:',
  },
} as const;

export function toOfficialDocument(doc: ReportDoc, date: string, s: OfficialDocumentSettings): OfficialDocument {
  const w = WORDS[doc.lang];
  const named = (key: Parameters<typeof inLanguage>[1]) => inLanguage(s, key, doc.lang);
  return {
    lang: doc.lang,
    nation: w.nation,
    motto: w.motto,
    issuerSuperior: named('REPORT_ISSUER_SUPERIOR'),
    issuer: named('REPORT_ISSUER'),
    number: w.number(s.REPORT_SYMBOL),
    placeDate: placeAndDate(doc.lang, s.REPORT_PLACE, date),
    kind: w.kind,
    subject: w.subject(doc.title),
    title: doc.title,
    lead: doc.lead,
    sections: doc.sections,
    recipientsHeading: w.recipients,
    recipients: [
      ...named('REPORT_RECIPIENTS')
        .split(';')
        .map((r) => r.trim())
        .filter(Boolean)
        .map((r) => `- ${r};`),
      `- ${named('REPORT_ARCHIVE')}.`,
    ],
    signer: { authority: named('REPORT_SIGNER_AUTHORITY'), title: named('REPORT_SIGNER_TITLE'), name: s.REPORT_SIGNER_NAME },
  };
}
