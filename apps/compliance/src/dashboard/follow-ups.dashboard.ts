import type { Lang } from '@app/domain';
import type { Principal } from '@app/platform';
import { esc } from './dashboard-html';
import { FOLLOW_UP_SECTION_ROWS, FOLLOW_UP_WORDS } from '../presentation/follow-ups';
import type { FollowUp, QualityService } from '../quality/quality.service';

const WORDS = {
  vi: {
    heading: 'Số liệu cần kiểm tra lại',
    count: (n: number, shown: number) =>
      `${n} trường hợp đang chờ xử lý${n > shown ? `, ${shown} trường hợp nghiêm trọng nhất ở dưới` : ''}.`,
  },
  en: {
    heading: 'Figures to check',
    count: (n: number, shown: number) => `${n} open follow-ups${n > shown ? `, the ${shown} most severe below` : ''}.`,
  },
} as const;

/** The dashboard's section of open follow-ups (`<section id="follow-ups">`), each beside its unit. */
export function renderFollowUps(total: number, rows: readonly FollowUp[], lang: Lang): string {
  const w = { ...WORDS[lang], ...FOLLOW_UP_WORDS[lang] };
  if (!total) return `<section id="follow-ups"><h2>${esc(w.heading)}</h2><p>${esc(w.none)}</p></section>`;
  const shown = rows.slice(0, FOLLOW_UP_SECTION_ROWS);
  const body = shown
    .map(
      (r) =>
        `<tr class="severity-${esc(r.severity)}"><td><a href="/dashboard/units/${encodeURIComponent(r.orgUnitCode)}?lang=${lang}">${esc(r.unitName ?? r.orgUnitCode)}</a> (${esc(r.orgUnitCode)})</td><td>${esc(r.asOf)}</td><td>${esc(r.severityName)}</td><td>${esc(r.ruleName)}</td><td>${esc(r.message)}</td><td>${esc(r.statusName)}</td></tr>`,
    )
    .join('\n');
  return `<section id="follow-ups"><h2>${esc(w.heading)}</h2><p>${esc(w.count(total, shown.length))}</p>
<table><thead><tr>${w.headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${body}
</tbody></table></section>`;
}

/**
 * A dashboard page with its follow-ups section added at the end of the page's content: those the key may
 * see, under `unitCode` when given (a unit's page), dated on or before the page's day.
 */
export async function withFollowUps(
  html: string,
  quality: QualityService,
  principal: Principal,
  opts: { unitCode?: string; date?: string; lang: Lang },
): Promise<string> {
  const list = await quality.list(
    principal,
    { status: 'active', unit: opts.unitCode, to: opts.date, limit: FOLLOW_UP_SECTION_ROWS },
    opts.lang,
  );
  const section = renderFollowUps(list.total, list.items, opts.lang);
  const at = html.lastIndexOf('</main>');
  return at < 0 ? html : `${html.slice(0, at)}${section}\n${html.slice(at)}`;
}
