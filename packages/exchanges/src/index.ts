/**
 * @lumenlink/exchanges: market data and brokers for exchanges. `CcxtExchange` is the ccxt
 * adapter (core's `MarketDataSource` and `Broker` for binance, bybit and coinbase spot), the only
 * module of LumenLink that imports ccxt; `ReplayMarketData` is the replay source of the bot's
 * demo and parity runs, and `ReplayFeed` steps it one candle time per poll for a trading node.
 * @packageDocumentation
 */
export {
  CcxtExchange,
  ccxtExchangeFromConfig,
  type CcxtExchangeOptions,
  type CcxtExchangeFromConfigOptions,
} from './ccxt-exchange.js';
export {
  ReplayMarketData,
  NoOrderBookError,
  type ReplayMarketDataOptions,
} from './replay-market-data.js';
export { tradedMarkets } from './traded-markets.js';
export {
  ReplayFeed,
  distinctTimes,
  type ReplayBatch,
  type ReplayFeedOptions,
} from './replay-feed.js';
export {
  checkExchangeTimeframe,
  exchangeTimeframeIssue,
  exchangeTimeframes,
} from './exchange-timeframes.js';
