/** Why the entry of a matched pair differs: signal, fill candle, price and size. */
import {
  fillEvidence,
  firstOf,
  gapIn,
  missingOrderRecord,
  refusal,
  unexplained,
} from './attribution-rules.js';
import type { PairContext } from './attribute-context.js';
import { formatParityTime as time, price, sameNumber } from './numbers.js';

/** The entry signal fell on another candle. */
export function attributeEntrySignal(pair: PairContext): void {
  const { evidence, ours, theirs, symbol } = pair;
  if (!pair.differs('entrySignalTime')) return;
  const later = theirs.entrySignalTime < ours.entrySignalTime ? 'bot' : 'backtest';
  const first = Math.min(ours.entrySignalTime, theirs.entrySignalTime);
  pair.causes.set(
    'entrySignalTime',
    firstOf(
      () => refusal(evidence, later, symbol, first, 'buy'),
      () => (later === 'bot' ? missingOrderRecord(evidence, symbol, first, 'buy') : null),
      () =>
        gapIn(
          evidence,
          symbol,
          first - evidence.lookbackMs,
          Math.max(ours.entrySignalTime, theirs.entrySignalTime),
        ),
    ) ??
      unexplained(
        `the bot's strategy entered on the candle of ${time(ours.entrySignalTime)}, the backtest's on ${time(theirs.entrySignalTime)}`,
      ),
  );
}

/** The entry filled on another candle. */
export function attributeEntryTime(pair: PairContext): void {
  const { evidence, ours, theirs, symbol } = pair;
  if (!pair.differs('entryTime')) return;
  pair.causes.set(
    'entryTime',
    pair.differs('entrySignalTime')
      ? pair.inherit('entrySignalTime', 'the entry follows its signal')
      : (firstOf(
          () =>
            gapIn(
              evidence,
              symbol,
              ours.entrySignalTime,
              Math.max(ours.entryTime, theirs.entryTime),
            ),
          () =>
            ours.entryFilledAt > theirs.entryFilledAt
              ? {
                  cause: 'latency',
                  note: `the bot's entry filled at ${time(ours.entryFilledAt)}, the backtest's at ${time(theirs.entryFilledAt)}`,
                }
              : null,
        ) ?? {
          cause: 'fill model',
          note: `the bot's entry filled on the candle of ${time(ours.entryTime)}, the paper model's on ${time(theirs.entryTime)}`,
        }),
  );
}

/** The entry filled at another price. */
export function attributeEntryPrice(pair: PairContext): void {
  const { evidence, bot, ours, theirs } = pair;
  if (!pair.differs('entryPrice')) return;
  pair.causes.set(
    'entryPrice',
    pair.differs('entryTime')
      ? pair.inherit('entryTime', 'filled on another candle')
      : (firstOf(
          () =>
            ours.entryFilledAt > theirs.entryFilledAt
              ? {
                  cause: 'latency',
                  note: `the bot's entry filled at ${time(ours.entryFilledAt)}, ${ours.entryFilledAt - theirs.entryFilledAt} ms after the backtest's`,
                }
              : null,
          () => fillEvidence(bot.entryFill, bot.entryOrder, evidence),
        ) ?? {
          cause: 'fill model',
          note: `the bot's entry filled at ${price(ours.entryPrice)} (${bot.entryOrder.exchange}), the paper model's at ${price(theirs.entryPrice)}`,
        }),
  );
}

/** The entry bought another quantity. */
export function attributeQuantity(pair: PairContext): void {
  const { ours, theirs, earlier } = pair;
  if (!pair.differs('quantity')) return;
  const order = pair.bot.entryOrder;
  pair.causes.set(
    'quantity',
    firstOf(
      () =>
        order.filledQuantity < order.quantity && !sameNumber(order.filledQuantity, order.quantity)
          ? {
              cause: 'fill model',
              note: `the bot's entry order ${order.clientOrderId} filled ${order.filledQuantity} of ${order.quantity}`,
            }
          : null,
      () =>
        pair.differs('entrySignalTime')
          ? pair.inherit('entrySignalTime', 'sized on another candle')
          : null,
      () =>
        earlier === undefined
          ? null
          : {
              cause: earlier.cause,
              note: `sized from an account that the earlier ${earlier.symbol} difference of ${time(earlier.time)} changed (${earlier.cause})`,
            },
    ) ??
      unexplained(
        `the bot bought ${ours.quantity}, the backtest ${theirs.quantity}, on the same candle`,
      ),
  );
}
