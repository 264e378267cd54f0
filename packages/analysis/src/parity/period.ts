/** The period the parity report replays, and the bot's decisions in it. */
import { candleOpenTime, type SymbolId, type Timeframe } from '@lumenlink/core';
import { type Config } from '@lumenlink/config';
import type { ParityStore, RecordedDecision } from './parity-store.js';
import { fillCandle } from './rebuild-trades.js';
import type { PeriodEndSource } from './types.js';

/** The last candle to compare, where that came from, and the bot's last processed candle. */
export interface PeriodEnd {
  readonly to: number;
  readonly source: PeriodEndSource;
  readonly lastProcessed: number | null;
}

/** The bot's decisions on candles up to `to`, each on the open time of its candle. */
export async function storedDecisions(
  store: ParityStore,
  symbols: readonly SymbolId[],
  interval: Timeframe,
  to: number,
): Promise<RecordedDecision[]> {
  if (symbols.length === 0) return [];
  const recorded = await store.decisionLog.listDecisions(symbols);
  return recorded
    .map((decision) => ({
      ...decision,
      candleTime: candleOpenTime(decision.candleTime, interval),
    }))
    .filter((decision) => decision.candleTime <= to);
}

/** The latest of `times` that are not `null`, or `null`. */
function latest(times: readonly (number | null)[]): number | null {
  let found: number | null = null;
  for (const time of times) if (time !== null) found = Math.max(found ?? time, time);
  return found;
}

/** The last candle any of the bot's orders, fills and decisions names. */
async function lastRecord(store: ParityStore, config: Config): Promise<number | null> {
  const { symbols, interval } = config;
  const known = new Set<string>(symbols);
  const orders = (await store.orders.listOrders()).filter((order) => known.has(order.symbol));
  const byId = new Map(orders.map((order) => [order.clientOrderId, order]));
  const times = orders.map((order) => candleOpenTime(order.candleTime, interval));
  for (const fill of await store.orders.listFills()) {
    const order = byId.get(fill.clientOrderId);
    if (order !== undefined) times.push(fillCandle(fill, order, interval));
  }
  const decisions = await storedDecisions(store, symbols, interval, Number.POSITIVE_INFINITY);
  for (const decision of decisions) times.push(decision.candleTime);
  return latest(times);
}

/**
 * The end of the compared period: `to` when given, else the bot's last processed candle, else
 * the last candle its records name, else the last stored candle; `null` when there is none.
 */
export async function periodEnd(
  store: ParityStore,
  config: Config,
  to: number | undefined,
): Promise<PeriodEnd | null> {
  const { symbols, interval } = config;
  const processed: (number | null)[] = [];
  for (const symbol of symbols) {
    processed.push(await store.runtime.getLastProcessedCandle(symbol, interval));
  }
  const lastProcessed = latest(processed);
  if (to !== undefined) return { to, source: 'flag', lastProcessed };
  if (lastProcessed !== null)
    return { to: lastProcessed, source: 'last processed candle', lastProcessed };
  const recorded = await lastRecord(store, config);
  if (recorded !== null) return { to: recorded, source: 'bot records', lastProcessed };
  const stored: (number | null)[] = [];
  for (const symbol of symbols) {
    stored.push(await store.candles.latestCandleTime(symbol, interval));
  }
  const last = latest(stored);
  return last === null ? null : { to: last, source: 'last stored candle', lastProcessed };
}
