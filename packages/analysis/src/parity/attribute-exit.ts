/** Why the exit of a matched pair differs: signal, reason, fill candle and price. */
import {
  exitBetweenCandles,
  fillEvidence,
  firstOf,
  gapIn,
  isStopLike,
  refusal,
  unexplained,
  type Attribution,
} from './attribution-rules.js';
import type { PairContext } from './attribute-context.js';
import { formatParityTime as time, price } from './numbers.js';
import type { ParityTrade } from './types.js';

/** Same exit decision, filled on another candle. */
function sameSignalExit(pair: PairContext): Attribution {
  const { evidence, ours, theirs, symbol } = pair;
  return (
    firstOf(
      () =>
        gapIn(
          evidence,
          symbol,
          ours.exitSignalTime ?? 0,
          Math.max(ours.exitTime ?? 0, theirs.exitTime ?? 0),
        ),
      () =>
        (ours.exitFilledAt ?? 0) > (theirs.exitFilledAt ?? 0)
          ? {
              cause: 'latency',
              note: `the bot's exit filled at ${time(ours.exitFilledAt ?? 0)}, the backtest's at ${time(theirs.exitFilledAt ?? 0)}`,
            }
          : null,
    ) ?? {
      cause: 'fill model',
      note: `the bot's exit filled on the candle of ${time(ours.exitTime ?? 0)}, the paper model's on ${time(theirs.exitTime ?? 0)}`,
    }
  );
}

function describeExit(trade: ParityTrade): string {
  return trade.exitSignalTime === null
    ? 'still open'
    : `${trade.exitReason ?? 'exit'} on ${time(trade.exitSignalTime)}`;
}

/** The exit was decided on another candle or for another reason. */
function otherSignalExit(pair: PairContext): Attribution {
  const { evidence, bot, ours, theirs, symbol } = pair;
  const stopLike = isStopLike(ours.exitReason) || isStopLike(theirs.exitReason);
  const tick = exitBetweenCandles(evidence, bot);
  const oursAt = ours.exitSignalTime ?? Number.POSITIVE_INFINITY;
  const theirsAt = theirs.exitSignalTime ?? Number.POSITIVE_INFINITY;
  const first = Math.min(oursAt, theirsAt);
  const later = theirsAt < oursAt ? 'bot' : 'backtest';
  return (
    firstOf(
      () =>
        tick && stopLike
          ? {
              cause: 'intra-candle stop',
              note: `the bot's ${bot.exitOrder?.role ?? 'stop'} triggered on a price between candles at ${time(bot.exitOrder?.candleTime ?? 0)}; the backtest checks stops against candle ranges (${describeExit(theirs)})`,
            }
          : null,
      () => (Number.isFinite(first) ? refusal(evidence, later, symbol, first, 'sell') : null),
      () =>
        stopLike && pair.differs('entryPrice')
          ? pair.inherit('entryPrice', 'stop levels are set from the entry price, which differs')
          : null,
      () =>
        stopLike
          ? {
              cause: 'intra-candle stop',
              note: `the bot exited by ${describeExit(ours)}, the backtest by ${describeExit(theirs)}`,
            }
          : null,
      () =>
        gapIn(
          evidence,
          symbol,
          Math.min(ours.entrySignalTime, theirs.entrySignalTime) - evidence.lookbackMs,
          Math.max(ours.exitTime ?? 0, theirs.exitTime ?? 0, ours.entryTime),
        ),
      () =>
        pair.differs('entryTime')
          ? pair.inherit('entryTime', 'the exit follows a different entry')
          : null,
    ) ??
    unexplained(`the bot exited by ${describeExit(ours)}, the backtest by ${describeExit(theirs)}`)
  );
}

/** The exit signal, reason or fill candle differs: one cause for the three. */
export function attributeExit(pair: PairContext): void {
  const exitSignalDiffers = pair.differs('exitSignalTime') || pair.differs('exitReason');
  if (!exitSignalDiffers && !pair.differs('exitTime')) return;
  const exit = exitSignalDiffers ? otherSignalExit(pair) : sameSignalExit(pair);
  for (const field of ['exitSignalTime', 'exitTime', 'exitReason'] as const) {
    if (pair.differs(field)) pair.causes.set(field, exit);
  }
}

/** The exit filled at another price. */
export function attributeExitPrice(pair: PairContext): void {
  const { evidence, bot, ours, theirs } = pair;
  if (!pair.differs('exitPrice')) return;
  const exitField = (['exitSignalTime', 'exitReason', 'exitTime'] as const).find((field) =>
    pair.differs(field),
  );
  pair.causes.set(
    'exitPrice',
    exitField !== undefined
      ? pair.inherit(exitField, 'exited on another candle')
      : (firstOf(
          () =>
            exitBetweenCandles(evidence, bot) && isStopLike(ours.exitReason)
              ? {
                  cause: 'intra-candle stop',
                  note: `the bot's ${bot.exitOrder?.role ?? 'stop'} triggered on a price between candles at ${time(bot.exitOrder?.candleTime ?? 0)} and filled at ${price(ours.exitPrice ?? 0)}; the paper model fills at the stop level`,
                }
              : null,
          () =>
            (ours.exitFilledAt ?? 0) > (theirs.exitFilledAt ?? 0)
              ? {
                  cause: 'latency',
                  note: `the bot's exit filled at ${time(ours.exitFilledAt ?? 0)}, ${(ours.exitFilledAt ?? 0) - (theirs.exitFilledAt ?? 0)} ms after the backtest's`,
                }
              : null,
          () =>
            bot.exitFill === null || bot.exitOrder === null
              ? null
              : fillEvidence(bot.exitFill, bot.exitOrder, evidence),
          () =>
            isStopLike(ours.exitReason) && pair.differs('entryPrice')
              ? pair.inherit(
                  'entryPrice',
                  'stop levels are set from the entry price, which differs',
                )
              : null,
        ) ?? {
          cause: 'fill model',
          note: `the bot's exit filled at ${price(ours.exitPrice ?? 0)} (${bot.exitOrder?.exchange ?? 'unknown'}), the paper model's at ${price(theirs.exitPrice ?? 0)}`,
        }),
  );
}
