/**
 * @lumenlink/core: the domain types, ports, errors and clock shared by every
 * LumenLink package, and a few small utilities (a seeded random source, secret redaction, HTML
 * escaping, edit distance). Its only dependency is zod. The winston logger lives in
 * `@lumenlink/core/logging` and the Prometheus metrics in `@lumenlink/core/metrics`; winston and
 * prom-client are optional peer dependencies, installed only by those who import those subpaths.
 * The port fakes live in `@lumenlink/core/testing`.
 * @packageDocumentation
 */
export {
  LumenLinkError,
  PermanentError,
  TransientError,
  ConfigError,
  ValidationError,
  DataIntegrityError,
  StrategyError,
  StorageError,
  OrderTransitionError,
  ExchangeUnavailableError,
  RateLimitError,
  OrderOutcomeUnknownError,
  OrderRejectedError,
  OrderNotFoundError,
  ExchangeAuthError,
  ExchangeRequestError,
  isRetryableError,
  type OrderRejectionReason,
  type LumenLinkErrorOptions,
  type ConfigIssue,
} from './errors.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { percentile } from './stats.js';
export { seededRandom } from './random.js';
export { commandHint, escapeHtml, editDistance, shellQuote } from './text.js';
export {
  createRedactor,
  isSecretFieldName,
  redactSecretPatterns,
  redactedPlaceholder,
  type Redactor,
  type RedactorOptions,
} from './redact.js';
export { logLevels, silentLogger, type LogLevel, type LogFields, type Logger } from './logger.js';
export {
  noopMetrics,
  type Metrics,
  type Counter,
  type Gauge,
  type Histogram,
  type MetricLabels,
  type MetricOptions,
  type HistogramOptions,
} from './metrics.js';
export {
  parseTimeframe,
  isTimeframe,
  timeframeMs,
  candleOpenTime,
  candleCloseTime,
  isCandleAligned,
  isCandleClosed,
  type Timeframe,
} from './timeframe.js';
export {
  parseSymbol,
  symbolParts,
  toCcxtSymbol,
  fromCcxtSymbol,
  type SymbolId,
  type SymbolParts,
} from './symbol.js';
export { candleProblem, assertValidCandle, type Candle, type CandleLike } from './candle.js';
export { signalSchema, hold, type Signal, type SignalAction } from './signal.js';
export {
  orderStatuses,
  finalOrderStatuses,
  resurrectionStatuses,
  orderTransitions,
  isFinalOrderStatus,
  canTransitionOrder,
  assertOrderTransition,
  assertOrderUpdate,
  type Order,
  type OrderIntent,
  type OrderRole,
  type OrderSide,
  type OrderStatus,
  type OrderType,
} from './order.js';
export type { Fill } from './fill.js';
export {
  positionTransitions,
  canTransitionPosition,
  assertPositionTransition,
  type Position,
  type PositionState,
} from './position.js';
export type { AccountSnapshot } from './account.js';
export {
  tradingStates,
  allowsEntries,
  allowsExits,
  type TradingState,
  type TradingStateRecord,
  type SymbolPause,
  type PositionAdjustment,
} from './trading-state.js';
export {
  permissiveMarketInfo,
  type MarketInfo,
  type Ticker,
  type OrderBook,
  type BookLevel,
  type Balance,
} from './market.js';
export { contextAge, type MarketContext } from './market-context.js';
export type { Strategy, StrategyContext, StrategyDefinition } from './strategy.js';
export type { DataProvenance, RunProvenance, StrategyProvenance } from './provenance.js';
export {
  riskCheckNames,
  type RiskCheckName,
  type RiskCheckOutcome,
  type RiskCheckResult,
  type RiskVerdict,
  type RiskState,
  type PreTradeCheck,
} from './risk.js';
export type { Decision, DecisionOutcome } from './decision.js';
export type { AlertEvent, AlertSeverity, AlertType } from './alert.js';
export type {
  BotControl,
  BotStatus,
  BotStrategyStatus,
  DailyReport,
  ForceExitResult,
  PnlReport,
  TradeSummary,
} from './bot-control.js';
export { fillsOnCandles } from './ports.js';
export type {
  CandleFillingBroker,
  MarketDataSource,
  FetchCandlesOptions,
  Broker,
  BrokerOrder,
  OrderRequest,
  Notifier,
  CandleStore,
  CandleGap,
  OrderStore,
  OrderUpdate,
  DecisionStore,
  PortfolioStore,
  RuntimeStateStore,
  TrailingStopState,
} from './ports.js';
