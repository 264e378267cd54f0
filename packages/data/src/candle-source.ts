/**
 * The candle source a backtest's flags ask for: `--data` files, a `--source-db` database, or the
 * bundled data, with `--allow-gaps`. Checked before anything is read, naming the flag at fault.
 */
import type { SymbolId, Timeframe } from '@lumenlink/core';
import { bundledDatasets } from './bundled-data.js';
import { DataInputError } from './input-error.js';
import type { CandleSource } from './load-candles.js';

/** The flags that choose a run's candles, as given (`undefined`: not given). */
export interface CandleSourceFlags {
  /** `--data` files, one per symbol. */
  readonly data: readonly string[] | undefined;
  /** `--source-db` file. */
  readonly sourceDb: string | undefined;
  /** The symbols asked for, in order. */
  readonly symbols: readonly SymbolId[] | undefined;
  /** Which flag gave the symbols, for messages. */
  readonly symbolFlag: '--symbol' | '--symbols';
  readonly interval: Timeframe | undefined;
  /** `--allow-gaps`: run over missing candles instead of refusing them. */
  readonly allowGaps: boolean;
}

/**
 * The candle source of a run's flags: `--data` files, else `--source-db`, else the bundled data.
 *
 * @example
 * ```ts
 * candleSourceOf({ data: ['btc.csv'], sourceDb: undefined, symbols: undefined,
 *   symbolFlag: '--symbols', interval: undefined, allowGaps: true });
 * // { kind: 'csv', files: ['btc.csv'], allowGaps: true }
 * ```
 * @throws {DataInputError} naming the flag: both `--data` and `--source-db`, an empty path, a
 *   symbol count unlike the file count, `--source-db` without symbols, or symbols or an interval
 *   the bundled data does not have.
 */
export function candleSourceOf(flags: CandleSourceFlags): CandleSource {
  const { data, sourceDb, symbols, symbolFlag, interval } = flags;
  const gaps = flags.allowGaps ? { allowGaps: true } : {};
  if (data !== undefined && sourceDb !== undefined) {
    throw new DataInputError(
      '--source-db',
      'give candles either from --data files or from --source-db, not both',
    );
  }
  if (data !== undefined) {
    if (data.some((file) => file.trim() === '')) {
      throw new DataInputError('--data', 'is empty. Accepted: a CSV file path');
    }
    if (symbols !== undefined && symbols.length !== data.length) {
      throw new DataInputError(
        symbolFlag,
        `names ${symbols.length} symbol(s) for ${data.length} --data file(s): give one symbol per file, in the same order, or leave it out to name each by its file`,
      );
    }
    return { kind: 'csv', files: data, ...gaps };
  }
  if (sourceDb !== undefined) {
    if (sourceDb.trim() === '') {
      throw new DataInputError('--source-db', 'is empty. Accepted: a SQLite file path');
    }
    if (symbols === undefined) {
      throw new DataInputError(
        '--source-db',
        'needs --symbols (or --symbol): which stored symbols to run on',
      );
    }
    return { kind: 'db', path: sourceDb, ...gaps };
  }
  const bundled = bundledDatasets.map((dataset) => dataset.symbol);
  const other = symbols?.find((symbol) => !bundled.includes(symbol));
  if (other !== undefined) {
    throw new DataInputError(
      symbolFlag,
      `no bundled data for ${other}: the bundled symbols are ${bundled.join(', ')}; give other symbols' candles with --data FILE or --source-db FILE`,
    );
  }
  if (
    interval !== undefined &&
    !bundledDatasets.some((dataset) => dataset.timeframe === interval)
  ) {
    const timeframes = [...new Set(bundledDatasets.map((dataset) => dataset.timeframe))];
    throw new DataInputError(
      '--interval',
      `the bundled data is ${timeframes.join(', ')} only; give ${interval} candles with --data FILE or --source-db FILE`,
    );
  }
  return { kind: 'bundled', ...gaps };
}
