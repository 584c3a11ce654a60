import type { ReportLang } from './dto/daily-report-query.dto';

/** Counts, rates and changes as officials read them (97,81%; 1.234; +2,50), for the report, the dashboard and the documents. */
export function fmtInt(lang: ReportLang, n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

export function fmtPct(lang: ReportLang, r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  return `${new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r * 100)}%`;
}

export function fmtPoints(lang: ReportLang, d: number): string {
  const s = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
    signDisplay: 'always',
  }).format(d * 100);
  return s;
}
