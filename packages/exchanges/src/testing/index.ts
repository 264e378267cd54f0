/**
 * @lumenlink/exchanges/testing: a local exchange emulator for tests. An HTTP server on
 * 127.0.0.1 that speaks enough of Binance's spot REST API for ccxt's real `binance` class, keeps
 * an order book, balances, orders and fills, serves candles from a CSV file or a seeded random
 * walk, and injects faults on demand (latency, 429/418, 5xx, hangs, lost responses, dropped
 * orders, "not found", partial fills, rejections, clock skew, malformed bodies).
 *
 * @example
 * ```ts
 * import ccxt from 'ccxt';
 * import { pointCcxtAt, startExchangeEmulator } from '@lumenlink/exchanges/testing';
 *
 * const emulator = await startExchangeEmulator();
 * const exchange = new ccxt.binance({
 *   apiKey: 'key',
 *   secret: 'secret',
 *   options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
 * });
 * pointCcxtAt(exchange, emulator.url);
 * await exchange.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'll1' });
 * emulator.trades(); // the fills
 * await emulator.close();
 * ```
 * @packageDocumentation
 */
export { startExchangeEmulator } from './server.js';
export { pointCcxtAt } from './point-ccxt-at.js';
export { EmulatorApiError } from './api-error.js';
export { defaultEmulatorMarkets } from './markets.js';
export type {
  EmulatorMarket,
  EmulatorRandomWalk,
  EmulatorOptions,
  EmulatorFault,
  EmulatorOrderStatus,
  EmulatorOrder,
  EmulatorTrade,
  EmulatorRequest,
  EmulatorOrderInput,
  ExchangeEmulator,
} from './types.js';
