/**
 * What produced an optimisation: the strategy's source (key, or file path and content hash), the
 * parameters outside the search, the fill model and risk limits, and the candles read with their
 * hash. The JSON and HTML outputs record it as core's `RunProvenance`.
 */
import type { DataProvenance, RunProvenance, StrategyProvenance } from '@lumenlink/core';
import { formatTime } from '@lumenlink/analysis';

/**
 * What produced an optimisation: core's `RunProvenance`, with `params` the parameters outside
 * the search (defaults, params file and `--param` values), `settings` the fill model and risk
 * limits every run shared (`BacktestSettings`), and `data` every candle read (the walk-forward
 * windows and the warm-up are cut from these), with their SHA-256.
 */
export interface OptimizeProvenance extends RunProvenance {
  readonly data: DataProvenance;
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
 * The candles read, in words: `bundled: 8,000 candles of BTC-USDT 1h, 2024-01-01 00:00 →
 * 2024-12-31 23:00 UTC (sha256 …)`.
 */
export function describeData(data: DataProvenance): string {
  const range =
    data.first === null || data.last === null
      ? 'none'
      : `${formatTime(data.first)} → ${formatTime(data.last)} UTC`;
  return `${data.description}: ${data.candles.toLocaleString('en-US')} candles of ${data.symbols.join(', ')} ${data.interval}, ${range} (sha256 ${data.sha256})`;
}
