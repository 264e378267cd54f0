/** The report layer of the backtester: metrics, terminal summary, JSON and HTML reports. */
export type { BacktestTrade, EquityPoint, ExitReason, ReportCandle, ReportInput } from './types.js';
export {
  buyAndHoldEquity,
  computeMetrics,
  drawdownSeries,
  periodsPerYearOf,
  yearMs,
  type Metrics,
} from './metrics.js';
export { formatSummary, type SummaryOptions } from './summary.js';
export {
  canonicalize,
  formatJsonReport,
  toJsonReport,
  type JsonMetrics,
  type JsonReport,
  type JsonTrade,
  type JsonValue,
} from './json.js';
export { chartLibraryPath, renderHtmlReport, type HtmlReportOptions } from './html.js';
