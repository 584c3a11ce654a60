/**
 * The dashboard's only script of its own, run in the browser after ECharts (served from this service,
 * never a CDN). It is sent as the source of `drawTrendCharts` (see dashboard-assets.ts), so it must be
 * self-contained: no imports, nothing from the module around it. Each chart's data is a JSON data block
 * beside its box (the CSP runs no inline script, and a data block is not one).
 */

interface ChartData {
  lang: 'vi' | 'en';
  dates: string[];
  labels: string[];
  fullLabels: string[];
  values: Array<number | null>;
  threshold: number;
  deadline: string;
  deadlineLabel: string;
  today: string;
  todayLabel: string;
  words: { value: string; threshold: string; deadline: string; shown: string };
}

/** The few browser objects used (the service's TypeScript has no DOM library). */
interface ChartBox {
  dataset: Record<string, string | undefined>;
}
interface DataBlock {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
}
interface BrowserGlobals {
  echarts?: EChartsGlobal;
  document: {
    querySelectorAll(selector: string): { forEach(fn: (el: DataBlock) => void): void };
    getElementById(id: string): ChartBox | null;
  };
  addEventListener(type: string, fn: () => void): void;
}

interface EChartsInstance {
  setOption(option: unknown): void;
  resize(): void;
}
interface EChartsGlobal {
  init(el: ChartBox, theme?: string | null, opts?: { renderer?: 'canvas' | 'svg'; locale?: string }): EChartsInstance;
}

export function drawTrendCharts(): void {
  const g = globalThis as unknown as BrowserGlobals;
  const lib = g.echarts;
  if (!lib) return;
  const charts: EChartsInstance[] = [];
  g.document.querySelectorAll('script[type="application/json"][data-chart-for]').forEach((block) => {
    const el = g.document.getElementById(block.dataset.chartFor ?? '');
    if (!el) return;
    const d = JSON.parse(block.textContent ?? '{}') as ChartData;
    const nf = new Intl.NumberFormat(d.lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 2 });
    const pct = (v: number) => `${nf.format(v)}%`;
    const top = Math.max(100, d.threshold, ...d.values.map((v) => v ?? 0));
    const chart = lib.init(el, null, { renderer: 'canvas', locale: 'EN' });
    const marks: unknown[] = [
      {
        yAxis: d.threshold,
        name: d.words.threshold,
        lineStyle: { color: '#c62828', type: 'dashed', width: 2 },
        label: { formatter: `${d.words.threshold} ${pct(d.threshold)}`, position: 'insideEndTop', color: '#c62828' },
      },
    ];
    if (d.dates.includes(d.deadline))
      marks.push({
        xAxis: d.labels[d.dates.indexOf(d.deadline)],
        name: d.words.deadline,
        lineStyle: { color: '#1b2733', type: 'solid', width: 2 },
        label: { formatter: `${d.words.deadline} ${d.deadlineLabel}`, position: 'insideEndTop', color: '#1b2733' },
      });
    if (d.today !== d.deadline && d.dates.includes(d.today))
      marks.push({
        xAxis: d.labels[d.dates.indexOf(d.today)],
        name: d.words.shown,
        lineStyle: { color: '#5b6b7a', type: 'dotted', width: 1 },
        label: { formatter: d.todayLabel, position: 'insideStartTop', color: '#5b6b7a' },
      });
    chart.setOption({
      animation: false,
      grid: { left: 52, right: 18, top: 28, bottom: 36 },
      tooltip: {
        trigger: 'axis',
        formatter: (params: Array<{ dataIndex: number; value: number | null }>) => {
          const p = params[0];
          return p ? `${d.fullLabels[p.dataIndex]}<br>${d.words.value}: ${p.value === null ? '—' : pct(p.value)}` : '';
        },
      },
      xAxis: { type: 'category', data: d.labels, boundaryGap: false, axisLabel: { hideOverlap: true } },
      yAxis: { type: 'value', min: 0, max: Math.ceil(top / 10) * 10, axisLabel: { formatter: (v: number) => pct(v) } },
      series: [
        {
          name: d.words.value,
          type: 'line',
          data: d.values,
          connectNulls: false,
          showSymbol: true,
          symbolSize: 5,
          lineStyle: { width: 3, color: '#0b5394' },
          itemStyle: { color: '#0b5394' },
          areaStyle: { color: 'rgba(11,83,148,0.08)' },
          markLine: { symbol: 'none', silent: true, data: marks },
        },
      ],
    });
    el.dataset.ready = 'true';
    charts.push(chart);
  });
  const resize = () => charts.forEach((c) => c.resize());
  g.addEventListener('resize', resize);
  g.addEventListener('beforeprint', resize);
}
