/**
 * What produced an optimisation: the strategy's source (key, or file path and content hash), the
 * parameters outside the search, the fill model and risk limits, and the candles read. The JSON
 * and HTML outputs record it, in the shape of core's `RunProvenance`.
 */
import type {
  Candle,
  DataProvenance,
  RunProvenance,
  StrategyProvenance,
  SymbolId,
} from '@lumenlink/core';
import { formatTime } from '@lumenlink/analysis';
import type { BacktestSettings } from './evaluate.js';

/**
 * The candles an optimisation read, every one of them (the walk-forward windows and the warm-up
 * are cut from these): core's `DataProvenance`, whose `sha256` is there when the candles were
 * fingerprinted.
 */
export type OptimizeDataRecord = Omit<DataProvenance, 'sha256'> & {
  readonly sha256?: string;
};

/**
 * What produced an optimisation: core's `RunProvenance`, with `params` the parameters outside
 * the search (defaults, params file and `--param` values) and the data record above.
 */
export interface OptimizeProvenance extends Omit<RunProvenance, 'data' | 'settings'> {
  /** The fill model and risk limits every run of the search shared. */
  readonly settings: BacktestSettings;
  readonly data: OptimizeDataRecord;
}

/**
 * The record of the candles read: where from, the symbols in run order, the interval, the open
 * times of the first and last candle over all symbols (`null` without candles) and the count.
 *
 * @example
 * ```ts
 * dataRecordOf({ description: 'bundled', candles, interval: '1h' });
 * // { description: 'bundled', symbols: ['BTC-USDT'], interval: '1h', first, last, candles: 8000 }
 * ```
 */
export function dataRecordOf(input: {
  readonly description: string;
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  readonly interval: string;
}): OptimizeDataRecord {
  let first: number | null = null;
  let last: number | null = null;
  let count = 0;
  for (const list of input.candles.values()) {
    count += list.length;
    const head = list[0];
    const tail = list[list.length - 1];
    if (head !== undefined && (first === null || head.time < first)) first = head.time;
    if (tail !== undefined && (last === null || tail.time > last)) last = tail.time;
  }
  return {
    description: input.description,
    symbols: [...input.candles.keys()],
    interval: input.interval,
    first,
    last,
    candles: count,
  };
}

/**
 * Where a strategy came from, in words: `built-in ema_crossover`, `my_idea from file
 * /home/me/bot/strategies/my-idea.ts (sha256 3f2a…)`, `trend from package my-strategies@1.2.0 …`.
 */
export function describeStrategySource(strategy: StrategyProvenance): string {
  if (strategy.kind === 'builtin') return `built-in ${strategy.key}`;
  const where =
    strategy.kind === 'package'
      ? `package ${strategy.packageName ?? strategy.spec}${strategy.packageVersion === undefined ? '' : `@${strategy.packageVersion}`} (${strategy.path ?? ''})`
      : `file ${strategy.path ?? strategy.spec}`;
  const exported =
    strategy.exportName === undefined || strategy.exportName === 'default'
      ? ''
      : `, export ${strategy.exportName}`;
  return `${strategy.key} from ${where}${exported}${strategy.sha256 === undefined ? '' : ` (sha256 ${strategy.sha256})`}`;
}

/**
 * The candles read, in words: `bundled BTC-USDT 1h: 8,000 candles, 2024-01-01 00:00 → 2024-12-31
 * 23:00 UTC (sha256 …)`.
 */
export function describeData(data: OptimizeDataRecord): string {
  const range =
    data.first === null || data.last === null
      ? 'none'
      : `${formatTime(data.first)} → ${formatTime(data.last)} UTC`;
  return `${data.description}: ${data.candles.toLocaleString('en-US')} candles of ${data.symbols.join(', ')} ${data.interval}, ${range}${data.sha256 === undefined ? '' : ` (sha256 ${data.sha256})`}`;
}
