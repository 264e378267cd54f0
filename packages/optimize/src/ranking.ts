/** Ranking a sweep's results by a chosen metric. */
import type { BacktestMetrics } from '@lumenlink/analysis';

/** The metrics a sweep can be ranked by, as `--metric` takes them. */
export const rankMetrics = ['sharpe', 'sortino', 'calmar', 'profit-factor', 'return'] as const;

/** A metric a sweep is ranked by. */
export type RankMetric = (typeof rankMetrics)[number];

/** Whether `text` names a {@link RankMetric}. */
export function isRankMetric(text: string): text is RankMetric {
  return (rankMetrics as readonly string[]).includes(text);
}

/** A rank metric's name for people: `Sharpe`, `profit factor`, `return`. */
export function metricLabel(metric: RankMetric): string {
  switch (metric) {
    case 'sharpe':
      return 'Sharpe';
    case 'sortino':
      return 'Sortino';
    case 'calmar':
      return 'Calmar';
    case 'profit-factor':
      return 'profit factor';
    case 'return':
      return 'return';
  }
}

/**
 * The value of a metric in a run's metrics (higher is better for each). `return` is the total
 * return; the ratios may be `Infinity` (no losing period or trade, see `BacktestMetrics`).
 */
export function metricValue(metrics: BacktestMetrics, metric: RankMetric): number {
  switch (metric) {
    case 'sharpe':
      return metrics.sharpe;
    case 'sortino':
      return metrics.sortino;
    case 'calmar':
      return metrics.calmar;
    case 'profit-factor':
      return metrics.profitFactor;
    case 'return':
      return metrics.totalReturn;
  }
}

/** One entry to rank: its score, whether it qualifies (enough trades), and its original order. */
export interface Scored {
  readonly score: number;
  readonly qualified: boolean;
  readonly index: number;
}

/**
 * Orders entries best first: those that qualify before those that do not, then by score (NaN
 * last), then by their original order, so equal scores keep the order of the search and a
 * ranking never depends on which worker finished first.
 */
export function compareScored(a: Scored, b: Scored): number {
  if (a.qualified !== b.qualified) return a.qualified ? -1 : 1;
  const scoreA = Number.isNaN(a.score) ? Number.NEGATIVE_INFINITY : a.score;
  const scoreB = Number.isNaN(b.score) ? Number.NEGATIVE_INFINITY : b.score;
  if (scoreA !== scoreB) return scoreB > scoreA ? 1 : -1;
  return a.index - b.index;
}

/** Sorts a copy of the entries with {@link compareScored}. */
export function rankScored<T extends Scored>(entries: readonly T[]): T[] {
  return [...entries].sort(compareScored);
}
