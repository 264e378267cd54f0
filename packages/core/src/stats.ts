/** Order statistics: the one percentile definition every package uses. */

/**
 * The `p`-th percentile (0..100) of ascending values, interpolated linearly between the two
 * nearest ranks (numpy's default, also Excel's `PERCENTILE.INC`); NaN for no values. Used for
 * the reports' and Monte Carlo's spreads and for the loops' run durations.
 *
 * @example
 * ```ts
 * import { percentile } from '@lumenlink/core';
 *
 * percentile([1, 2, 3, 4], 50); // 2.5
 * percentile([1, 2, 3, 4], 100); // 4
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  const lowValue = sorted[low]!;
  return lowValue + (sorted[high]! - lowValue) * (rank - low);
}
