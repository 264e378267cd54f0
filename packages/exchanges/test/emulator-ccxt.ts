/**
 * Shared by the emulator tests: emulators closed when each test ends, and ccxt's real `binance`
 * class pointed at one, with the options that trim loadMarkets to GET /api/v3/exchangeInfo.
 */
import ccxt, { type binance } from 'ccxt';
import {
  pointCcxtAt,
  startExchangeEmulator,
  type EmulatorOptions,
  type ExchangeEmulator,
} from '../src/testing/index.js';

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

const running: ExchangeEmulator[] = [];

/** Has `emulator` closed by the next `closeEmulators()`; returns it. */
export function closeAfterTest(emulator: ExchangeEmulator): ExchangeEmulator {
  running.push(emulator);
  return emulator;
}

/** Closes every emulator started or handed over since the last call; for `afterEach`. */
export async function closeEmulators(): Promise<void> {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
}

/** An emulator accepting the shared API keys, closed by the next `closeEmulators()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<ExchangeEmulator> {
  return closeAfterTest(await startExchangeEmulator({ apiKey, secret, ...options }));
}

/** A connected ccxt instance with markets loaded, so faults meet only the call under test. */
export async function connected(emulator: ExchangeEmulator, timeout = 5000): Promise<binance> {
  const exchange = connectCcxt(emulator, { timeout });
  await exchange.loadMarkets();
  return exchange;
}
