/** Pairing the bot's trades with the backtest's, and finding the fields that differ. */
import { sameValue } from './numbers.js';
import type { RebuiltTrade } from './rebuild-trades.js';
import { tradeFields, type ParityTrade, type TradeField } from './types.js';

/** A trade of one side with its twin on the other, when it has one. */
export interface TradePair {
  readonly bot: RebuiltTrade | null;
  readonly backtest: RebuiltTrade | null;
}

/** A differing field's values: the bot's, then the backtest's. */
export type FieldValues = readonly [number | string | null, number | string | null];

/** Pairs trades of one symbol: by entry signal time, then the nearest overlapping one. */
export function matchTrades(
  bot: readonly RebuiltTrade[],
  backtest: readonly RebuiltTrade[],
): TradePair[] {
  const pairs: TradePair[] = [];
  const freeBot = new Set(bot);
  const freeBacktest = new Set(backtest);
  for (const ours of bot) {
    const twin = [...freeBacktest].find(
      (theirs) =>
        theirs.trade.symbol === ours.trade.symbol &&
        theirs.trade.entrySignalTime === ours.trade.entrySignalTime,
    );
    if (twin === undefined) continue;
    pairs.push({ bot: ours, backtest: twin });
    freeBot.delete(ours);
    freeBacktest.delete(twin);
  }
  for (const candidate of overlapping(freeBot, freeBacktest)) {
    if (!freeBot.has(candidate.bot) || !freeBacktest.has(candidate.backtest)) continue;
    pairs.push({ bot: candidate.bot, backtest: candidate.backtest });
    freeBot.delete(candidate.bot);
    freeBacktest.delete(candidate.backtest);
  }
  for (const ours of freeBot) pairs.push({ bot: ours, backtest: null });
  for (const theirs of freeBacktest) pairs.push({ bot: null, backtest: theirs });
  return pairs;
}

/** Every pair of overlapping trades of one symbol, nearest entry signals first. */
function overlapping(
  bot: ReadonlySet<RebuiltTrade>,
  backtest: ReadonlySet<RebuiltTrade>,
): { bot: RebuiltTrade; backtest: RebuiltTrade; distance: number }[] {
  const end = (trade: ParityTrade): number => trade.exitTime ?? Number.POSITIVE_INFINITY;
  const candidates: { bot: RebuiltTrade; backtest: RebuiltTrade; distance: number }[] = [];
  for (const ours of bot) {
    for (const theirs of backtest) {
      const a = ours.trade;
      const b = theirs.trade;
      if (a.symbol !== b.symbol) continue;
      if (a.entrySignalTime > end(b) || b.entrySignalTime > end(a)) continue;
      candidates.push({
        bot: ours,
        backtest: theirs,
        distance: Math.abs(a.entrySignalTime - b.entrySignalTime),
      });
    }
  }
  return candidates.sort(
    (x, y) =>
      x.distance - y.distance ||
      x.bot.trade.entrySignalTime - y.bot.trade.entrySignalTime ||
      x.backtest.trade.entrySignalTime - y.backtest.trade.entrySignalTime,
  );
}

/** The compared fields that differ between two matched trades, in {@link tradeFields} order. */
export function compareFields(
  bot: ParityTrade,
  backtest: ParityTrade,
): Map<TradeField, FieldValues> {
  const differing = new Map<TradeField, FieldValues>();
  for (const field of tradeFields) {
    const ours = bot[field];
    const theirs = backtest[field];
    if (!sameValue(ours, theirs)) differing.set(field, [ours, theirs]);
  }
  return differing;
}
