/**
 * The attribution rules: each looks for one kind of evidence and returns the cause and a one-line
 * note, or `null` when its evidence is absent.
 */
import {
  candleOpenTime,
  isCandleAligned,
  type Fill,
  type Order,
  type SymbolId,
} from '@lumenlink/core';
import { slippedPrice } from '@lumenlink/execution';
import { impliedSlippageBps, type Evidence } from './evidence.js';
import { formatParityTime as time, price, round, sameNumber } from './numbers.js';
import type { RebuiltTrade } from './rebuild-trades.js';
import type { ParityCause } from './types.js';

/** A cause with the evidence for it. */
export interface Attribution {
  readonly cause: ParityCause;
  readonly note: string;
}

const stopLikeReasons: ReadonlySet<string> = new Set(['stop', 'trailing_stop', 'take_profit']);
const refusedStatuses: ReadonlySet<Order['status']> = new Set(['rejected', 'failed']);
const refusedOutcomes: ReadonlySet<string> = new Set(['blocked', 'error', 'cooldown']);

/** The paper fill model's view of a bot fill made on a candle. */
export function fillEvidence(fill: Fill, order: Order, evidence: Evidence): Attribution | null {
  const { config } = evidence;
  if (order.exchange !== 'paper' || order.type !== 'market') return null;
  if (!isCandleAligned(fill.time, config.interval)) return null;
  const candle = evidence.candles.get(fill.symbol)?.get(fill.time);
  if (candle === undefined) {
    return {
      cause: 'data',
      note: `the bot filled on the ${fill.symbol} candle of ${time(fill.time)}, which the store does not hold`,
    };
  }
  const value = fill.price * fill.quantity;
  const feeBps = value > 0 ? (fill.fee / value) * 10_000 : 0;
  if (Math.abs(feeBps - config.paper.feeBps) > 1e-6) {
    return {
      cause: 'fill model',
      note: `the bot's fill (${fill.side} ${price(fill.quantity)} at ${price(fill.price)}, fee ${price(fill.fee)}) paid ${round(feeBps)} bps of its value; the paper model charges PAPER_FEE_BPS=${config.paper.feeBps} on its price`,
    };
  }
  const expected = slippedPrice(fill.side, candle.open, config.paper.slippageBps);
  if (sameNumber(fill.price, expected)) return null;
  const implied = impliedSlippageBps(fill, candle.open);
  if (evidence.botSlippageBps !== null && Math.abs(implied - evidence.botSlippageBps) < 1e-6) {
    return {
      cause: 'fill model',
      note: `every paper market fill of the bot has ${round(implied)} bps of slippage; PAPER_SLIPPAGE_BPS is ${config.paper.slippageBps}`,
    };
  }
  const move = config.paper.slippageBps / 10_000;
  const seenOpen = fill.side === 'buy' ? fill.price / (1 + move) : fill.price / (1 - move);
  return {
    cause: 'data',
    note: `the bot's fill at ${price(fill.price)} implies a ${fill.symbol} open of ${price(seenOpen)} at ${time(fill.time)}; the stored candle opens at ${price(candle.open)}: it was stored again after the bot traded`,
  };
}

/** An order of the bot rejected or failed, or a signal of either side refused, on a candle. */
export function refusal(
  evidence: Evidence,
  side: 'bot' | 'backtest',
  symbol: SymbolId,
  candleTime: number,
  action: 'buy' | 'sell',
): Attribution | null {
  if (side === 'bot') {
    const order = evidence.botOrders.find(
      (candidate) =>
        candidate.symbol === symbol &&
        candidate.side === action &&
        refusedStatuses.has(candidate.status) &&
        candleOpenTime(candidate.candleTime, evidence.config.interval) === candleTime,
    );
    if (order !== undefined) {
      return {
        cause: 'rejection',
        note: `the bot's ${order.role} order ${order.clientOrderId} on ${time(candleTime)} was ${order.status}${order.reason === null ? '' : ` (${order.reason})`}`,
      };
    }
  }
  const decisions = side === 'bot' ? evidence.botDecisions : evidence.backtestDecisions;
  const decision = decisions.find(
    (candidate) =>
      candidate.symbol === symbol &&
      candidate.candleTime === candleTime &&
      candidate.action === action &&
      refusedOutcomes.has(candidate.outcome),
  );
  if (decision === undefined) return null;
  const what = decision.outcome === 'blocked' ? 'blocked' : `ended in ${decision.outcome}`;
  return {
    cause: 'rejection',
    note: `the ${side}'s ${action} signal on ${time(candleTime)} was ${what}: ${decision.note}`,
  };
}

/** A decision of the bot that submitted an order its orders table does not hold. */
export function missingOrderRecord(
  evidence: Evidence,
  symbol: SymbolId,
  candleTime: number,
  action: 'buy' | 'sell',
): Attribution | null {
  const decision = evidence.botDecisions.find(
    (candidate) =>
      candidate.symbol === symbol &&
      candidate.candleTime === candleTime &&
      candidate.action === action &&
      candidate.outcome === 'submitted' &&
      candidate.clientOrderId !== null &&
      !evidence.botOrderIds.has(candidate.clientOrderId),
  );
  if (decision === undefined) return null;
  return {
    cause: 'data',
    note: `the bot's ${action} decision on ${time(candleTime)} submitted order ${decision.clientOrderId}, which the orders table does not hold`,
  };
}

/** A run of candles of `symbol` missing from the store between `from` and `to`. */
export function gapIn(
  evidence: Evidence,
  symbol: SymbolId,
  from: number,
  to: number,
): Attribution | null {
  const gap = evidence.gaps
    .get(symbol)
    ?.find((candidate) => candidate.to >= from && candidate.from <= to);
  if (gap === undefined) return null;
  const span = gap.to === gap.from ? time(gap.from) : `${time(gap.from)} to ${time(gap.to)}`;
  return {
    cause: 'data',
    note: `the store has no ${symbol} candle at ${span}`,
  };
}

/** A signal on a candle after the bot's last processed one, or before its first record. */
export function outsideBot(evidence: Evidence, signalTime: number): Attribution | null {
  if (evidence.lastProcessed !== null && signalTime > evidence.lastProcessed) {
    return {
      cause: 'data',
      note: `the bot processed candles up to ${time(evidence.lastProcessed)}; the candle of ${time(signalTime)} was stored after it traded`,
    };
  }
  if (evidence.firstRecord !== null && signalTime < evidence.firstRecord) {
    return {
      cause: 'data',
      note: `the bot's first decision is on ${time(evidence.firstRecord)}: the store holds candles from before the bot traded (pass --from)`,
    };
  }
  return null;
}

/** No rule fits. */
export function unexplained(note: string): Attribution {
  return { cause: 'unexplained', note };
}

/** The first rule that finds its evidence. */
export function firstOf(...rules: (() => Attribution | null)[]): Attribution | null {
  for (const rule of rules) {
    const found = rule();
    if (found !== null) return found;
  }
  return null;
}

/** Whether an exit reason is a stop or a target. */
export function isStopLike(reason: string | null): boolean {
  return reason !== null && stopLikeReasons.has(reason);
}

/** Whether the bot's exit was decided on a price between candles (a tick), not on a candle. */
export function exitBetweenCandles(evidence: Evidence, bot: RebuiltTrade): boolean {
  const order = bot.exitOrder;
  return order !== null && !isCandleAligned(order.candleTime, evidence.config.interval);
}
