/** What the rules for one matched pair share while they attribute its differing fields. */
import type { SymbolId } from '@lumenlink/core';
import type { Attribution } from './attribution-rules.js';
import type { Evidence } from './evidence.js';
import type { RebuiltTrade } from './rebuild-trades.js';
import {
  tradeFieldLabels,
  type ParityTrade,
  type TradeDifference,
  type TradeField,
} from './types.js';

/** A matched pair under attribution, with the causes found so far. */
export interface PairContext {
  readonly evidence: Evidence;
  readonly bot: RebuiltTrade;
  readonly backtest: RebuiltTrade;
  /** The bot's trade. */
  readonly ours: ParityTrade;
  /** The backtest's trade. */
  readonly theirs: ParityTrade;
  readonly symbol: SymbolId;
  /** The difference before this one in time, if any (an account it changed sizes this trade). */
  readonly earlier: TradeDifference | undefined;
  /** The cause of each differing field attributed so far, filled in {@link tradeFields} order. */
  readonly causes: Map<TradeField, Attribution>;
  differs(field: TradeField): boolean;
  /** A field that follows from another takes its cause; the evidence is on that field's line. */
  inherit(field: TradeField, why: string): Attribution;
}

/** The context of a matched pair whose `differing` fields are to be attributed. */
export function pairContext(
  evidence: Evidence,
  bot: RebuiltTrade,
  backtest: RebuiltTrade,
  differing: ReadonlyMap<TradeField, unknown>,
  earlier: TradeDifference | undefined,
): PairContext {
  const causes = new Map<TradeField, Attribution>();
  return {
    evidence,
    bot,
    backtest,
    ours: bot.trade,
    theirs: backtest.trade,
    symbol: bot.trade.symbol,
    earlier,
    causes,
    differs: (field) => differing.has(field),
    inherit: (field, why) => {
      const label = tradeFieldLabels[field];
      return {
        cause: causes.get(field)!.cause,
        note: why.includes(label) ? why : `${why} (see the ${label})`,
      };
    },
  };
}
