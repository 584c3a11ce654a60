import { readFileSync } from 'node:fs';
import { drawTrendCharts } from './assets/trend-chart.client';

/**
 * The two scripts of the dashboard, served by this service itself (officials' networks are closed: no
 * CDN): ECharts from its npm package, and the chart code, which is written in TypeScript beside the
 * service (type-checked and linted with it) and sent as the source of its one function.
 */
let echarts: Buffer | null = null;
export function echartsSource(): Buffer {
  echarts ??= readFileSync(require.resolve('echarts/dist/echarts.min.js'));
  return echarts;
}

export const TREND_SCRIPT = `'use strict';\n(${drawTrendCharts.toString()})();\n`;

/** A day: the files change only with a deployment, and the pages name them without a version. */
export const ASSET_CACHE = 'public, max-age=86400';
