/**
 * Rounding to a market's amount step. Quantities are rounded down, so an order never exceeds
 * what was sized, the room under the max position or the position held.
 */

/** Decimal places of a step such as 0.001 (3) or 0.25 (2); at most 15. */
function stepDecimals(step: number): number {
  for (let decimals = 0; decimals <= 15; decimals++) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(Math.round(scaled) - scaled) < 1e-9 * Math.max(1, scaled)) return decimals;
  }
  return 15;
}

function multiple(count: number, step: number, decimals: number): number {
  return Number((count * step).toFixed(decimals));
}

/**
 * The largest multiple of `step` at or below `quantity` (`quantity` itself when `step` is not
 * positive). The result is never above `quantity`, also after floating-point cleanup.
 *
 * @example
 * ```ts
 * roundDownToStep(0.123456, 0.001); // 0.123
 * roundDownToStep(0.3, 0.1); // 0.3, not 0.30000000000000004
 * ```
 */
export function roundDownToStep(quantity: number, step: number): number {
  if (!(step > 0) || !(quantity > 0)) return Math.max(0, quantity);
  // Beyond 2^52 steps a float cannot tell multiples apart: the quantity is as exact as it gets.
  if (quantity / step >= 2 ** 52) return quantity;
  const decimals = stepDecimals(step);
  let count = Math.floor(quantity / step);
  if (multiple(count + 1, step, decimals) <= quantity) count += 1;
  let rounded = multiple(count, step, decimals);
  for (let i = 0; rounded > quantity && count > 0 && i < 4; i++) {
    count -= 1;
    rounded = multiple(count, step, decimals);
  }
  return Math.min(rounded, quantity);
}

/**
 * The smallest multiple of `step` at or above `quantity` (`quantity` itself when `step` is not
 * positive). Used only for a market's minimum order, never for a sized quantity.
 *
 * @example
 * ```ts
 * roundUpToStep(0.0001234, 0.0001); // 0.0002
 * ```
 */
export function roundUpToStep(quantity: number, step: number): number {
  if (!(step > 0) || !(quantity > 0)) return Math.max(0, quantity);
  if (quantity / step >= 2 ** 52) return quantity;
  const decimals = stepDecimals(step);
  let count = Math.ceil(quantity / step);
  if (count > 0 && multiple(count - 1, step, decimals) >= quantity) count -= 1;
  let rounded = multiple(count, step, decimals);
  for (let i = 0; rounded < quantity && i < 4; i++) {
    count += 1;
    rounded = multiple(count, step, decimals);
  }
  return Math.max(rounded, quantity);
}
