/** The report layer of the backtester: metrics, terminal summary, JSON and HTML reports. */
export type { BacktestTrade, ReportCandle, ReportInput } from './types.js';
export { computeMetrics, type Metrics } from './metrics.js';
export { formatSummary } from './summary.js';
export { canonicalize, formatJsonReport, type JsonReport, type JsonValue } from './json.js';
export { renderHtmlReport } from './html.js';
