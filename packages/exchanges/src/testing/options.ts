/**
 * Validation of {@link EmulatorOptions} (which may come from a JSON file through the CLI) into
 * what the emulator runs on: markets, candle series, balances and settings.
 */
import { systemClock, type Candle } from '@lumenlink/core';
import {
  CandleSeries,
  candleOpenAt,
  klineIntervals,
  randomWalkCandles,
  readCandlesCsv,
} from './candles.js';
import { resolveMarkets, type ResolvedMarket } from './markets.js';
import type { EmulatorOptions, EmulatorRandomWalk } from './types.js';
import {
  integerInRange,
  invalid,
  isRecord,
  nonEmptyString,
  nonNegativeNumber,
} from './validate.js';

/** The emulator's validated settings. */
export interface ResolvedOptions {
  readonly markets: readonly ResolvedMarket[];
  /** Candles per ccxt symbol. */
  readonly series: ReadonlyMap<string, CandleSeries>;
  readonly balances: Readonly<Record<string, number>>;
  readonly now: () => number;
  readonly credentials: { readonly apiKey: string; readonly secret: string } | undefined;
  readonly depthLevels: number;
  readonly port: number;
}

const optionNames = [
  'markets',
  'balances',
  'candles',
  'candlesCsv',
  'randomWalk',
  'now',
  'apiKey',
  'secret',
  'depthLevels',
  'port',
];

function symbolKeyed(
  value: unknown,
  field: string,
  markets: readonly ResolvedMarket[],
): [ResolvedMarket, unknown][] {
  if (value === undefined) return [];
  if (!isRecord(value)) invalid(field, 'an object keyed by ccxt symbol', value);
  return Object.entries(value).map(([symbol, entry]) => {
    const market = markets.find((candidate) => candidate.symbol === symbol);
    if (market === undefined) {
      invalid(
        `${field} key`,
        `a listed market (${markets.map((listed) => listed.symbol).join(', ')})`,
        symbol,
      );
    }
    return [market, entry];
  });
}

function resolveRandomWalk(value: unknown): EmulatorRandomWalk | undefined {
  if (value === undefined) return undefined;
  const field = 'options.randomWalk';
  if (!isRecord(value)) invalid(field, 'an object { seed, intervalMs, count, start }', value);
  const intervalMs = value['intervalMs'];
  if (typeof intervalMs !== 'number' || !Object.values(klineIntervals).includes(intervalMs)) {
    invalid(
      `${field}.intervalMs`,
      `the ms of a Binance interval (${Object.keys(klineIntervals).join(', ')}), e.g. 60000 for 1m`,
      intervalMs,
    );
  }
  const start = integerInRange(value['start'], `${field}.start`, 0, Number.MAX_SAFE_INTEGER);
  if (candleOpenAt(start, intervalMs) !== start) {
    invalid(
      `${field}.start`,
      `a candle open time of that interval (${candleOpenAt(start, intervalMs)} is the one before)`,
      start,
    );
  }
  return {
    seed: integerInRange(value['seed'], `${field}.seed`, 0, 2 ** 32 - 1),
    intervalMs,
    count: integerInRange(value['count'], `${field}.count`, 2, 1_000_000),
    start,
  };
}

/**
 * Validates options and loads their candles (CSV files are read here).
 *
 * @throws {ValidationError} naming the option at fault, what it accepts and what it got.
 * @throws {DataIntegrityError} for a malformed CSV file.
 */
export async function resolveOptions(options: unknown): Promise<ResolvedOptions> {
  const input = options ?? {};
  if (!isRecord(input)) invalid('options', 'an object', options);
  const unknown = Object.keys(input).find((name) => !optionNames.includes(name));
  if (unknown !== undefined)
    invalid(`options.${unknown}`, `one of ${optionNames.join(', ')}`, unknown);
  const typed = input as EmulatorOptions & Record<string, unknown>;

  const markets = resolveMarkets(typed['markets']);

  const balancesInput: unknown = typed['balances'] ?? { USDT: 100_000 };
  if (!isRecord(balancesInput))
    invalid('options.balances', 'an object { ASSET: amount }', balancesInput);
  const balances = Object.fromEntries(
    Object.entries(balancesInput).map(([asset, amount]) => [
      asset,
      nonNegativeNumber(amount, `options.balances.${asset}`),
    ]),
  );

  const series = new Map<string, CandleSeries>();
  for (const [market, candles] of symbolKeyed(typed['candles'], 'options.candles', markets)) {
    const field = `options.candles["${market.symbol}"]`;
    if (!Array.isArray(candles) || !candles.every(isRecord)) {
      invalid(field, 'an array of candles { time, open, high, low, close, volume }', candles);
    }
    series.set(market.symbol, CandleSeries.from(candles as unknown as Candle[], field));
  }
  for (const [market, path] of symbolKeyed(typed['candlesCsv'], 'options.candlesCsv', markets)) {
    const field = `options.candlesCsv["${market.symbol}"]`;
    if (series.has(market.symbol)) {
      invalid(field, 'absent when options.candles has the same market (give one source)', path);
    }
    const candles = await readCandlesCsv(nonEmptyString(path, field), field);
    series.set(market.symbol, CandleSeries.from(candles, field));
  }
  const walk = resolveRandomWalk(typed['randomWalk']);
  if (walk !== undefined) {
    for (const market of markets) {
      if (series.has(market.symbol)) continue;
      series.set(
        market.symbol,
        CandleSeries.from(randomWalkCandles(market, walk), `random walk of ${market.symbol}`),
      );
    }
  }

  const now = typed['now'] ?? (() => systemClock.now());
  if (typeof now !== 'function') invalid('options.now', 'a function returning epoch ms', now);

  const apiKey = typed['apiKey'];
  const secret = typed['secret'];
  if ((apiKey === undefined) !== (secret === undefined)) {
    invalid('options.apiKey and options.secret', 'both set or both absent', apiKey ?? secret);
  }
  const credentials =
    apiKey === undefined || secret === undefined
      ? undefined
      : {
          apiKey: nonEmptyString(apiKey, 'options.apiKey'),
          secret: nonEmptyString(secret, 'options.secret'),
        };

  return {
    markets,
    series,
    balances,
    now,
    credentials,
    depthLevels:
      typed['depthLevels'] === undefined
        ? 20
        : integerInRange(typed['depthLevels'], 'options.depthLevels', 1, 5000),
    port:
      typed['port'] === undefined ? 0 : integerInRange(typed['port'], 'options.port', 0, 65_535),
  };
}
