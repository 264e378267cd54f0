/**
 * The candle timeframes each exchange offers, read from ccxt's description of the exchange
 * class (no network call), so a config the exchange cannot serve (`INTERVAL=7m`) is a config
 * error at start instead of a market-data loop that fails forever.
 */
import { ConfigError, isTimeframe, type ConfigIssue, type Timeframe } from '@lumenlink/core';
import { type ExchangeId } from '@lumenlink/config';
import { binance, bybit, coinbase, type Exchange } from 'ccxt';

/** The ccxt class of each exchange LumenLink trades on. */
const exchangeClasses: Readonly<Record<ExchangeId, new () => Exchange>> = {
  binance,
  bybit,
  coinbase,
};

const known = new Map<ExchangeId, readonly Timeframe[]>();

/**
 * The timeframes `exchangeId` serves candles for, in ccxt's order, limited to those LumenLink
 * can run on (minutes, hours, days, weeks: ccxt's `1s` and `1M` are left out). Read from the
 * `timeframes` ccxt declares for the exchange class: a bare instance is built once (no keys, no
 * request sent) and the answer cached.
 *
 * @example
 * ```ts
 * exchangeTimeframes('coinbase'); // ['1m', '5m', '15m', '30m', '1h', '2h', '6h', '1d']
 * ```
 */
export function exchangeTimeframes(exchangeId: ExchangeId): readonly Timeframe[] {
  const cached = known.get(exchangeId);
  if (cached !== undefined) return cached;
  const ExchangeClass = exchangeClasses[exchangeId];
  const declared = Object.keys(new ExchangeClass().timeframes);
  const timeframes = Object.freeze(declared.filter((text): text is Timeframe => isTimeframe(text)));
  known.set(exchangeId, timeframes);
  return timeframes;
}

/**
 * The config problem of running on `timeframe` candles of `exchangeId`: `null` when the
 * exchange serves them, otherwise an issue for `INTERVAL` that lists what it does serve.
 *
 * @example
 * ```ts
 * exchangeTimeframeIssue('binance', '7m');
 * // { key: 'INTERVAL', problem: '"7m" is not a timeframe binance serves candles for', accepted: 'one of 1m, 3m, 5m, ...' }
 * ```
 */
export function exchangeTimeframeIssue(
  exchangeId: ExchangeId,
  timeframe: Timeframe,
  key = 'INTERVAL',
): ConfigIssue | null {
  const timeframes = exchangeTimeframes(exchangeId);
  if (timeframes.includes(timeframe)) return null;
  return {
    key,
    problem: `"${timeframe}" is not a timeframe ${exchangeId} serves candles for, so market data would fail on every poll`,
    accepted: `a timeframe of ${exchangeId}: one of ${timeframes.join(', ')}`,
  };
}

/**
 * Throws when `exchangeId` does not serve `timeframe` candles: call it at start, before
 * anything is opened, with `config.exchange.id` and `config.interval` when candles come from the
 * exchange (`DATA_SOURCE=exchange`).
 *
 * @example
 * ```ts
 * if (config.data.source === 'exchange') checkExchangeTimeframe(config.exchange.id, config.interval);
 * ```
 * @throws {ConfigError} naming `INTERVAL` (or `key`) and listing the exchange's timeframes.
 */
export function checkExchangeTimeframe(
  exchangeId: ExchangeId,
  timeframe: Timeframe,
  key = 'INTERVAL',
): void {
  const issue = exchangeTimeframeIssue(exchangeId, timeframe, key);
  if (issue !== null) throw new ConfigError([issue]);
}
