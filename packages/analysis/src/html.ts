import {
  formatDuration,
  formatMoney,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatRatio,
  formatTime,
} from './format.js';
import { escapeHtml } from '@lumenlink/core';
import { chartLibraryScript, escapeJsonForHtml, scriptHash } from './page.js';
import { buyAndHoldEquity, drawdownSeries, type BacktestMetrics } from './metrics.js';
import { provenanceSection } from './provenance-html.js';
import { reportChartScript } from './report-chart-script.js';
import { blockedRows, metricSections, settingRows, type ReportRow } from './rows.js';
import type { Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from './types.js';

/** Options of {@link renderHtmlReport}. */
export interface HtmlReportOptions {
  /**
   * The lightweight-charts standalone build to inline. Default: the installed package's
   * `dist/lightweight-charts.standalone.production.js`.
   */
  readonly chartLibraryPath?: string;
}

/** Colours of the page, shared by its CSS and the chart. */
const palette = {
  background: '#0d1117',
  panel: '#161b22',
  border: '#30363d',
  grid: '#21262d',
  text: '#e6edf3',
  muted: '#8b949e',
  accent: '#58a6ff',
  up: '#26a69a',
  down: '#ef5350',
  upVolume: 'rgba(38, 166, 154, 0.35)',
  downVolume: 'rgba(239, 83, 80, 0.35)',
} as const;

/**
 * Renders the HTML report of a run: one self-contained page that works offline. It inlines
 * TradingView's lightweight-charts and the run's data, and shows candles with entry and exit
 * markers (a symbol selector when there are several), an equity pane against buy-and-hold, a
 * drawdown pane, the metrics, the signals risk blocked, the trade list and the settings, and,
 * when the input carries its provenance, what produced the run (strategy source and hash,
 * parameters, every setting, the data's range and hash). A Content-Security-Policy allows only
 * the page's own inline scripts and styles: the page makes no request at all.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', renderHtmlReport(result, computeMetrics(result)));
 * ```
 * @throws {Error} when the lightweight-charts build cannot be read.
 */
export function renderHtmlReport(
  input: ReportInput,
  metrics: BacktestMetrics,
  options: HtmlReportOptions = {},
): string {
  const library = chartLibraryScript(options.chartLibraryPath);
  const data = escapeJsonForHtml(JSON.stringify(chartData(input)));
  const symbols = Object.keys(input.candles);
  // Keywords and base64 hashes only: nothing in it needs escaping in the attribute.
  const csp = [
    "default-src 'none'",
    `script-src ${scriptHash(library)} ${scriptHash(reportChartScript)}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
  ].join('; ');
  const period = `${formatTime(input.from)} → ${formatTime(input.to)} UTC`;
  const blocked = blockedRows(metrics);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${escapeHtml(`LumenLink backtest: ${input.title}`)}</title>
<style>${styles}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(input.title)}</h1>
<p class="subtitle">${escapeHtml(`${input.strategy} · ${input.interval} · ${period} · ${symbols.join(', ') || 'no symbols'}`)}</p>
</header>
<section class="cards" aria-label="Headline figures">
${[
  card('Total return', formatPercent(metrics.totalReturn, { sign: true }), metrics.totalReturn),
  card(
    'Buy and hold',
    formatPercent(metrics.buyAndHoldReturn, { sign: true }),
    metrics.buyAndHoldReturn,
  ),
  card('Max drawdown', formatPercent(-metrics.maxDrawdown), -metrics.maxDrawdown),
  card('Sharpe', formatRatio(metrics.sharpe), metrics.sharpe),
  card('Win rate', formatPercent(metrics.winRate), 0),
  card('Trades', String(metrics.trades.total), 0),
].join('\n')}
</section>
<section class="panel">
<div class="toolbar">
${symbolPicker(symbols)}
${legend(symbols.length)}
</div>
<div class="chart-box">
<div id="chart" role="img" aria-label="Price, equity and drawdown chart"></div>
<div id="marker-detail" role="status" hidden></div>
</div>
</section>
<div class="columns">
<section class="panel">
<h2>Metrics</h2>
<table id="metrics">
${metricSections(metrics)
  .map(
    (section) =>
      `<tbody>\n<tr class="section"><th colspan="3" scope="rowgroup">${escapeHtml(section.title)}</th></tr>\n${section.rows.map(rowHtml).join('\n')}\n</tbody>`,
  )
  .join('\n')}
</table>
</section>
<div class="stack">
<section class="panel">
<h2>Signals blocked by risk</h2>
${blocked.length > 0 ? `<table id="blocked"><tbody>\n${blocked.map(rowHtml).join('\n')}\n</tbody></table>` : '<p class="muted" id="blocked">No signal was blocked.</p>'}
</section>
<section class="panel">
<h2>Settings</h2>
<table id="settings"><tbody>
${settingRows(input, metrics).map(settingRowHtml).join('\n')}
</tbody></table>
</section>
</div>
</div>
<section class="panel">
<h2>Trades <span class="muted">(${metrics.trades.closed} closed, ${metrics.trades.open} open)</span></h2>
<div class="scroll">
<table id="trades">
<thead><tr><th>#</th><th>Symbol</th><th>Entry signal</th><th>Entry</th><th class="num">Entry price</th><th>Exit signal</th><th>Exit</th><th class="num">Exit price</th><th class="num">Quantity</th><th class="num">Fees</th><th class="num">P&amp;L</th><th class="num">Return</th><th>Reason</th><th class="num">Held</th></tr></thead>
<tbody>
${input.trades.map((trade, index) => tradeRow(trade, index)).join('\n')}
</tbody>
</table>
</div>
${input.trades.length === 0 ? '<p class="muted">No trades.</p>' : ''}
</section>
${provenanceSection(input.provenance)}<footer>LumenLink backtest report. Charts by TradingView Lightweight Charts™ (Apache-2.0), inlined: this page loads nothing from the network.</footer>
</main>
<script type="application/json" id="report-data">${data}</script>
<script>${library}</script>
<script>${reportChartScript}</script>
</body>
</html>
`;
}

/** What the page's script draws, compact: times in seconds, rows as arrays. */
interface ChartData {
  readonly symbols: readonly string[];
  /** Per symbol: `[time, open, high, low, close, volume]`. */
  readonly candles: Record<string, number[][]>;
  readonly precision: Record<string, number>;
  readonly markers: Record<string, ChartMarker[]>;
  /** `[time, value]` rows. */
  readonly equity: number[][];
  readonly buyAndHold: number[][];
  /** Drawdown in percent, 0 or negative. */
  readonly drawdown: number[][];
  /** Decimals of the drawdown's crosshair label: enough to tell its deepest point from 0. */
  readonly drawdownDecimals: number;
  readonly colors: typeof palette;
}

/**
 * One entry or exit on a symbol's candles. The page clusters them by the pixels between them at
 * the current zoom, so it gets each one separately.
 */
interface ChartMarker {
  readonly time: number;
  /** An entry (an arrow below the bar) or an exit (above it). */
  readonly entry: boolean;
  /** The trade's net P&L: an exit, or a cluster of exits, is coloured by its sign. */
  readonly pnl: number;
  /** What a lone marker shows beside it when there is room: `Buy`, `+1.13%`. */
  readonly label: string;
  /** The line the hover box shows: the trade's number in the list, price, result, time. */
  readonly detail: string;
}

function chartData(input: ReportInput): ChartData {
  const candles: Record<string, number[][]> = {};
  const precision: Record<string, number> = {};
  const markers: Record<string, ChartMarker[]> = {};
  for (const [symbol, series] of Object.entries(input.candles)) {
    const rows = ascendingUnique(
      series.filter((candle) =>
        [candle.time, candle.open, candle.high, candle.low, candle.close].every(Number.isFinite),
      ),
    );
    candles[symbol] = rows.map((candle) => [
      seconds(candle.time),
      candle.open,
      candle.high,
      candle.low,
      candle.close,
      Number.isFinite(candle.volume) ? candle.volume : 0,
    ]);
    precision[symbol] = pricePrecision(rows);
    markers[symbol] = tradeMarkers(input.trades, symbol);
  }
  const finitePoints = (points: readonly { time: number; value: number }[]): number[][] =>
    ascendingUnique(
      points.filter((point) => Number.isFinite(point.time) && Number.isFinite(point.value)),
    ).map((point) => [seconds(point.time), point.value]);
  const drawdown = finitePoints(
    drawdownSeries(input.startingCash, input.equity).map((point) => ({
      time: point.time,
      value: -point.drawdown * 100,
    })),
  );
  return {
    symbols: Object.keys(input.candles),
    candles,
    precision,
    markers,
    equity: finitePoints(input.equity.map((point) => ({ time: point.time, value: point.equity }))),
    buyAndHold: finitePoints(
      buyAndHoldEquity(input).map((point) => ({ time: point.time, value: point.equity })),
    ),
    drawdown,
    drawdownDecimals: percentDecimals(
      drawdown.reduce((deepest, row) => Math.max(deepest, -(row[1] ?? 0)), 0),
    ),
    colors: palette,
  };
}

/** Decimals that show a percentage of this size with two significant digits, 2 to 6. */
function percentDecimals(deepest: number): number {
  if (!(deepest > 0)) return 2;
  return Math.max(2, Math.min(6, 1 - Math.floor(Math.log10(deepest))));
}

/** A symbol's entries and exits; each names its trade by its number in the trade list. */
function tradeMarkers(trades: readonly Trade[], symbol: string): ChartMarker[] {
  const markers: ChartMarker[] = [];
  for (const [index, trade] of trades.entries()) {
    if (trade.symbol !== symbol) continue;
    const number = `#${index + 1}`;
    markers.push({
      time: seconds(trade.entryTime),
      entry: true,
      pnl: trade.pnl,
      label: 'Buy',
      detail: `${number} buy ${formatQuantity(trade.quantity)} @ ${formatPrice(trade.entryPrice)}, ${formatTime(trade.entryTime)}`,
    });
    if (trade.exitTime !== null) {
      const result = formatPercent(tradeReturn(trade), { sign: true });
      const price = trade.exitPrice === null ? '' : ` @ ${formatPrice(trade.exitPrice)}`;
      markers.push({
        time: seconds(trade.exitTime),
        entry: false,
        pnl: trade.pnl,
        label: result,
        detail: `${number} ${trade.exitReason ?? 'exit'}${price}: ${result} (${formatMoney(trade.pnl, { sign: true })}), ${formatTime(trade.exitTime)}`,
      });
    }
  }
  return markers.sort((a, b) => a.time - b.time);
}

/** Sorted by time, the last of equal times kept: the chart requires strictly ascending times. */
function ascendingUnique<T extends { readonly time: number }>(rows: readonly T[]): T[] {
  const sorted = [...rows].sort((a, b) => a.time - b.time);
  return sorted.filter((row, index) => sorted[index + 1]?.time !== row.time);
}

/** Decimals to show a symbol's prices with: 2 from 10 up, more below (8 at most). */
function pricePrecision(candles: readonly ReportCandle[]): number {
  const closes = candles.map((candle) => Math.abs(candle.close)).filter((close) => close > 0);
  if (closes.length === 0) return 2;
  const smallest = Math.min(...closes);
  return Math.max(2, Math.min(8, 3 - Math.floor(Math.log10(smallest))));
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

function tradeReturn(trade: Trade): number {
  const cost = trade.entryPrice * trade.quantity;
  return cost > 0 ? trade.pnl / cost : 0;
}

function symbolPicker(symbols: readonly string[]): string {
  if (symbols.length <= 1) {
    return `<span class="symbol">${escapeHtml(symbols[0] ?? 'no candles')}</span>`;
  }
  const options = symbols
    .map((symbol) => `<option value="${escapeHtml(symbol)}">${escapeHtml(symbol)}</option>`)
    .join('');
  return `<label class="symbol">Symbol <select id="symbol">${options}</select></label>`;
}

/** What the chart's lines and marks are; with several symbols, which are the portfolio's. */
function legend(symbolCount: number): string {
  const several = symbolCount > 1;
  return `<ul class="legend">
<li><span class="swatch candle"></span>Candles, <span class="arrow up">▲</span> entry <span class="arrow down">▼</span> exit; a number counts trades close together: hover, or zoom in</li>
<li><span class="swatch equity"></span>${several ? 'Equity, all symbols' : 'Equity'}</li>
<li><span class="swatch hold"></span>${several ? 'Buy and hold, equal weight' : 'Buy and hold'}</li>
<li><span class="swatch drawdown"></span>Drawdown from peak, %</li>
</ul>`;
}

function card(label: string, value: string, sign: number): string {
  return `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="${`value ${toneClass(sign)}`.trim()}">${escapeHtml(value)}</div></div>`;
}

function rowHtml(row: ReportRow): string {
  const tone = row.tone === undefined ? '' : ` ${row.tone}`;
  const note = row.note === undefined ? '' : escapeHtml(row.note);
  return `<tr><th scope="row">${escapeHtml(row.label)}</th><td class="value${tone}">${escapeHtml(row.value)}</td><td class="note">${note}</td></tr>`;
}

/** A setting: its note follows the value in the same cell, the values are free text. */
function settingRowHtml(row: ReportRow): string {
  const note = row.note === undefined ? '' : ` <span class="note">${escapeHtml(row.note)}</span>`;
  return `<tr><th scope="row">${escapeHtml(row.label)}</th><td class="value">${escapeHtml(row.value)}${note}</td></tr>`;
}

function tradeRow(trade: Trade, index: number): string {
  const open = trade.exitTime === null;
  const held = (trade.exitTime ?? Number.NaN) - trade.entryTime;
  const cells = [
    cell(String(index + 1), 'num'),
    cell(trade.symbol),
    cell(formatTime(trade.entrySignalTime)),
    cell(formatTime(trade.entryTime)),
    cell(formatPrice(trade.entryPrice), 'num'),
    cell(trade.exitSignalTime === null ? '' : formatTime(trade.exitSignalTime)),
    cell(trade.exitTime === null ? 'open' : formatTime(trade.exitTime)),
    cell(trade.exitPrice === null ? '' : formatPrice(trade.exitPrice), 'num'),
    cell(formatQuantity(trade.quantity), 'num'),
    cell(formatMoney(trade.fees), 'num'),
    cell(formatMoney(trade.pnl, { sign: true }), `num ${toneClass(trade.pnl)}`),
    cell(formatPercent(tradeReturn(trade), { sign: true }), `num ${toneClass(trade.pnl)}`),
    cell(open ? 'open, marked to market' : (trade.exitReason ?? '')),
    cell(open ? '' : formatDuration(held), 'num'),
  ];
  return `<tr data-symbol="${escapeHtml(trade.symbol)}"${open ? ' class="open"' : ''}>${cells.join('')}</tr>`;
}

function cell(text: string, className = ''): string {
  const attribute = className.trim() === '' ? '' : ` class="${className.trim()}"`;
  return `<td${attribute}>${escapeHtml(text)}</td>`;
}

function toneClass(value: number): string {
  return value > 0 ? 'up' : value < 0 ? 'down' : '';
}

const styles = `
:root {
  --background: ${palette.background}; --panel: ${palette.panel}; --border: ${palette.border};
  --text: ${palette.text}; --muted: ${palette.muted}; --accent: ${palette.accent};
  --up: ${palette.up}; --down: ${palette.down};
  color-scheme: dark;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--background); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 1320px; margin: 0 auto; padding: 24px 20px 40px; display: grid; gap: 16px; }
header h1 { margin: 0; font-size: 22px; font-weight: 600; }
.subtitle, .muted { color: var(--muted); }
.subtitle { margin: 4px 0 0; }
h2 { margin: 0 0 12px; font-size: 15px; font-weight: 600; }
h2 .muted { font-weight: 400; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 16px; min-width: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; margin-top: 2px; }
.up { color: var(--up); }
.down { color: var(--down); }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 8px 16px; margin-bottom: 12px; }
.symbol { font-weight: 600; }
select {
  margin-left: 6px; background: var(--background); color: var(--text); border: 1px solid var(--border);
  border-radius: 6px; padding: 4px 8px; font: inherit;
}
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0; padding: 0; list-style: none; color: var(--muted); font-size: 13px; }
.swatch { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; border-radius: 2px; }
.swatch.candle { height: 10px; width: 6px; background: linear-gradient(var(--up) 50%, var(--down) 50%); }
.swatch.equity { background: var(--accent); }
.swatch.hold { background: repeating-linear-gradient(90deg, var(--muted) 0 4px, transparent 4px 7px); }
.swatch.drawdown { height: 10px; background: rgba(239, 83, 80, 0.45); }
.arrow.up { color: var(--up); }
.arrow.down { color: var(--down); }
.chart-box { position: relative; }
#chart { width: 100%; height: clamp(480px, 72vh, 780px); }
#marker-detail {
  position: absolute; top: 30px; left: 8px; z-index: 3; max-width: min(460px, calc(100% - 96px));
  padding: 6px 10px; border: 1px solid var(--border); border-radius: 6px; background: rgba(13, 17, 23, 0.92);
  font-size: 12px; line-height: 1.5; font-variant-numeric: tabular-nums; pointer-events: none; overflow-wrap: anywhere;
}
#marker-detail .entry, #marker-detail .up { color: var(--up); }
#marker-detail .down { color: var(--down); }
#marker-detail .more { color: var(--muted); }
.columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 16px; align-items: start; }
.stack { display: grid; gap: 16px; }
@media (max-width: 900px) { .columns { grid-template-columns: minmax(0, 1fr); } }
@media (max-width: 600px) {
  main { padding: 16px 8px 32px; }
  .panel { padding: 12px 8px; }
  /* Too narrow to stand beside a marker: the hover box goes under the chart. */
  #marker-detail { position: static; max-width: none; margin-top: 8px; }
}
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--border); white-space: nowrap; }
tbody th { font-weight: 500; }
thead th { color: var(--muted); font-weight: 500; font-size: 12px; position: sticky; top: 0; background: var(--panel); }
tr.section th { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; padding-top: 14px; }
td.value, td.num, th.num { text-align: right; }
td.note, span.note { color: var(--muted); white-space: normal; }
#settings td.value { text-align: left; white-space: normal; overflow-wrap: anywhere; }
#trades tbody tr:hover { background: rgba(88, 166, 255, 0.06); }
#trades tr.open td { font-style: italic; }
#trades tr.dim { opacity: 0.45; }
.scroll { overflow: auto; max-height: 560px; }
.provenance { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 480px), 1fr)); gap: 16px; }
h3 { margin: 0 0 8px; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
#provenance td { white-space: normal; overflow-wrap: anywhere; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
`;
