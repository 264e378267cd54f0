import { readFile, writeFile } from 'node:fs/promises';
import {
  DataIntegrityError,
  candleProblem,
  isCandleAligned,
  type Candle,
  type Timeframe,
} from '@lumenlink/core';

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
  const lines = text.split(/\r?\n/);
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
 * Reads and parses a candle CSV file.
 *
 * @throws {DataIntegrityError} for malformed content (see {@link parseCandlesCsv}).
 */
export async function readCandlesCsv(
  path: string,
  options: Omit<ParseCandlesCsvOptions, 'source'> = {},
): Promise<Candle[]> {
  return parseCandlesCsv(await readFile(path, 'utf8'), { ...options, source: path });
}

/** Writes candles to a CSV file (replacing it). */
export async function writeCandlesCsv(path: string, candles: readonly Candle[]): Promise<void> {
  await writeFile(path, formatCandlesCsv(candles));
}
