/** Why one side traded and the other did not. */
import {
  firstOf,
  gapIn,
  missingOrderRecord,
  outsideBot,
  refusal,
  unexplained,
  type Attribution,
} from './attribution-rules.js';
import type { Evidence } from './evidence.js';
import { formatParityTime as time } from './numbers.js';
import type { ParityTrade } from './types.js';

/** Why the backtest traded and the bot did not. */
export function attributeMissing(evidence: Evidence, trade: ParityTrade): Attribution {
  const { symbol, entrySignalTime } = trade;
  return (
    firstOf(
      () => refusal(evidence, 'bot', symbol, entrySignalTime, 'buy'),
      () => missingOrderRecord(evidence, symbol, entrySignalTime, 'buy'),
      () =>
        gapIn(
          evidence,
          symbol,
          entrySignalTime - evidence.lookbackMs,
          trade.exitTime ?? entrySignalTime,
        ),
      () => outsideBot(evidence, entrySignalTime),
    ) ??
    unexplained(
      `the bot has no order, decision or refusal on the ${symbol} candle of ${time(entrySignalTime)}`,
    )
  );
}

/** Why the bot traded and the backtest did not. */
export function attributeExtra(evidence: Evidence, trade: ParityTrade): Attribution {
  const { symbol, entrySignalTime } = trade;
  const signalCandle = evidence.candles.get(symbol)?.get(entrySignalTime);
  return (
    firstOf(
      () => refusal(evidence, 'backtest', symbol, entrySignalTime, 'buy'),
      () =>
        signalCandle === undefined
          ? {
              cause: 'data',
              note: `the bot decided on the ${symbol} candle of ${time(entrySignalTime)}, which the store does not hold`,
            }
          : null,
      () =>
        gapIn(
          evidence,
          symbol,
          entrySignalTime - evidence.lookbackMs,
          trade.exitTime ?? entrySignalTime,
        ),
    ) ??
    unexplained(
      `the backtest's strategy gave no buy on the ${symbol} candle of ${time(entrySignalTime)}`,
    )
  );
}
