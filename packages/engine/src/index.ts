/**
 * @lumenlink/engine: the trade cycle kernel that backtest, paper and live trading share
 * (`TradeCycle`), its backtest driver (`runBacktest`) over candles on a manual clock, the trade
 * ledger and in-memory stores for runs without a database.
 * @packageDocumentation
 */
export {
  TradeCycle,
  inQuoteFees,
  type TradeCycleOptions,
  type TradeCycleSettings,
  type LatestDecision,
} from './trade-cycle.js';
export {
  runBacktest,
  blockReason,
  type BacktestOptions,
  type BacktestResult,
  type EquityCurve,
  type EquityPoint,
} from './backtest.js';
export { TradeLedger, type Trade, type ExitReason, type FillOrigin } from './trade-ledger.js';
export {
  settledShortfalls,
  shortfallReason,
  writeOffMissing,
  type WriteOffMissingOptions,
} from './holdings-check.js';
export {
  storedHistory,
  roleFills,
  restoreBrackets,
  liveStartingCash,
  type StoredHistory,
  type RestoreBracketsOptions,
} from './restore.js';
export {
  memoryStores,
  MemoryOrderStore,
  MemoryDecisionStore,
  MemoryPortfolioStore,
  MemoryRuntimeStateStore,
  type EngineStores,
} from './memory-stores.js';
