import { QUALITY_SEVERITY_LABELS, type Lang } from '@app/domain';
import { fmtInt } from '../presentation/format';
import { FOLLOW_UP_SECTION_ROWS, FOLLOW_UP_WORDS } from '../presentation/follow-ups';
import type { FollowUp, QualityService } from '../quality/quality.service';

const WORDS = {
  vi: {
    heading: '10. Số liệu cần kiểm tra lại (theo dõi chất lượng số liệu)',
    count: (n: string, parts: string) => `${n} trường hợp đang chờ xử lý (${parts}).`,
    more: (shown: string) => `Danh sách dưới đây nêu ${shown} trường hợp nghiêm trọng nhất; toàn bộ tại GET /v1/quality/follow-ups.`,
  },
  en: {
    heading: '10. Figures to check (data-quality follow-ups)',
    count: (n: string, parts: string) => `${n} open follow-ups (${parts}).`,
    more: (shown: string) => `The ${shown} most severe are listed below; all of them at GET /v1/quality/follow-ups.`,
  },
} as const;

/** How many follow-ups are open, by severity, and the first of them (most severe first). */
export interface FollowUpDigest {
  total: number;
  bySeverity: Record<string, number>;
  rows: FollowUp[];
}

/** The open follow-ups of reports dated on or before `date`: the same list as the API's, for every unit. */
export async function openFollowUpsOn(quality: QualityService, date: string, lang: Lang): Promise<FollowUpDigest> {
  const all = await quality.list(
    { keyId: 'report', role: 'analyst', orgUnitCode: null },
    { status: 'active', to: date, limit: 1000 },
    lang,
  );
  return { total: all.total, bySeverity: all.bySeverity, rows: all.items };
}

/** The section "figures to check", as the daily report's sections are made (heading, paragraphs, table). */
export function followUpSection(
  followUps: FollowUpDigest,
  lang: Lang,
): { heading: string; paragraphs: string[]; table?: { headers: string[]; rows: string[][] } } {
  const w = { ...WORDS[lang], ...FOLLOW_UP_WORDS[lang] };
  if (!followUps.total) return { heading: w.heading, paragraphs: [w.none] };
  const fmt = (n: number) => fmtInt(lang, n);
  const bySeverity = (['error', 'warning', 'info'] as const)
    .map((s) => [s, followUps.bySeverity[s] ?? 0] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${QUALITY_SEVERITY_LABELS[lang][s]}: ${fmt(n)}`)
    .join('; ');
  const shown = followUps.rows.slice(0, FOLLOW_UP_SECTION_ROWS);
  return {
    heading: w.heading,
    paragraphs: [w.count(fmt(followUps.total), bySeverity), ...(followUps.total > shown.length ? [w.more(fmt(shown.length))] : [])],
    table: {
      headers: [...w.headers],
      rows: shown.map((r) => [
        `${r.unitName ?? r.orgUnitCode} (${r.orgUnitCode})`,
        r.asOf,
        r.severityName,
        r.ruleName,
        r.message,
        r.statusName,
      ]),
    },
  };
}
