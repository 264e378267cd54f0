import type { z } from 'zod';
import type { Candle } from './candle.js';
import type { MarketContext } from './market-context.js';
import type { Position } from './position.js';
import type { Signal } from './signal.js';
import type { SymbolId } from './symbol.js';
import type { Timeframe } from './timeframe.js';

/** What a strategy sees besides the candle. */
export interface StrategyContext {
  readonly symbol: SymbolId;
  /** Close time of the candle being processed (epoch ms): the decision time. */
  readonly time: number;
  /** The open position on this symbol, or `null` when flat. */
  readonly position: Position | null;
  /** Sentiment and on-chain snapshot; absent when no feed is configured (and in backtests). */
  readonly market?: MarketContext;
}

/**
 * A strategy instance: one per symbol, keeping its own streaming indicators. `onCandle` is
 * synchronous and pure apart from that state; it sees closed candles only, in time order.
 */
export interface Strategy<Params = unknown> {
  readonly key: string;
  readonly params: Readonly<Params>;
  /** Closed base candles needed before signals are meaningful (covers higher timeframes). */
  readonly warmup: number;
  onCandle(candle: Candle, context: StrategyContext): Signal;
}

/** How to make a strategy: its key, parameter schema with defaults, and a factory. */
export interface StrategyDefinition<Params = unknown> {
  readonly key: string;
  readonly description: string;
  /** Validates parameters and fills defaults. */
  readonly paramsSchema: z.ZodType<Params>;
  create(params: Params, options: { readonly interval: Timeframe }): Strategy<Params>;
}
