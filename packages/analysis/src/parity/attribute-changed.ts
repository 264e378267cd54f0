/** Attributing every differing field of a matched pair, in the order a difference propagates. */
import { unexplained, type Attribution } from './attribution-rules.js';
import { pairContext, type PairContext } from './attribute-context.js';
import {
  attributeEntryPrice,
  attributeEntrySignal,
  attributeEntryTime,
  attributeQuantity,
} from './attribute-entry.js';
import { attributeExit, attributeExitPrice } from './attribute-exit.js';
import type { Evidence } from './evidence.js';
import { bpsOf, round } from './numbers.js';
import type { RebuiltTrade } from './rebuild-trades.js';
import { tradeFieldLabels, tradeFields, type TradeDifference, type TradeField } from './types.js';

/** The fees differ: another rate, or the same rate on another traded value. */
function attributeFees(pair: PairContext): void {
  if (!pair.differs('fees')) return;
  const oursBps = bpsOf(pair.bot.fills);
  const theirsBps = bpsOf(pair.backtest.fills);
  const source = (
    ['entryPrice', 'exitPrice', 'quantity', 'exitTime', 'exitSignalTime'] as const
  ).find((field) => pair.causes.has(field));
  pair.causes.set(
    'fees',
    Math.abs(oursBps - theirsBps) > 1e-6
      ? {
          cause: 'fill model',
          note: `the bot paid ${round(oursBps)} bps in fees, the backtest ${round(theirsBps)} bps (PAPER_FEE_BPS=${pair.evidence.config.paper.feeBps})`,
        }
      : source !== undefined
        ? pair.inherit(source, 'the fee follows the traded value')
        : {
            cause: 'fill model',
            note: `the fees differ at the same rate of ${round(oursBps)} bps`,
          },
  );
}

/** The P&L differs: it follows the first other field that differs. */
function attributePnl(pair: PairContext): void {
  if (!pair.differs('pnl')) return;
  const source = tradeFields.find((field) => field !== 'pnl' && pair.causes.has(field));
  pair.causes.set(
    'pnl',
    source !== undefined
      ? pair.inherit(source, `follows the ${tradeFieldLabels[source]}`)
      : unexplained('the P&L differs with the same fills'),
  );
}

/** Attributes each differing field of a matched pair. */
export function attributeChanged(
  evidence: Evidence,
  bot: RebuiltTrade,
  backtest: RebuiltTrade,
  differing: ReadonlyMap<TradeField, unknown>,
  earlier: TradeDifference | undefined,
): Map<TradeField, Attribution> {
  const pair = pairContext(evidence, bot, backtest, differing, earlier);
  attributeEntrySignal(pair);
  attributeEntryTime(pair);
  attributeEntryPrice(pair);
  attributeQuantity(pair);
  attributeExit(pair);
  attributeExitPrice(pair);
  attributeFees(pair);
  attributePnl(pair);
  return pair.causes;
}
