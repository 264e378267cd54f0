import { z } from 'zod';

/** What a strategy wants to do on this candle. */
export type SignalAction = 'buy' | 'sell' | 'hold';

/**
 * A strategy's decision on one closed candle (docs/architecture/trade-cycle.md, step 3).
 */
export interface Signal {
  readonly action: SignalAction;
  /** Conviction from 0 to 1; sizing multiplies the max position by it. */
  readonly confidence: number;
  /** Why, in words a trader reads in `/why` and the decision log. */
  readonly reason: string;
  /** Share (0..1] of the max position to buy, or of the open position to sell. Default 1. */
  readonly portion?: number;
  /** Stop-loss price: makes an entry a bracket. */
  readonly stopLoss?: number;
  /** Take-profit price: makes an entry a bracket. */
  readonly takeProfit?: number;
  /** Limit price: makes the order a limit order. */
  readonly limitPrice?: number;
}

const price = z.number().finite().positive();

/** Validates a signal returned by a strategy (user code is not trusted to obey the types). */
export const signalSchema = z.strictObject({
  action: z.enum(['buy', 'sell', 'hold']),
  confidence: z.number().min(0).max(1),
  reason: z.string().min(1),
  portion: z.number().gt(0).max(1).optional(),
  stopLoss: price.optional(),
  takeProfit: price.optional(),
  limitPrice: price.optional(),
});

/**
 * A hold signal. Strategies return holds on most candles.
 *
 * @example
 * ```ts
 * return hold('RSI 52 is between the bands');
 * ```
 */
export function hold(reason: string): Signal {
  return { action: 'hold', confidence: 0, reason };
}
