/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: their code is checked against the DOM.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium (installed by .ci/run when missing), driven by playwright-core: no browser download. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--lang=vi-VN',
    ],
  });
}

/** A browser context as an official's: Vietnamese locale and Vietnam's time zone, at a desktop or phone width. */
export function officialContext(browser: Browser, width: number, height = 900): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width, height },
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    deviceScaleFactor: 1,
    isMobile: width < 600,
    hasTouch: width < 600,
  });
}

/** Signs in through the dashboard's own form (the key goes into its HttpOnly cookie), landing on `path`. */
export async function signIn(page: Page, base: string, key: string, path: string): Promise<void> {
  const res = await page.goto(`${base}${path}`);
  if (res?.status() !== 401) throw new Error(`expected the login form on ${path}, got ${res?.status()}`);
  await page.fill('#key', key);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/dashboard/login')),
    page.click('form[action="/dashboard/login"] button'),
  ]);
}

/**
 * Words of English on a Vietnamese page: the rendered text (what a reader sees, not the markup) outside
 * elements marked lang="en" (the link to the English page), checked against common English words.
 * Proper nouns and format names that Vietnamese pages rightly use are allowed by the caller.
 */
export async function englishWords(page: Page, allowed: readonly string[]): Promise<string[]> {
  const text = await page.evaluate(() => {
    const out: string[] = [];
    const walk = (node: Node): void => {
      if (node.nodeType === Node.TEXT_NODE) {
        out.push(node.textContent ?? '');
        return;
      }
      if (!(node instanceof HTMLElement)) return;
      if (['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(node.tagName) || node.closest('[lang="en"]')) return;
      if (getComputedStyle(node).display === 'none') return;
      for (const c of Array.from(node.childNodes)) walk(c);
    };
    walk(document.body);
    return `${out.join(' ')} ${document.title}`;
  });
  const allow = new Set(allowed.map((w) => w.toLowerCase()));
  const words = text.match(/[A-Za-z]{3,}/g) ?? [];
  return [...new Set(words.filter((w) => ENGLISH.has(w.toLowerCase()) && !allow.has(w.toLowerCase())))];
}

/** Common English words, and every English word of the system's own labels, none of them a Vietnamese syllable. */
const ENGLISH = new Set(
  `the and with for from that this have has not are was were will all any more out into per over under its their
  rate rates target targets threshold deadline status statuses met track risk breached data day days date show log key keys
  unit units district districts commune communes province residents resident staff members member students student workers
  worker enterprise enterprises school schools youth association associations cadres civil servants public employees
  installed install installs population people still smartphone smartphones holders bluetooth
  report reports daily chairman department information communications office committee provincial
  support point points coverage covered assisted sessions session broadcast broadcasts announcement announcements start end
  activity activities campaign door household households visited reminded team teams venue venues customers guided
  visitors headquarters family help helped bus station stations ferry terminals
  download downloads table chart value values yesterday since head heads accountable overview page print
  worst first rank name type tree administrative accountability figures cohort cohorts reporting revision submitted
  operator address open opened none figure files trend trends below above reached short due today days`
    .split(/\s+/)
    .filter(Boolean),
);

/** How far the page reaches past the viewport's right edge (0: nothing is cut off or scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<{ overflow: number; widest: string | null }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest: string | null = null;
    let max = 0;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('body *'))) {
      // Inside a box that scrolls on its own, a wide child is reachable, not cut off.
      if (el.closest('.scroll') && !el.classList.contains('scroll')) continue;
      const r = el.getBoundingClientRect();
      if (r.right - width > max) {
        max = r.right - width;
        widest = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`;
      }
    }
    return { overflow: Math.max(max, document.documentElement.scrollWidth - width), widest };
  });
}

/** The data points of the charts on a page, as ECharts holds them (percent values), by target id. */
export function chartPoints(page: Page): Promise<Record<string, { labels: string[]; values: Array<number | null> }>> {
  return page.evaluate(() => {
    const lib = (window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } | undefined } }).echarts;
    const out: Record<string, { labels: string[]; values: Array<number | null> }> = {};
    for (const fig of Array.from(document.querySelectorAll<HTMLElement>('figure.chart'))) {
      const box = fig.querySelector('.trend');
      const chart = box ? lib.getInstanceByDom(box) : undefined;
      if (!chart) continue;
      const option = chart.getOption();
      out[fig.dataset.target ?? ''] = { labels: option.xAxis[0].data as string[], values: option.series[0].data as Array<number | null> };
    }
    return out;
  });
}
