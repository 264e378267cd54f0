/**
 * The parity report: what the bot did against what the backtest does on the same stored candles
 * and config, with every difference put down to a cause (docs/architecture/parity.md).
 */
export {
  parityCauses,
  tradeFields,
  tradeFieldLabels,
  type DifferenceKind,
  type FieldDifference,
  type ParityCause,
  type ParityReport,
  type ParityTrade,
  type PeriodEndSource,
  type TradeDifference,
  type TradeField,
} from './types.js';
export type { DecisionLog, ParityStore, RecordedDecision } from './parity-store.js';
export { rebuildTrades, type RebuildTradesInput } from './rebuild-trades.js';
export { checkParityPeriod, runParity, type ParityOptions } from './run-parity.js';
export { formatParityReport } from './format-report.js';
export { formatParityTime } from './numbers.js';
