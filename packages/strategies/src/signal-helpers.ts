import { hold, type Signal, type StrategyContext } from '@lumenlink/core';

/** Whether the context's position holds quantity: sells are emitted only then, unless a rule says otherwise. */
export function holdsPosition(context: StrategyContext): boolean {
  const position = context.position;
  return position !== null && position.quantity > 0;
}

/** `value` limited to `min..max`. */
export function clamp(value: number, min: number, max: number): number {
  return value < min ? min : value > max ? max : value;
}

/** A price or indicator value for a reason, with `decimals` decimals (cheap: no `Intl`). */
export function formatNumber(value: number, decimals = 2): string {
  return value.toFixed(decimals);
}

/** A share as a percentage for a reason: `0.125` -> `12.5%`. */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toFixed(2))}%`;
}

/**
 * A hold signal made once, at construction, and returned on every candle it applies to: frozen,
 * because every caller shares it. Holds therefore allocate nothing and build no strings.
 */
export function constantHold(reason: string): Signal {
  return Object.freeze(hold(reason));
}
