/**
 * Gaps in a series of candles: two consecutive candles more than one interval apart. A backtest
 * over a gap runs as if the missing time had not happened (indicators, fills and stops skip it), so
 * `loadCandles` refuses gaps unless the source allows them, and lists them either way.
 */
import { timeframeMs, type Candle, type SymbolId, type Timeframe } from '@lumenlink/core';
import { utcMinute } from './time-text.js';

/** A run of missing candles between two candles of a series. */
export interface CandleSeriesGap {
  readonly symbol: SymbolId;
  readonly timeframe: Timeframe;
  /** Where the candles came from: a CSV file, a database file, a bundled file. */
  readonly source: string;
  /** Open time of the last candle before the gap (epoch ms). */
  readonly lastBefore: number;
  /** Open time of the first candle after the gap (epoch ms). */
  readonly firstAfter: number;
  /** Candles missing between them. */
  readonly missing: number;
  /** The lines of those two candles, when the series was read from a CSV file. */
  readonly lines?: { readonly before: number; readonly after: number };
}

/** Where a series comes from, for {@link findSeriesGaps}. */
export interface SeriesPlace {
  readonly symbol: SymbolId;
  readonly source: string;
  /** The file line of each candle (same order and length as the candles). */
  readonly lines?: readonly number[];
}

/** Gaps listed in a message before "... and N more". */
const listedGaps = 20;

/**
 * The gaps of a series of candles in increasing time, aligned to `timeframe`.
 *
 * @example
 * ```ts
 * findSeriesGaps(candles, '1h', { symbol: 'BTC-USD', source: 'btc.csv', lines });
 * // [{ symbol: 'BTC-USD', timeframe: '1h', source: 'btc.csv', lastBefore, firstAfter, missing: 10, lines: { before: 21, after: 22 } }]
 * ```
 */
export function findSeriesGaps(
  candles: readonly Candle[],
  timeframe: Timeframe,
  place: SeriesPlace,
): CandleSeriesGap[] {
  const step = timeframeMs(timeframe);
  const gaps: CandleSeriesGap[] = [];
  for (let i = 1; i < candles.length; i++) {
    const lastBefore = candles[i - 1]!.time;
    const firstAfter = candles[i]!.time;
    if (firstAfter - lastBefore <= step) continue;
    const lines =
      place.lines === undefined
        ? {}
        : { lines: { before: place.lines[i - 1]!, after: place.lines[i]! } };
    const missing = Math.ceil((firstAfter - lastBefore) / step) - 1;
    gaps.push({
      symbol: place.symbol,
      timeframe,
      source: place.source,
      lastBefore,
      firstAfter,
      missing,
      ...lines,
    });
  }
  return gaps;
}

/**
 * One gap in words: where (file and lines, or source and symbol), the times around it (UTC) and
 * how many candles are missing.
 */
export function formatSeriesGap(gap: CandleSeriesGap): string {
  const count = `${gap.missing} missing ${gap.timeframe} candle${gap.missing === 1 ? '' : 's'}`;
  const [before, after] = [utcMinute(gap.lastBefore), utcMinute(gap.firstAfter)];
  return gap.lines === undefined
    ? `${gap.source} ${gap.symbol}: ${count} between ${before} and ${after} UTC`
    : `${gap.source}: ${count} between line ${gap.lines.before} (${before}) and line ${gap.lines.after} (${after} UTC)`;
}

/** `2 gaps in the candles (15 missing 1h candles in all)`. */
function gapSummary(gaps: readonly CandleSeriesGap[]): string {
  const missing = gaps.reduce((sum, gap) => sum + gap.missing, 0);
  const timeframe = gaps[0]?.timeframe ?? '';
  return gaps.length === 1
    ? `1 gap in the candles (${missing} missing ${timeframe} candle${missing === 1 ? '' : 's'})`
    : `${gaps.length} gaps in the candles (${missing} missing ${timeframe} candles in all)`;
}

/** The first gaps, one a line, indented, and how many more. */
function gapList(gaps: readonly CandleSeriesGap[]): string[] {
  const lines = gaps.slice(0, listedGaps).map((gap) => `  ${formatSeriesGap(gap)}`);
  if (gaps.length > listedGaps) lines.push(`  ... and ${gaps.length - listedGaps} more gaps`);
  return lines;
}

/**
 * Why gaps are refused, the first 20 of them, and `fix` (fill them, or `--allow-gaps`).
 */
export function gapRefusal(gaps: readonly CandleSeriesGap[], fix: string): string {
  return [
    `${gapSummary(gaps)}; a backtest over missing candles shifts indicators, fills and stops by the missing time:`,
    ...gapList(gaps),
    fix,
  ].join('\n');
}

/**
 * The warning for gaps a run goes over (`--allow-gaps`): how many, the first 20 of them.
 *
 * @example
 * ```ts
 * if (loaded.gaps?.length) process.stderr.write(`Warning: ${formatGapWarning(loaded.gaps)}\n`);
 * ```
 */
export function formatGapWarning(gaps: readonly CandleSeriesGap[]): string {
  return [
    `--allow-gaps: running over ${gapSummary(gaps)}; indicators, fills and stops skip the missing time:`,
    ...gapList(gaps),
  ].join('\n');
}
