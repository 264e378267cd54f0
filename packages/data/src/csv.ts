/**
 * Candle CSV files: `time,open,high,low,close,volume`, plain or gzip-compressed (`.gz`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import {
  DataIntegrityError,
  candleProblem,
  isCandleAligned,
  type Candle,
  type CandleStore,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import { checkTimeframe } from './candle-repository.js';

const gunzipAsync = promisify(gunzip);
const gzipAsync = promisify(gzip);

/** The one CSV header LumenLink reads and writes. */
export const candleCsvHeader = 'time,open,high,low,close,volume';

/** Options of {@link parseCandlesCsv}. */
export interface ParseCandlesCsvOptions {
  /** Where the text came from, for error messages (a file path). */
  readonly source?: string;
  /** When given, every time must be the open time of a candle of this timeframe. */
  readonly timeframe?: Timeframe;
}

/**
 * Parses candles from CSV text with the header `time,open,high,low,close,volume` (time = open time
 * in epoch ms). Every row is validated; times must increase strictly.
 *
 * @example
 * ```ts
 * const candles = parseCandlesCsv(text, { source: 'btc.csv', timeframe: '1h' });
 * ```
 * @throws {DataIntegrityError} naming the source, the line and what is wrong, for a bad header,
 * a malformed or impossible row, or times that do not increase.
 */
export function parseCandlesCsv(text: string, options: ParseCandlesCsvOptions = {}): Candle[] {
  const source = options.source ?? 'CSV';
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== candleCsvHeader) {
    throw new DataIntegrityError(
      `${source}: line 1 must be the header "${candleCsvHeader}" (time = candle open time in epoch ms), got "${lines[0] ?? ''}"`,
    );
  }
  const candles: Candle[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const where = `${source}: line ${index + 1}`;
    const fields = line.split(',');
    if (fields.length !== 6) {
      throw new DataIntegrityError(
        `${where}: expected 6 comma-separated fields, got ${fields.length}`,
      );
    }
    const [time, open, high, low, close, volume] = fields.map((field) =>
      field.trim() === '' ? Number.NaN : Number(field),
    );
    const candle: Candle = {
      time: time!,
      open: open!,
      high: high!,
      low: low!,
      close: close!,
      volume: volume!,
    };
    const problem = candleProblem(candle);
    if (problem !== undefined) throw new DataIntegrityError(`${where}: ${problem}`);
    if (candle.time <= previous) {
      throw new DataIntegrityError(
        `${where}: time ${candle.time} does not come after ${previous}; sort the file by time and remove duplicates`,
      );
    }
    if (options.timeframe !== undefined && !isCandleAligned(candle.time, options.timeframe)) {
      throw new DataIntegrityError(
        `${where}: time ${candle.time} is not the open time of a ${options.timeframe} candle`,
      );
    }
    previous = candle.time;
    candles.push(candle);
  }
  return candles;
}

/** Formats candles as CSV with {@link candleCsvHeader}, one row per candle, numbers unrounded. */
export function formatCandlesCsv(candles: readonly Candle[]): string {
  const rows = candles.map((c) => `${c.time},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  return `${candleCsvHeader}\n${rows.join('\n')}${rows.length > 0 ? '\n' : ''}`;
}

/**
 * Reads and parses a candle CSV file; a path ending in `.gz` is gunzipped first.
 *
 * @throws {DataIntegrityError} for malformed content (see {@link parseCandlesCsv}).
 * @throws the file system's error when the file cannot be read (`ENOENT`), or zlib's for a
 *   `.gz` file that is not gzip.
 */
export async function readCandlesCsv(
  path: string,
  options: Omit<ParseCandlesCsvOptions, 'source'> = {},
): Promise<Candle[]> {
  const bytes = await readFile(path);
  const text = (isGzipPath(path) ? await gunzipAsync(bytes) : bytes).toString('utf8');
  return parseCandlesCsv(text, { ...options, source: path });
}

/** Writes candles to a CSV file (replacing it); a path ending in `.gz` is gzip-compressed. */
export async function writeCandlesCsv(path: string, candles: readonly Candle[]): Promise<void> {
  const text = formatCandlesCsv(candles);
  await writeFile(path, isGzipPath(path) ? await gzipAsync(text) : text);
}

/** What {@link importCandlesCsv} did. */
export interface CsvImportResult {
  /** Candles read from the file. */
  readonly rows: number;
  /** Candles written: new or changed (re-importing the same file writes 0). */
  readonly stored: number;
}

/**
 * Imports a candle CSV file (see {@link readCandlesCsv}) into a store: the whole file is checked
 * first (every time aligned to `timeframe`), then upserted in one transaction, so a bad file
 * stores nothing.
 *
 * @example
 * ```ts
 * const { rows, stored } = await importCandlesCsv('btc-1h.csv', store.candles, 'BTC-USD', '1h');
 * ```
 * @throws {ValidationError} for an invalid timeframe.
 * @throws {DataIntegrityError} naming the line of the first bad row; nothing is stored.
 * @throws {StorageError} when the store fails.
 */
export async function importCandlesCsv(
  path: string,
  store: CandleStore,
  symbol: SymbolId,
  timeframe: Timeframe,
): Promise<CsvImportResult> {
  checkTimeframe(timeframe);
  const candles = await readCandlesCsv(path, { timeframe });
  const stored = await store.saveCandles(symbol, timeframe, candles);
  return { rows: candles.length, stored };
}

/**
 * Exports stored candles with open time in [from, to] (default: all) to a CSV file, ascending;
 * a path ending in `.gz` is gzip-compressed. Returns the number of candles written.
 *
 * @example
 * ```ts
 * await exportCandlesCsv('btc-1h.csv', store.candles, 'BTC-USD', '1h', Date.UTC(2024, 0, 1));
 * ```
 * @throws {ValidationError} for an invalid timeframe or time.
 * @throws {StorageError} when the store fails.
 */
export async function exportCandlesCsv(
  path: string,
  store: CandleStore,
  symbol: SymbolId,
  timeframe: Timeframe,
  from = 0,
  to = Number.MAX_SAFE_INTEGER,
): Promise<number> {
  checkTimeframe(timeframe);
  const candles = await store.getCandles(symbol, timeframe, from, to);
  await writeCandlesCsv(path, candles);
  return candles.length;
}

function isGzipPath(path: string): boolean {
  return path.toLowerCase().endsWith('.gz');
}
