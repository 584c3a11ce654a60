import type { Lang } from '@app/domain';

/**
 * Counts, rates, changes and dates as officials read them (97,81%; 1.234; +2,50; 30/08/2020), for the
 * daily report, its documents and the dashboard.
 */
const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

export function fmtInt(lang: Lang, n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return new Intl.NumberFormat(locale(lang)).format(n);
}

export function fmtPct(lang: Lang, r: number | null | undefined): string {
  if (r === null || r === undefined) return '—';
  return `${new Intl.NumberFormat(locale(lang), { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(r * 100)}%`;
}

/** A change in percentage points, always signed (+2,50; −1,25). */
export function fmtPoints(lang: Lang, d: number): string {
  return new Intl.NumberFormat(locale(lang), { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'always' }).format(d * 100);
}

/** A campaign day (2020-08-30) as officials write it: 30/08/2020. */
export function fmtDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** An "as of" time (2020-08-30T17:05:12+07:00, already on the province's clock) as officials write it: 17:05:12 30/08/2020. */
export function fmtDateTime(at: string): string {
  return `${at.slice(11, 19)} ${fmtDate(at.slice(0, 10))}`;
}
