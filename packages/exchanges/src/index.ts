/**
 * @lumenlink/exchanges: LumenLink exchange adapter on ccxt (coinbase, binance, bybit), replay market data and a local exchange emulator.
 *
 * This package is reserved and published empty until issue #7 fills it; it exports nothing yet.
 * @packageDocumentation
 */
export {};
