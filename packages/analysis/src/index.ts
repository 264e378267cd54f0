/**
 * @lumenlink/analysis: what a backtest's result, or a bot's run, means. `reportInputOf` turns
 * `runBacktest`'s result into a report input; `computeMetrics` gives returns, CAGR, Sharpe,
 * Sortino, drawdown, Calmar, profit factor, expectancy, exposure and buy-and-hold;
 * `formatSummary`, `formatJsonReport` and `renderHtmlReport` give the terminal summary, the JSON
 * report and a self-contained HTML page with the chart and the trade list (the metric
 * conventions are on `BacktestMetrics`). Given core's `RunProvenance`, the JSON and HTML reports
 * record what produced the run, and `compareReports` says whether a rerun's JSON report is the
 * recorded one byte for byte, or what differs, causes first. The parity report (`runParity`)
 * replays the candles a bot stored through the backtest with the same config, rebuilds the bot's
 * trades from its orders and fills, and puts every difference down to a cause. Where it sits
 * among the packages: docs/architecture/overview.md.
 * @packageDocumentation
 */
export type { ReportCandle, ReportInput } from './types.js';
export { reportInputOf, type ReportRun } from './report-input.js';
export {
  buyAndHold,
  buyAndHoldEquity,
  capitalExposure,
  computeMetrics,
  drawdownSeries,
  periodsPerYearOf,
  yearMs,
  type BacktestMetrics,
  type BuyAndHold,
} from './metrics.js';
export { formatSummary, type SummaryOptions } from './summary.js';
export {
  canonicalize,
  formatJsonReport,
  toJsonReport,
  type JsonMetrics,
  type JsonProvenance,
  type JsonReport,
  type JsonTrade,
  type JsonValue,
} from './json.js';
export { renderHtmlReport, type HtmlReportOptions } from './html.js';
export { compareReports, type ReportComparison } from './compare.js';
export { reportProvenance } from './report-provenance.js';
export {
  chartLibraryPath,
  chartLibraryScript,
  escapeJsonForHtml,
  escapeScript,
  scriptHash,
} from './page.js';
export {
  describeFillMode,
  formatDuration,
  formatMoney,
  formatPercent,
  formatPrice,
  formatQuantity,
  formatRatio,
  formatTime,
} from './format.js';
export * from './parity/index.js';
