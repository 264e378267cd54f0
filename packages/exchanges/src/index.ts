/**
 * @lumenlink/exchanges: market data and brokers for exchanges. Today it holds
 * `ReplayMarketData`, the replay source of the bot's demo and parity runs; the ccxt adapter and
 * the local exchange emulator (issue #7) arrive next.
 * @packageDocumentation
 */
export {
  ReplayMarketData,
  NoOrderBookError,
  type ReplayMarketDataOptions,
} from './replay-market-data.js';
