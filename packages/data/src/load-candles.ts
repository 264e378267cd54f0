/**
 * Candles for a backtest or an optimisation: the bundled sample data, CSV files (one symbol each) or a LumenLink
 * SQLite database, as closed candles per symbol in processing order.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import {
  commandHint,
  DataIntegrityError,
  isCandleAligned,
  isTimeframe,
  parseSymbol,
  timeframeMs,
  ValidationError,
  type Candle,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { bundledDatasets, loadBundledCandles } from './bundled-data.js';
import {
  findSeriesGaps,
  gapRefusal,
  type CandleSeriesGap,
  type SeriesPlace,
} from './candle-gaps.js';
import { readCandleRows, secondsHint, type CandleRows } from './csv.js';
import { DataInputError } from './input-error.js';
import { openStore } from './open-store.js';
import { utcMinute } from './time-text.js';

/** Where a run's candles come from, and whether gaps in them are run over. */
export type CandleSource =
  /** The bundled Binance BTC/ETH/SOL USDT 1h candles of 2024 ({@link loadBundledCandles}). */
  (
    | { readonly kind: 'bundled' }
    /** One CSV file per symbol (`--data` of the backtest command line). */
    | { readonly kind: 'csv'; readonly files: readonly string[] }
    /** Candles stored in a LumenLink SQLite database (`--source-db`), e.g. by `fetchHistory`. */
    | { readonly kind: 'db'; readonly path: string }
  ) & {
    /**
     * `true` (`--allow-gaps`): run over missing candles, listed in {@link LoadedCandles.gaps};
     * otherwise a gap is refused.
     */
    readonly allowGaps?: boolean;
  };

/** Candles per symbol in processing order, their interval, and where they came from. */
export interface LoadedCandles {
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly interval: Timeframe;
  /** Where the candles came from, in words, for the terminal (with the gaps run over). */
  readonly description: string;
  /**
   * The gaps among the candles the run reads (the warm-up before `from`, up to `to`): empty
   * unless the source allows gaps. Always set by {@link loadCandles}.
   */
  readonly gaps?: readonly CandleSeriesGap[];
}

/** Loaded candles and where each symbol's come from (file lines), before the gap check. */
interface Series {
  readonly loaded: LoadedCandles;
  readonly places: ReadonlyMap<SymbolId, SeriesPlace>;
}

/** What {@link loadCandles} needs besides the source. */
export interface LoadCandlesOptions {
  readonly source: CandleSource;
  readonly symbols: readonly SymbolId[] | undefined;
  readonly interval: Timeframe | undefined;
  /** Only from the database: candles before this are read as far back as `warmupCandles`. */
  readonly from: number | undefined;
  readonly to: number | undefined;
  /** Candles the strategy and the ATR need before `from`. */
  readonly warmupCandles: number;
}

/** Quote currencies looked for in a file name, most likely first. */
const quoteCurrencies = ['USDT', 'USDC', 'FDUSD', 'BUSD', 'USD', 'EUR', 'GBP', 'BTC', 'ETH'];

/**
 * The symbol a CSV file is named after: the whole name (`BTC-USD.csv`, `eth_usdt.csv.gz`), or a
 * `BASE-QUOTE` pair inside it (`binance-BTC-USDT-1h-2024.csv.gz`); `undefined` when there is
 * none.
 */
export function symbolFromFileName(path: string): SymbolId | undefined {
  const name = basename(path)
    .replace(/\.gz$/i, '')
    .replace(/\.csv$/i, '');
  try {
    return parseSymbol(name.replace('_', '-'));
  } catch {
    // Not a bare symbol: look for BASE-QUOTE among its parts.
  }
  const parts = name.toUpperCase().split(/[-_. ]+/);
  for (const quote of quoteCurrencies) {
    const index = parts.indexOf(quote);
    const base = index > 0 ? parts[index - 1] : undefined;
    if (base !== undefined && /^[A-Z0-9]{1,20}$/.test(base) && base !== quote) {
      return `${base}-${quote}`;
    }
  }
  return undefined;
}

/**
 * The interval of candles from their times: the smallest gap between two candles, written as a
 * timeframe (`60000` → `1m`, `86400000` → `1d`).
 *
 * @throws {ValidationError} for fewer than two candles or a gap that is not a whole number of minutes.
 */
export function inferInterval(candles: readonly Candle[], source: string): Timeframe {
  let step = Number.POSITIVE_INFINITY;
  for (let i = 1; i < candles.length; i++) {
    step = Math.min(step, candles[i]!.time - candles[i - 1]!.time);
  }
  if (!Number.isFinite(step)) {
    throw new ValidationError(
      `${source}: needs at least two candles to tell their interval; give --interval`,
    );
  }
  const units: [string, number][] = [
    ['w', 604_800_000],
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ];
  for (const [unit, ms] of units) {
    const text = `${step / ms}${unit}`;
    if (step % ms === 0 && isTimeframe(text)) return text;
  }
  const seconds = secondsHint(candles[0]!.time, undefined);
  throw new ValidationError(
    `${source}: candles ${step} ms apart are not a whole number of minutes${seconds === '' ? '; give --interval' : seconds}`,
  );
}

/** A CSV file's candles and lines; every problem is a {@link DataInputError} on `--data`. */
async function readDataFile(file: string, interval: Timeframe | undefined): Promise<CandleRows> {
  try {
    return await readCandleRows(file, interval === undefined ? {} : { timeframe: interval });
  } catch (error) {
    if (DataIntegrityError.isInstance(error)) throw new DataInputError('--data', error.message);
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code !== 'string') throw error;
    throw new DataInputError('--data', `${file}: cannot be read (${String(message)})`);
  }
}

async function loadCsv(files: readonly string[], options: LoadCandlesOptions): Promise<Series> {
  const candles = new Map<SymbolId, readonly Candle[]>();
  const places = new Map<SymbolId, SeriesPlace>();
  let interval = options.interval;
  for (const [index, file] of files.entries()) {
    if (!existsSync(file)) throw new DataInputError('--data', `${file}: no such file`);
    const symbol = options.symbols?.[index] ?? symbolFromFileName(file);
    if (symbol === undefined) {
      throw new DataInputError(
        '--data',
        `${file}: cannot tell the symbol from the file name; name it with --symbol BTC-USD (or --symbols, one per file)`,
      );
    }
    if (candles.has(symbol)) {
      throw new DataInputError(
        '--data',
        `${file}: ${symbol} is given by two files; give one file per symbol`,
      );
    }
    const { candles: list, lines } = await readDataFile(file, interval);
    if (interval === undefined) {
      // The first file sets the interval; the others are read against it.
      try {
        interval = inferInterval(list, file);
      } catch (error) {
        throw ValidationError.isInstance(error)
          ? new DataInputError('--data', error.message)
          : error;
      }
      const misaligned = list.find((candle) => !isCandleAligned(candle.time, interval!));
      if (misaligned !== undefined) {
        throw new DataInputError(
          '--data',
          `${file}: candle time ${misaligned.time} is not the open time of a ${interval} candle`,
        );
      }
    }
    candles.set(symbol, list);
    places.set(symbol, { symbol, source: file, lines });
  }
  return { loaded: { candles, interval: interval!, description: files.join(', ') }, places };
}

async function loadDatabase(path: string, options: LoadCandlesOptions): Promise<Series> {
  if (!existsSync(path)) {
    throw new DataInputError(
      '--source-db',
      `${path}: no such file (fetch candles into it with ${commandHint('fetch-history')})`,
    );
  }
  const interval = options.interval ?? '1h';
  const symbols = options.symbols ?? [];
  const step = timeframeMs(interval);
  const from =
    options.from === undefined ? 0 : Math.max(0, options.from - options.warmupCandles * step);
  const to = options.to ?? Number.MAX_SAFE_INTEGER;
  const store = await openStore({ path });
  try {
    const candles = new Map<SymbolId, readonly Candle[]>();
    for (const symbol of symbols) {
      const list = await store.candles.getCandles(symbol, interval, from, to);
      if (list.length === 0) {
        throw new DataInputError(
          '--source-db',
          `${path} holds no ${symbol} ${interval} candles${options.from === undefined && options.to === undefined ? '' : ' in --from..--to'}; fetch them with SYMBOLS=${symbol} TIMEFRAMES=${interval} DB_PATH=${path} ${commandHint('fetch-history')}`,
        );
      }
      candles.set(symbol, list);
    }
    const places = new Map(symbols.map((symbol) => [symbol, { symbol, source: path }]));
    return { loaded: { candles, interval, description: `${path} (${interval})` }, places };
  } finally {
    await store.close();
  }
}

function loadBundled(options: LoadCandlesOptions): Series {
  const symbols = options.symbols ?? bundledDatasets.map((dataset) => dataset.symbol);
  const interval = options.interval ?? '1h';
  const candles = new Map<SymbolId, readonly Candle[]>(
    symbols.map((symbol) => [symbol, loadBundledCandles(symbol, interval)]),
  );
  const file = (symbol: SymbolId): string =>
    bundledDatasets.find((d) => d.symbol === symbol && d.timeframe === interval)?.file ?? symbol;
  const places = new Map(symbols.map((symbol) => [symbol, { symbol, source: file(symbol) }]));
  const description = `the bundled Binance ${interval} data (${symbols.join(', ')}, 2024)`;
  return { loaded: { candles, interval, description }, places };
}

/** The flag a source's gaps are refused on, and how to fix them. */
const gapFixes = {
  csv: ['--data', 'Fill the missing candles in the file, or pass --allow-gaps to run over them.'],
  db: [
    '--source-db',
    `Fetch them again with ${commandHint('fetch-history')} (an exchange outage stays a gap), or pass --allow-gaps to run over them.`,
  ],
  bundled: ['--symbols', 'Pass --allow-gaps to run over them.'],
} as const;

/**
 * The gaps among the candles a run reads (the warm-up before `from`, up to `to`): refused unless
 * the source allows them, else listed and named in the description.
 */
function checkGaps({ loaded, places }: Series, options: LoadCandlesOptions): LoadedCandles {
  const { interval } = loaded;
  const step = timeframeMs(interval);
  const start =
    options.from === undefined
      ? Number.NEGATIVE_INFINITY
      : options.from - options.warmupCandles * step;
  const end = options.to ?? Number.POSITIVE_INFINITY;
  const gaps = [...loaded.candles]
    .flatMap(([symbol, list]) =>
      findSeriesGaps(list, interval, places.get(symbol) ?? { symbol, source: loaded.description }),
    )
    .filter((gap) => gap.firstAfter - step >= start && gap.lastBefore + step <= end);
  if (gaps.length === 0) return { ...loaded, gaps };
  const [field, fix] = gapFixes[options.source.kind];
  if (options.source.allowGaps !== true) throw new DataInputError(field, gapRefusal(gaps, fix));
  const missing = gaps.reduce((sum, gap) => sum + gap.missing, 0);
  const runOver = `${gaps.length} gap${gaps.length === 1 ? '' : 's'} run over with --allow-gaps (${missing} missing candles)`;
  return { ...loaded, gaps, description: `${loaded.description}; ${runOver}` };
}

/**
 * Loads the candles of a run, and checks them for gaps: a run of missing candles among those the
 * run reads (the warm-up before `from`, up to `to`) is refused unless `source.allowGaps`, naming
 * each gap (file lines or symbol, the times around it, the candles missing); allowed gaps are
 * listed in `gaps` and named in the description.
 *
 * @example
 * ```ts
 * const loaded = await loadCandles({ source: { kind: 'csv', files: ['btc.csv'], allowGaps: true },
 *   symbols: undefined, interval: undefined, from: undefined, to: undefined, warmupCandles: 50 });
 * loaded.gaps; // [{ symbol: 'BTC-USD', lastBefore, firstAfter, missing: 10, lines: { before: 21, after: 22 }, ... }]
 * ```
 * @throws {DataInputError} on the option at fault (`--data`, `--source-db`): a missing or unreadable
 *   file, a CSV file without a symbol, a malformed file (not gzip, truncated, binary, a bad value,
 *   naming its line and column), a database without the symbols' candles, or a gap not allowed.
 */
export async function loadCandles(options: LoadCandlesOptions): Promise<LoadedCandles> {
  const { source } = options;
  switch (source.kind) {
    case 'csv':
      return checkGaps(await loadCsv(source.files, options), options);
    case 'db':
      return checkGaps(await loadDatabase(source.path, options), options);
    case 'bundled':
      return checkGaps(loadBundled(options), options);
  }
}

/** The candle open times of a run's period that the data holds, and how many candles fall in it. */
export interface CandlePeriod {
  /** First and last candle open time in the period (epoch ms). */
  readonly from: number;
  readonly to: number;
  /** Candles in the period, over every symbol. */
  readonly candles: number;
}

/**
 * The part of the data a run's period covers: its first and last candle and the candle count.
 *
 * @example
 * ```ts
 * candlePeriod(loaded.candles, Date.UTC(2024, 2, 1), undefined); // { from, to, candles }
 * ```
 * @throws {DataInputError} on `--from` (or `--to` when no start is given) when no candle falls in
 *   the period, saying what the data covers.
 */
export function candlePeriod(
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  from: number | undefined,
  to: number | undefined,
): CandlePeriod {
  const start = from ?? Number.NEGATIVE_INFINITY;
  const end = to ?? Number.POSITIVE_INFINITY;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let dataFirst = Number.POSITIVE_INFINITY;
  let dataLast = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const list of candles.values()) {
    dataFirst = Math.min(dataFirst, list[0]?.time ?? dataFirst);
    dataLast = Math.max(dataLast, list.at(-1)?.time ?? dataLast);
    for (const candle of list) {
      if (candle.time < start || candle.time > end) continue;
      first = Math.min(first, candle.time);
      last = Math.max(last, candle.time);
      count++;
    }
  }
  if (count === 0) {
    const range = Number.isFinite(dataFirst)
      ? `${utcMinute(dataFirst)} → ${utcMinute(dataLast)} UTC`
      : 'nothing';
    throw new DataInputError(
      from === undefined ? '--to' : '--from',
      `no candles between --from and --to; the data covers ${range}`,
    );
  }
  return { from: first, to: last, candles: count };
}
