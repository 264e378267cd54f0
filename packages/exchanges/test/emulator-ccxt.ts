/**
 * Shared by the emulator tests: ccxt's real `binance` class pointed at an emulator, with the
 * options that trim loadMarkets to GET /api/v3/exchangeInfo.
 */
import ccxt, { type binance } from 'ccxt';
import { pointCcxtAt, type ExchangeEmulator } from '../src/testing/index.js';

export const apiKey = 'emulator-api-key';
export const secret = 'emulator-secret';

/** A ccxt binance instance talking to `emulator`; `overrides` replace constructor settings. */
export function connectCcxt(
  emulator: ExchangeEmulator,
  overrides: { apiKey?: string; secret?: string; timeout?: number } = {},
): binance {
  const exchange = new ccxt.binance({
    apiKey,
    secret,
    timeout: 5000,
    enableRateLimit: false,
    options: { fetchMarkets: { types: ['spot'] }, fetchCurrencies: false, fetchMargins: false },
    ...overrides,
  });
  pointCcxtAt(exchange, emulator.url);
  return exchange;
}
