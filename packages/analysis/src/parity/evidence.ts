/** What the attribution rules know about both sides, gathered once per report. */
import type { Candle, Fill, Order, SymbolId } from '@lumenlink/core';
import type { Config } from '@lumenlink/config';
import type { RecordedDecision } from './parity-store.js';
import type { RebuiltTrade } from './rebuild-trades.js';

/** Missing candle times of a symbol, as runs of consecutive missing opens. */
export interface Gap {
  readonly from: number;
  readonly to: number;
}

/** What the attribution rules know about both sides. */
export interface Evidence {
  readonly config: Config;
  /** How far back a decision looks, in ms (the strategy's warm-up, or the ATR period). */
  readonly lookbackMs: number;
  readonly candles: ReadonlyMap<SymbolId, ReadonlyMap<number, Candle>>;
  readonly gaps: ReadonlyMap<SymbolId, readonly Gap[]>;
  readonly botOrders: readonly Order[];
  readonly botOrderIds: ReadonlySet<string>;
  readonly botDecisions: readonly RecordedDecision[];
  readonly backtestDecisions: readonly RecordedDecision[];
  /** The bot's last processed candle, when it recorded one. */
  readonly lastProcessed: number | null;
  /** The bot's first record (decision or order), when it has one. */
  readonly firstRecord: number | null;
  /** The slippage every paper market fill of the bot implies, when they all agree. */
  readonly botSlippageBps: number | null;
}

/** The runs of missing candles between the first and the last of `candles`. */
export function findGaps(candles: readonly Candle[], intervalMs: number): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < candles.length; i++) {
    const previous = candles[i - 1]!.time;
    const current = candles[i]!.time;
    if (current - previous > intervalMs) {
      gaps.push({ from: previous + intervalMs, to: current - intervalMs });
    }
  }
  return gaps;
}

/** The slippage in bps that a fill at `fill.price` on a candle opening at `open` paid. */
export function impliedSlippageBps(fill: Fill, open: number): number {
  return (fill.side === 'buy' ? fill.price / open - 1 : 1 - fill.price / open) * 10_000;
}

/** The slippage all the bot's paper market fills on candles share, if they share one. */
export function uniformSlippage(
  rebuilt: readonly RebuiltTrade[],
  candles: ReadonlyMap<SymbolId, ReadonlyMap<number, Candle>>,
  config: Config,
): number | null {
  const implied: number[] = [];
  for (const trade of rebuilt) {
    for (const [fill, order] of [
      [trade.entryFill, trade.entryOrder],
      [trade.exitFill, trade.exitOrder],
    ] as const) {
      if (fill === null || order === null) continue;
      if (order.exchange !== 'paper' || order.type !== 'market') continue;
      const candle = candles.get(fill.symbol)?.get(fill.time);
      if (candle === undefined) continue;
      implied.push(impliedSlippageBps(fill, candle.open));
    }
  }
  if (implied.length < 2) return null;
  const low = Math.min(...implied);
  const high = Math.max(...implied);
  return high - low < 1e-6 && Math.abs(low - config.paper.slippageBps) > 1e-6 ? low : null;
}
