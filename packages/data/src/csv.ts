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
import { parseTimeText } from './time-text.js';

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

/** Candles read from CSV text, with the line of the text each came from (1-based). */
export interface CandleRows {
  readonly candles: Candle[];
  readonly lines: number[];
}

const columns = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;
/** A decimal as exchanges and {@link formatCandlesCsv} write it: sign, point and exponent optional. */
const decimalPattern = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const decimalFix =
  'write prices and volume as plain decimals such as 42283.58 or 1.5e-7 (no hex, Infinity, NaN, thousands separators, quotes or empty fields)';
const timeFix =
  'write the candle open time as whole milliseconds since 1970-01-01 UTC, such as 1704067200000';
/** The last millisecond of the year 9999: later times are in a finer unit than ms. */
const lastMs = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Where `text` holds a character that never occurs in CSV text (a control character other than tab,
 * line and page ends, or U+FFFD: bytes that are not UTF-8), or -1.
 */
function binaryIndex(text: string): number {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code < 0x20 && (code < 0x09 || code > 0x0d)) || code === 0xfffd) return index;
  }
  return -1;
}

/**
 * Parses candles from CSV text with the header `time,open,high,low,close,volume` (time = open time
 * in epoch ms). Every row is validated; times must increase strictly.
 *
 * Accepted values: times are whole epoch milliseconds (digits only); prices and volume are plain
 * decimals with an optional sign, point and exponent (`42283.58`, `+1`, `1.5e-7`). Spaces around a
 * value are ignored. Everything else is refused, naming the line and column: hex (`0x10`),
 * `Infinity`, `NaN`, empty fields, thousands separators, quotes, ISO dates and times in seconds or
 * microseconds (with the value to write instead).
 *
 * @example
 * ```ts
 * const candles = parseCandlesCsv(text, { source: 'btc.csv', timeframe: '1h' });
 * ```
 * @throws {DataIntegrityError} naming the source, the line (and column) and what is wrong, for
 *   binary or empty text, a bad header, a value that is not a decimal, an impossible row, or times
 *   that do not increase.
 */
export function parseCandlesCsv(text: string, options: ParseCandlesCsvOptions = {}): Candle[] {
  return parseCandleRows(text, options).candles;
}

/** {@link parseCandlesCsv}, with the line each candle came from. */
function parseCandleRows(text: string, options: ParseCandlesCsvOptions = {}): CandleRows {
  const source = options.source ?? 'CSV';
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split(/\r?\n/);
  checkText(lines, source);
  const header = lines[0]?.trim().toLowerCase();
  if (header !== candleCsvHeader) {
    const got = text.trim() === '' ? 'nothing: the file is empty' : quoted(lines[0] ?? '', 80);
    const bare = /^\d/.test(header ?? '') ? '; add it as the first line' : '';
    throw new DataIntegrityError(
      `${source}: line 1 must be the header "${candleCsvHeader}" (time = candle open time in epoch ms), got ${got}${bare}`,
    );
  }
  const candles: Candle[] = [];
  const candleLines: number[] = [];
  let previous = Number.NEGATIVE_INFINITY;
  for (let index = 1; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    const where = `${source}: line ${index + 1}`;
    const candle = rowCandle(line, where);
    const problem = candleProblem(candle);
    if (problem !== undefined) throw new DataIntegrityError(`${where}: ${problem}`);
    if (candle.time <= previous) {
      throw new DataIntegrityError(
        `${where}: time ${candle.time} does not come after ${previous}; sort the file by time and remove duplicates`,
      );
    }
    if (options.timeframe !== undefined && !isCandleAligned(candle.time, options.timeframe)) {
      throw new DataIntegrityError(
        `${where}: time ${candle.time} is not the open time of a ${options.timeframe} candle${secondsHint(candle.time, options.timeframe)}`,
      );
    }
    previous = candle.time;
    candles.push(candle);
    candleLines.push(index + 1);
  }
  return { candles, lines: candleLines };
}

/**
 * `; it looks like epoch seconds: ...` when `time` read as seconds is an open time of the
 * timeframe after 1973 (times in ms before 1973 are not market data), else nothing.
 */
export function secondsHint(time: number, timeframe: Timeframe | undefined): string {
  const ms = time * 1000;
  const aligned = timeframe === undefined || isCandleAligned(ms, timeframe);
  return time > 1e8 && time < 1e11 && aligned
    ? `; it looks like epoch seconds: write milliseconds (${ms})`
    : '';
}

/** Refuses text that holds binary data (a control character or bytes that are not UTF-8). */
function checkText(lines: readonly string[], source: string): void {
  for (const [index, line] of lines.entries()) {
    const at = binaryIndex(line);
    if (at < 0) continue;
    const code = line.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0');
    throw new DataIntegrityError(
      `${source}: is not CSV text: line ${index + 1}, character ${at + 1} is U+${code} (binary data); expected the header "${candleCsvHeader}" and one candle per line`,
    );
  }
}

/** One row as a candle; `where` names the source and the line. */
function rowCandle(line: string, where: string): Candle {
  const fields = line.split(',');
  if (fields.length !== columns.length) {
    const split =
      fields.length > columns.length
        ? '; write numbers without thousands separators (1000, not 1,000) and with a decimal point (1.5, not 1,5)'
        : '';
    throw new DataIntegrityError(
      `${where}: expected ${columns.length} comma-separated fields (${candleCsvHeader}), got ${fields.length}${split}`,
    );
  }
  const [time, open, high, low, close, volume] = fields.map((field, column) =>
    column === 0
      ? timeValue(field.trim(), `${where}, column 1 (time)`)
      : decimalValue(field.trim(), `${where}, column ${column + 1} (${columns[column]})`),
  );
  return { time: time!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
}

function decimalValue(text: string, where: string): number {
  if (decimalPattern.test(text)) return Number(text);
  const got = text === '' ? 'is empty' : `${quoted(text, 40)} is not a decimal number`;
  throw new DataIntegrityError(`${where}: ${got}; ${decimalFix}`);
}

function timeValue(text: string, where: string): number {
  if (!/^\d+$/.test(text)) {
    const got = text === '' ? 'is empty' : `${quoted(text, 40)} is not epoch milliseconds`;
    throw new DataIntegrityError(`${where}: ${got}; ${timeFix}${isoHint(text)}`);
  }
  const value = Number(text);
  if (value > lastMs) {
    let ms = value;
    let divisions = 0;
    while (ms > lastMs) {
      ms = Math.floor(ms / 1000);
      divisions++;
    }
    const unit = divisions === 1 ? 'microseconds' : divisions === 2 ? 'nanoseconds' : 'not a time';
    throw new DataIntegrityError(
      `${where}: ${text} is after the year 9999: it looks like ${unit}; write milliseconds (${ms})`,
    );
  }
  return value;
}

/** ` ("2024-01-01T01:00Z" is 1704070800000)` for an ISO date-time, else nothing. */
function isoHint(text: string): string {
  if (!/^\d{4}-\d{2}-\d{2}[T ]/.test(text)) return '';
  try {
    return ` (${quoted(text, 40)} is ${parseTimeText('time', text, 'start')})`;
  } catch {
    return '';
  }
}

/** `text` as a JSON string, cut to `max` characters. */
function quoted(text: string, max: number): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}...` : text);
}

/** Formats candles as CSV with {@link candleCsvHeader}, one row per candle, numbers unrounded. */
export function formatCandlesCsv(candles: readonly Candle[]): string {
  const rows = candles.map((c) => `${c.time},${c.open},${c.high},${c.low},${c.close},${c.volume}`);
  return `${candleCsvHeader}\n${rows.join('\n')}${rows.length > 0 ? '\n' : ''}`;
}

/**
 * Reads and parses a candle CSV file. Gzip content (it starts with the bytes 0x1f 0x8b) is
 * gunzipped whatever the name; a path ending in `.gz` must hold gzip.
 *
 * @throws {DataIntegrityError} naming the file: a `.gz` file that is not gzip (with its first
 *   bytes), empty, truncated or corrupt; malformed content (see {@link parseCandlesCsv}).
 * @throws the file system's error when the file cannot be read (`ENOENT`, `EISDIR`).
 */
export async function readCandlesCsv(
  path: string,
  options: Omit<ParseCandlesCsvOptions, 'source'> = {},
): Promise<Candle[]> {
  return (await readCandleRows(path, options)).candles;
}

/** {@link readCandlesCsv}, with the line each candle came from. */
export async function readCandleRows(
  path: string,
  options: Omit<ParseCandlesCsvOptions, 'source'> = {},
): Promise<CandleRows> {
  const text = await candleFileText(path, await readFile(path));
  return parseCandleRows(text, { ...options, source: path });
}

/** The text of a candle file's bytes: gunzipped when they are gzip. */
async function candleFileText(path: string, bytes: Buffer): Promise<string> {
  const gzipped = bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (!gzipped && isGzipPath(path)) throw new DataIntegrityError(`${path}: ${notGzip(bytes)}`);
  if (!gzipped) return bytes.toString('utf8');
  try {
    return (await gunzipAsync(bytes)).toString('utf8');
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const problem =
      code === 'Z_BUF_ERROR'
        ? 'truncated gzip: the compressed data ends early'
        : 'corrupt gzip data';
    throw new DataIntegrityError(
      `${path}: ${problem} (zlib: ${String(message)}); download or copy it again`,
      { cause: error },
    );
  }
}

/** Why bytes named `.gz` are not gzip, and what to do. */
function notGzip(bytes: Buffer): string {
  if (bytes.length === 0) return 'is empty (0 bytes); expected gzip-compressed CSV';
  const first = [...bytes.subarray(0, 4)].map((byte) => `0x${byte.toString(16).padStart(2, '0')}`);
  const what = `not a gzip file (it starts ${first.join(' ')}; a gzip file starts 0x1f 0x8b)`;
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    return `${what}: it is a zip archive: unzip it and give the CSV inside`;
  }
  const text = bytes.subarray(0, 512).toString('utf8');
  return binaryIndex(text) >= 0
    ? `${what}: download or copy it again`
    : `${what}: it is plain text: rename it without .gz`;
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
