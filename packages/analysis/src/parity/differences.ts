/** Turning matched pairs into the report's differences, each with its cause. */
import type { SymbolId } from '@lumenlink/core';
import { attributeChanged } from './attribute-changed.js';
import { attributeExtra, attributeMissing } from './attribute-trade.js';
import type { Evidence } from './evidence.js';
import { compareFields, matchTrades, type TradePair } from './match-trades.js';
import type { RebuiltTrade } from './rebuild-trades.js';
import {
  parityCauses,
  type FieldDifference,
  type ParityCause,
  type TradeDifference,
} from './types.js';

/** The differences between the two sides, and how many trades were found on both. */
export interface Comparison {
  readonly matched: number;
  readonly differences: readonly TradeDifference[];
}

/** Pairs in time order of their earlier entry signal, then in config order of their symbol. */
function inTimeOrder(pairs: TradePair[], symbols: readonly SymbolId[]): TradePair[] {
  const at = (pair: TradePair): number =>
    Math.min(
      pair.bot?.trade.entrySignalTime ?? Number.POSITIVE_INFINITY,
      pair.backtest?.trade.entrySignalTime ?? Number.POSITIVE_INFINITY,
    );
  const order = (pair: TradePair): number =>
    symbols.indexOf((pair.bot ?? pair.backtest)!.trade.symbol);
  return pairs.sort((a, b) => at(a) - at(b) || order(a) - order(b));
}

/** The difference of a pair found on both sides, or `null` when the two trades agree. */
function changed(
  evidence: Evidence,
  bot: RebuiltTrade,
  backtest: RebuiltTrade,
  earlier: TradeDifference | undefined,
): TradeDifference | null {
  const differing = compareFields(bot.trade, backtest.trade);
  if (differing.size === 0) return null;
  const causes = attributeChanged(evidence, bot, backtest, differing, earlier);
  const fields = [...differing].map(([field, [ours, theirs]]): FieldDifference => {
    const attribution = causes.get(field)!;
    return {
      field,
      bot: ours,
      backtest: theirs,
      delta: typeof ours === 'number' && typeof theirs === 'number' ? ours - theirs : null,
      cause: attribution.cause,
      note: attribution.note,
    };
  });
  return {
    kind: 'changed',
    symbol: bot.trade.symbol,
    time: Math.min(bot.trade.entrySignalTime, backtest.trade.entrySignalTime),
    cause: fields[0]!.cause,
    note: fields[0]!.note,
    fields,
    bot: bot.trade,
    backtest: backtest.trade,
  };
}

/** The difference of a trade found on one side only. */
function oneSided(evidence: Evidence, pair: TradePair): TradeDifference | null {
  if (pair.backtest !== null) {
    const trade = pair.backtest.trade;
    return {
      kind: 'missing_in_bot',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      ...attributeMissing(evidence, trade),
      fields: [],
      bot: null,
      backtest: trade,
    };
  }
  if (pair.bot !== null) {
    const trade = pair.bot.trade;
    return {
      kind: 'extra_in_bot',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      ...attributeExtra(evidence, trade),
      fields: [],
      bot: trade,
      backtest: null,
    };
  }
  return null;
}

/**
 * Matches the bot's trades with the backtest's and explains each difference, in time order: a
 * difference can be put down to the one before it (a changed account sizes the next trade).
 */
export function compareTrades(
  evidence: Evidence,
  bot: readonly RebuiltTrade[],
  backtest: readonly RebuiltTrade[],
): Comparison {
  const differences: TradeDifference[] = [];
  let matched = 0;
  for (const pair of inTimeOrder(matchTrades(bot, backtest), evidence.config.symbols)) {
    const earlier = differences.at(-1);
    let difference: TradeDifference | null;
    if (pair.bot !== null && pair.backtest !== null) {
      matched += 1;
      difference = changed(evidence, pair.bot, pair.backtest, earlier);
    } else {
      difference = oneSided(evidence, pair);
    }
    if (difference !== null) differences.push(difference);
  }
  return { matched, differences };
}

/** How many differences each cause has. */
export function countCauses(differences: readonly TradeDifference[]): Record<ParityCause, number> {
  const causes = Object.fromEntries(parityCauses.map((cause) => [cause, 0])) as Record<
    ParityCause,
    number
  >;
  for (const difference of differences) causes[difference.cause] += 1;
  return causes;
}
