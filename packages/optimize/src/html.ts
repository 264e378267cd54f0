/**
 * The HTML report of an optimisation: one self-contained page that works offline, with a
 * heatmap of the rank metric over two parameters, the walk-forward chart (the out-of-sample
 * equity stitched together, on the inlined lightweight-charts) and its windows in-sample
 * against out-of-sample, the ranked results, Monte Carlo and the failed runs.
 */
import { escapeHtml } from '@lumenlink/core';
import {
  chartLibraryScript,
  escapeJsonForHtml,
  formatPercent,
  formatRatio,
  formatTime,
  scriptHash,
  type BacktestMetrics,
} from '@lumenlink/analysis';
import type { Percentiles } from './monte-carlo.js';
import { describeData, describeStrategySource } from './provenance.js';
import { compareScored, metricLabel } from './ranking.js';
import type { OptimizeReport, ResultRow } from './run.js';
import { describeDimension, gridValues, type ParamValue } from './space.js';
import {
  backtestCommand,
  describePoint,
  fixedParams,
  formatMetric,
  formatValue,
  tradesNote,
  windowTable,
} from './table.js';

/** Options of {@link renderOptimizeHtml}. */
export interface OptimizeHtmlOptions {
  /** The lightweight-charts standalone build to inline (default: the installed package's). */
  readonly chartLibraryPath?: string;
  /** Rows of the results table (default 50). */
  readonly top?: number;
}

const colors = {
  background: '#0d1117',
  panel: '#161b22',
  border: '#30363d',
  grid: '#21262d',
  text: '#e6edf3',
  muted: '#8b949e',
  accent: '#58a6ff',
  up: '#26a69a',
  down: '#ef5350',
} as const;

/** One cell of the heatmap: the best row with these two values, if any. */
interface HeatmapCell {
  readonly x: ParamValue;
  readonly y: ParamValue | null;
  readonly row: ResultRow | null;
}

/** The heatmap's axes and cells, row by row (y), column by column (x). */
export interface Heatmap {
  readonly x: string;
  readonly y: string | null;
  readonly xValues: readonly ParamValue[];
  readonly yValues: readonly (ParamValue | null)[];
  readonly cells: readonly (readonly HeatmapCell[])[];
}

function axisValues(report: OptimizeReport, name: string): ParamValue[] {
  const dimension = report.dimensions.find((item) => item.name === name);
  const grid = dimension === undefined ? undefined : gridValues(dimension);
  // A grid's own values, in order; a random search's values are those it drew, sorted.
  const values =
    report.search.method === 'grid' && grid !== undefined
      ? [...grid]
      : [
          ...new Set(
            report.rows.map((row) => row.point[name]).filter((value) => value !== undefined),
          ),
        ];
  if (report.search.method !== 'grid' || grid === undefined) {
    values.sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
  }
  return values;
}

/**
 * The heatmap of two parameters: each cell holds the best row (by the ranking) among those with
 * its two values, whatever the other parameters; one parameter gives a single row.
 */
export function buildHeatmap(report: OptimizeReport): Heatmap | null {
  const axes = report.heatmap;
  if (axes === null) return null;
  const xValues = axisValues(report, axes.x);
  const yValues: (ParamValue | null)[] = axes.y === null ? [null] : axisValues(report, axes.y);
  const best = new Map<string, ResultRow>();
  for (const row of report.rows) {
    if (row.error !== null) continue;
    const key = JSON.stringify([row.point[axes.x], axes.y === null ? null : row.point[axes.y]]);
    const current = best.get(key);
    if (current === undefined || compareScored(row, current) < 0) best.set(key, row);
  }
  const cells = yValues.map((y) =>
    xValues.map((x) => ({ x, y, row: best.get(JSON.stringify([x, y])) ?? null })),
  );
  return { x: axes.x, y: axes.y, xValues, yValues, cells };
}

/** A colour from red (worst) through grey to green (best) for a share 0..1. */
function heatColor(share: number): string {
  const mix = (a: readonly number[], b: readonly number[], t: number): number[] =>
    a.map((value, index) => Math.round(value + ((b[index] ?? value) - value) * t));
  const red = [0xef, 0x53, 0x50];
  const grey = [0x30, 0x36, 0x3d];
  const green = [0x26, 0xa6, 0x9a];
  const rgb = share < 0.5 ? mix(red, grey, share * 2) : mix(grey, green, (share - 0.5) * 2);
  return `rgb(${rgb.join(', ')})`;
}

function heatmapHtml(report: OptimizeReport, heatmap: Heatmap): string {
  const scores = heatmap.cells
    .flat()
    .map((cell) => cell.row?.score)
    .filter((score): score is number => score !== undefined && Number.isFinite(score));
  const low = Math.min(...scores);
  const high = Math.max(...scores);
  const share = (score: number): number => {
    if (score === Infinity) return 1;
    if (score === -Infinity || Number.isNaN(score)) return 0;
    return high > low ? (score - low) / (high - low) : 0.5;
  };
  const label = metricLabel(report.metric);
  const head = `<tr><th scope="col">${escapeHtml(heatmap.y ?? '')}${heatmap.y === null ? '' : ' ↓ '}${escapeHtml(heatmap.x)} →</th>${heatmap.xValues
    .map((value) => `<th scope="col" class="num">${escapeHtml(formatValue(value))}</th>`)
    .join('')}</tr>`;
  const body = heatmap.cells
    .map((cells, index) => {
      const y = heatmap.yValues[index] ?? null;
      const cellsHtml = cells
        .map((cell) => {
          if (cell.row === null) return '<td class="cell empty" title="no result">—</td>';
          const { row } = cell;
          const title = `${describePoint(row.point)}: ${label} ${formatMetric(row.score, report.metric)}${row.qualified ? '' : ` (${tradesNote(report.minTrades)})`}`;
          return `<td class="cell${row.qualified ? '' : ' unqualified'}" style="background: ${heatColor(share(row.score))}" title="${escapeHtml(title)}" data-score="${escapeHtml(String(row.score))}">${escapeHtml(formatMetric(row.score, report.metric))}</td>`;
        })
        .join('');
      return `<tr><th scope="row" class="num">${escapeHtml(y === null ? '' : formatValue(y))}</th>${cellsHtml}</tr>`;
    })
    .join('\n');
  const what =
    report.mode === 'walk-forward' ? `mean in-sample ${label}` : `${label} over the whole period`;
  const rest =
    report.dimensions.length > (heatmap.y === null ? 1 : 2)
      ? '; each cell is the best over the other parameters'
      : '';
  return `<section class="panel">
<h2>Heatmap <span class="muted">(${escapeHtml(what)}${escapeHtml(rest)})</span></h2>
<div class="scroll"><table id="heatmap">
<thead>${head}</thead>
<tbody>
${body}
</tbody>
</table></div>
</section>`;
}

function metricCells(metrics: BacktestMetrics | null): string {
  if (metrics === null) return '<td class="num" colspan="7">failed</td>';
  return [
    formatPercent(metrics.totalReturn, { sign: true }),
    formatPercent(-metrics.maxDrawdown),
    formatRatio(metrics.sharpe),
    formatRatio(metrics.sortino),
    formatRatio(metrics.calmar),
    formatRatio(metrics.profitFactor),
    String(metrics.trades.total),
  ]
    .map((text) => `<td class="num">${escapeHtml(text)}</td>`)
    .join('');
}

function resultsHtml(report: OptimizeReport, top: number): string {
  const names = report.dimensions.map((dimension) => dimension.name);
  const rows = report.rows.slice(0, top);
  const sweep = report.mode === 'sweep';
  const label = metricLabel(report.metric);
  const head = [
    'Rank',
    ...names,
    ...(sweep
      ? ['Return', 'Max DD', 'Sharpe', 'Sortino', 'Calmar', 'PF', 'Trades']
      : [`Mean IS ${label}`, 'Windows', 'Chosen']),
  ]
    .map((title) => `<th scope="col" class="num">${escapeHtml(title)}</th>`)
    .join('');
  const body = rows
    .map((row) => {
      const params = names
        .map((name) => `<td class="num">${escapeHtml(formatValue(row.point[name]))}</td>`)
        .join('');
      const tail = sweep
        ? metricCells(row.metrics)
        : `<td class="num">${escapeHtml(row.error === null ? formatMetric(row.score, report.metric) : 'failed')}</td><td class="num">${row.windows}</td><td class="num">${row.chosen}</td>`;
      return `<tr${row.qualified ? '' : ' class="unqualified"'}><td class="num">${escapeHtml(`${row.rank ?? '-'}`)}</td>${params}${tail}</tr>`;
    })
    .join('\n');
  const more =
    report.rows.length > rows.length
      ? `<p class="muted">${report.rows.length - rows.length} more in the JSON output.</p>`
      : '';
  return `<section class="panel">
<h2>${sweep ? 'Results' : 'Parameter sets over the in-sample windows'} <span class="muted">(ranked by ${escapeHtml(sweep ? label : `mean in-sample ${label}`)}${report.minTrades > 0 ? escapeHtml(`; dimmed and ranked last: runs ${tradesNote(report.minTrades)}`) : ''})</span></h2>
<div class="scroll"><table id="results">
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table></div>
${more}
</section>`;
}

function windowsHtml(report: OptimizeReport): string {
  const walkForward = report.walkForward;
  if (walkForward === null) return '';
  const table = windowTable(report, '—');
  const numeric = (index: number): string => (index >= 1 && index <= 3 ? '' : ' class="num"');
  const rows = table.rows
    .map(
      (cells) =>
        `<tr>${cells.map((text, index) => `<td${numeric(index)}>${escapeHtml(text)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  const headers = table.header;
  return `<section class="panel">
<h2>Walk-forward <span class="muted">(${walkForward.options.anchored ? 'anchored' : 'rolling'} windows: out-of-sample equity stitched, each window starting where the last ended)</span></h2>
<div id="wf-chart" role="img" aria-label="Out-of-sample equity, stitched"></div>
<div class="scroll"><table id="windows">
<thead><tr>${headers.map((title, index) => `<th scope="col"${numeric(index)}>${escapeHtml(title)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
</section>`;
}

function monteCarloHtml(report: OptimizeReport): string {
  const monteCarlo = report.monteCarlo;
  if (monteCarlo === null) return '';
  const row = (title: string, values: Percentiles, sign: boolean): string =>
    `<tr><th scope="row">${escapeHtml(title)}</th>${[values.p5, values.p50, values.p95]
      .map((value) => `<td class="num">${escapeHtml(formatPercent(value, { sign }))}</td>`)
      .join('')}</tr>`;
  const subject =
    report.mode === 'walk-forward' ? 'the out-of-sample trades' : 'the best parameter set';
  return `<section class="panel">
<h2>Monte Carlo <span class="muted">(${escapeHtml(`${subject}: ${monteCarlo.trades} trades, ${monteCarlo.runs} runs of each, seed ${monteCarlo.seed}`)})</span></h2>
<table id="monte-carlo">
<thead><tr><th></th><th scope="col" class="num">5th</th><th scope="col" class="num">50th</th><th scope="col" class="num">95th</th></tr></thead>
<tbody>
${row('Return, bootstrap', monteCarlo.bootstrap.totalReturn, true)}
${row('Max drawdown, bootstrap', monteCarlo.bootstrap.maxDrawdown, false)}
${row('Max drawdown, shuffled order', monteCarlo.shuffle.maxDrawdown, false)}
</tbody>
</table>
<p class="muted">${escapeHtml(`In the actual order: return ${formatPercent(monteCarlo.actual.totalReturn, { sign: true })}, max drawdown ${formatPercent(monteCarlo.actual.maxDrawdown)}. Bootstrap runs ending in a loss: ${formatPercent(monteCarlo.bootstrap.probabilityOfLoss)}.`)}</p>
</section>`;
}

function failuresHtml(report: OptimizeReport): string {
  if (report.failures.length === 0 && report.search.rejected.length === 0) return '';
  const failures = report.failures
    .map(
      (failure) =>
        `<li>${escapeHtml(`${describePoint(failure.point)}${failure.from === null ? '' : ` [${formatTime(failure.from)} → ${formatTime(failure.to ?? failure.from)}]`}: ${failure.error}${failure.crashed ? ' (the worker crashed and was replaced)' : ''}`)}</li>`,
    )
    .join('\n');
  const rejected = report.search.rejected
    .slice(0, 20)
    .map((item) => `<li>${escapeHtml(`${describePoint(item.point)}: ${item.reason}`)}</li>`)
    .join('\n');
  return `<section class="panel">
<h2>Failed and refused runs</h2>
${report.failures.length > 0 ? `<ul id="failures">\n${failures}\n</ul>` : ''}
${report.search.rejected.length > 0 ? `<p class="muted">${report.search.rejected.length} parameter set(s) refused by the strategy${report.search.rejected.length > 20 ? ' (the first 20)' : ''}:</p><ul id="rejected">\n${rejected}\n</ul>` : ''}
</section>`;
}

function card(label: string, value: string, id: string): string {
  return `<div class="card" id="${id}"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`;
}

/** The walk-forward chart's data: times in seconds, strictly ascending. */
function chartData(report: OptimizeReport): {
  equity: number[][];
  markers: { time: number; position: 'aboveBar'; shape: 'circle'; color: string; text: string }[];
  colors: typeof colors;
} | null {
  const walkForward = report.walkForward;
  if (walkForward === null) return null;
  const equity: number[][] = [];
  for (const point of walkForward.stitched) {
    const time = Math.floor(point.time / 1000);
    if (!Number.isFinite(point.equity)) continue;
    if (equity.length > 0 && equity.at(-1)![0]! >= time) equity.pop();
    equity.push([time, point.equity]);
  }
  const markers = walkForward.windows.flatMap((result) => {
    const start = Math.floor(result.window.outOfSample.from / 1000);
    const first = equity.find((row) => row[0]! >= start);
    return first === undefined
      ? []
      : [
          {
            time: first[0]!,
            position: 'aboveBar' as const,
            shape: 'circle' as const,
            color: colors.muted,
            text: `W${result.window.index + 1}`,
          },
        ];
  });
  return { equity, markers, colors };
}

/**
 * Renders the HTML report of an optimisation. The page loads nothing: the chart library and the
 * data are inlined, and a Content-Security-Policy allows only its own scripts (by hash). Without
 * walk-forward there is no chart and no script at all.
 *
 * @example
 * ```ts
 * writeFileSync('optimize.html', renderOptimizeHtml(report));
 * ```
 * @throws {Error} when the lightweight-charts build cannot be read (walk-forward only).
 */
export function renderOptimizeHtml(
  report: OptimizeReport,
  options: OptimizeHtmlOptions = {},
): string {
  const data = chartData(report);
  const library = data === null ? '' : chartLibraryScript(options.chartLibraryPath);
  const scripts =
    data === null
      ? ''
      : `<script type="application/json" id="optimize-data">${escapeJsonForHtml(JSON.stringify(data))}</script>
<script>${library}</script>
<script>${clientScript}</script>`;
  const csp = [
    "default-src 'none'",
    data === null
      ? "script-src 'none'"
      : `script-src ${scriptHash(library)} ${scriptHash(clientScript)}`,
    "style-src 'unsafe-inline'",
  ].join('; ');
  const heatmap = buildHeatmap(report);
  const best = report.best;
  const label = metricLabel(report.metric);
  const title = `${report.strategy} on ${report.symbols.join(', ')} ${report.interval}`;
  const cards = [
    card('Parameter sets', String(report.search.points), 'card-points'),
    card(
      report.mode === 'walk-forward' ? `Best mean IS ${label}` : `Best ${label}`,
      best === null ? '—' : formatMetric(best.score, report.metric),
      'card-best',
    ),
    card('Best parameters', best === null ? '—' : describePoint(best.point), 'card-params'),
    ...(report.walkForward === null
      ? []
      : [
          card(
            'Out-of-sample return',
            formatPercent(report.walkForward.totalReturn, { sign: true }),
            'card-oos',
          ),
        ]),
    ...(report.monteCarlo === null
      ? []
      : [
          card(
            'Return, 5th percentile',
            formatPercent(report.monteCarlo.bootstrap.totalReturn.p5, { sign: true }),
            'card-mc',
          ),
        ]),
  ];
  const settings: [string, string][] = [
    [
      'Space',
      report.dimensions
        .map((dimension) => `${dimension.name} ${describeDimension(dimension)}`)
        .join(' · '),
    ],
    [
      'Search',
      `${report.search.method}${report.search.method === 'random' ? `, seed ${report.search.seed}` : ''}: ${report.search.points} parameter sets run, ${report.search.rejected.length} refused by the strategy`,
    ],
    ['Strategy', describeStrategySource(report.provenance.strategy)],
    ['Fixed parameters', JSON.stringify(fixedParams(report))],
    ['Candles', describeData(report.provenance.data)],
    ['Starting cash', String(report.settings.startingCash)],
    [
      'Fee / slippage',
      `${report.settings.feeBps} / ${report.settings.slippageBps} bps, fills at ${report.settings.fillMode}`,
    ],
    ['Fill model and risk', JSON.stringify(report.settings)],
    ...(best === null
      ? []
      : ([['Backtest the best', backtestCommand(report, best.point)]] as [string, string][])),
  ];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(`LumenLink optimize: ${title}`)}</title>
<style>${styles}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(`Optimize ${title}`)}</h1>
<p class="subtitle">${escapeHtml(`${formatTime(report.period.from)} → ${formatTime(report.period.to)} UTC · ranked by ${label} · ${report.mode === 'walk-forward' ? 'walk-forward' : 'whole-period sweep'}`)}</p>
</header>
<section class="cards" aria-label="Headline figures">
${cards.join('\n')}
</section>
${heatmap === null ? '' : heatmapHtml(report, heatmap)}
${windowsHtml(report)}
${resultsHtml(report, options.top ?? 50)}
${monteCarloHtml(report)}
${failuresHtml(report)}
<section class="panel">
<h2>Settings</h2>
<table id="settings"><tbody>
${settings.map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</tbody></table>
</section>
<footer>LumenLink optimize report.${data === null ? '' : ' Chart by TradingView Lightweight Charts™ (Apache-2.0), inlined.'} This page loads nothing from the network.</footer>
</main>
${scripts}
</body>
</html>
`;
}

const styles = `
:root { color-scheme: dark; }
* { box-sizing: border-box; }
body {
  margin: 0; background: ${colors.background}; color: ${colors.text};
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 40px; display: grid; gap: 16px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
.subtitle, .muted { color: ${colors.muted}; }
.subtitle { margin: 4px 0 0; }
h2 { margin: 0 0 12px; font-size: 15px; font-weight: 600; }
h2 .muted { font-weight: 400; }
.panel { background: ${colors.panel}; border: 1px solid ${colors.border}; border-radius: 8px; padding: 16px; min-width: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; }
.card { background: ${colors.panel}; border: 1px solid ${colors.border}; border-radius: 8px; padding: 12px 14px; }
.card .label { color: ${colors.muted}; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid ${colors.border}; white-space: nowrap; }
thead th { color: ${colors.muted}; font-weight: 500; font-size: 12px; }
.num { text-align: right; }
#heatmap { width: auto; }
#heatmap td.cell { text-align: center; min-width: 64px; color: #fff; border: 1px solid ${colors.background}; }
#heatmap td.empty { color: ${colors.muted}; background: ${colors.background}; }
#heatmap td.unqualified, #results tr.unqualified td { opacity: 0.55; }
#wf-chart { width: 100%; height: 360px; margin-bottom: 12px; }
#settings td { white-space: normal; overflow-wrap: anywhere; }
.scroll { overflow: auto; max-height: 640px; }
footer { color: ${colors.muted}; font-size: 12px; text-align: center; }
`;

/**
 * The page's script: draws the stitched out-of-sample equity with the inlined lightweight-charts
 * (v5), a marker where each window starts. Plain ES2017, no template literals.
 */
const clientScript = String.raw`
(function () {
  'use strict';
  var LC = window.LightweightCharts;
  var data = JSON.parse(document.getElementById('optimize-data').textContent);
  var colors = data.colors;
  var container = document.getElementById('wf-chart');
  var chart = LC.createChart(container, {
    autoSize: true,
    layout: {
      background: { type: LC.ColorType.Solid, color: colors.panel },
      textColor: colors.muted,
      fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'
    },
    grid: { vertLines: { color: colors.grid }, horzLines: { color: colors.grid } },
    rightPriceScale: { borderColor: colors.border },
    timeScale: { borderColor: colors.border, timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 }
  });
  var equity = chart.addSeries(LC.LineSeries, {
    color: colors.accent, lineWidth: 2, title: 'Out-of-sample equity',
    priceFormat: { type: 'price', precision: 2, minMove: 0.01 }
  });
  equity.setData(data.equity.map(function (row) { return { time: row[0], value: row[1] }; }));
  LC.createSeriesMarkers(equity, data.markers);
  container.dataset.points = String(data.equity.length);
  container.dataset.markers = String(data.markers.length);
  chart.timeScale().fitContent();
})();
`;
