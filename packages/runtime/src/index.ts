/**
 * @lumenlink/runtime: the trading node. `createTradingNode` takes the ports (clock, stores, venue,
 * market data, notifier, strategy per symbol, logger, metrics) and the settings, restores the
 * state after a restart, reconciles before the first trade, and runs the four loops (market
 * data, strategy with tick checks, reconcile, sentiment) with `start` and `stop`. Its pieces are
 * exported too: the scheduler, the candle driver, the control surface and an HTTP server of
 * health, readiness, metrics and control endpoints (node:http only). The node imports no
 * exchange SDK, database or chat library: the app picks the adapters. See
 * docs/architecture/runtime.md.
 * @packageDocumentation
 */
export {
  checkNodeWiring,
  createTradingNode,
  type NodeReport,
  type ReplayProgress,
  type TradingNode,
} from './trading-node.js';
export {
  defaultFeedAlertEveryMs,
  marketContextUse,
  type FeedHealth,
  type FeedPartHealth,
  type FeedStatus,
  type MarketContextUse,
} from './optional-feeds.js';
export { tradingModeOf, type TradingMode, type TradingModeKind } from './trading-mode.js';
export type {
  CandleFeed,
  LiveMarketData,
  LiveVenue,
  NodePaperSettings,
  NodeStores,
  NodeTradingSettings,
  PaperVenue,
  ReplayBatch,
  ReplayMarketData,
  SentimentPartState,
  SentimentPort,
  SymbolPollOutcome,
  TradingNodePorts,
  TradingNodeSettings,
} from './node-ports.js';
export {
  Scheduler,
  jitterRatio,
  standardLoopNames,
  standardLoops,
  type LoopDefinition,
  type LoopDurations,
  type LoopHealth,
  type LoopIntervals,
  type SchedulerOptions,
  type StandardLoop,
  type StandardLoopName,
} from './scheduler.js';
export { CandleDriver, CandleProcessingError, type CandleDriverOptions } from './candle-driver.js';
export { BotController, type BotControllerOptions } from './bot-controller.js';
export { NodeMetrics } from './node-metrics.js';
export { DecisionCounter } from './decision-counter.js';
export { SerialLock } from './serial-lock.js';
export { ResumablePaperBroker } from './resumable-paper-broker.js';
export {
  startHttpServer,
  loopReadiness,
  defaultMaxAgeFactor,
  type HealthReport,
  type HttpBotControl,
  type HttpServerHandle,
  type HttpServerOptions,
  type LoopReadiness,
} from './http-server.js';
