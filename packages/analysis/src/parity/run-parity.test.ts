import { beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import type { BacktestResult, Trade } from '@lumenlink/engine';
import { createStrategy } from '@lumenlink/strategies';
import {
  alter,
  botDatabase,
  bundled,
  candleCount,
  copy,
  hourMs,
  parity,
  removeOrder,
  symbols,
  tempPath,
} from '../../test/bot-database.js';
import type { ParityReport, TradeDifference } from './types.js';

let basePath: string;
let base: BacktestResult;

beforeAll(async () => {
  basePath = tempPath('bot.db');
  base = await botDatabase(basePath);
});

/** The orders behind a trade of the base run. */
function ordersOf(trade: Trade): { entry: Order; exit: Order } {
  const filled = base.orders.filter(
    (order) => order.symbol === trade.symbol && order.status === 'filled',
  );
  const entry = filled.find(
    (order) => order.side === 'buy' && order.candleTime === trade.entrySignalTime,
  );
  const exit = filled.find(
    (order) => order.side === 'sell' && order.candleTime === trade.exitSignalTime,
  );
  if (entry === undefined || exit === undefined) throw new Error('no orders for the trade');
  return { entry, exit };
}

function fillOf(order: Order) {
  const fill = base.fills.find((candidate) => candidate.clientOrderId === order.clientOrderId);
  if (fill === undefined) throw new Error(`no fill of ${order.clientOrderId}`);
  return fill;
}

/** The `index`-th closed trade (from 0) matching `test`. */
function pick(test: (trade: Trade) => boolean, index = 0): Trade {
  const trade = base.trades.filter((candidate) => candidate.exitTime !== null && test(candidate))[
    index
  ];
  if (trade === undefined) throw new Error('no such trade in the base run');
  return trade;
}

function only(report: ParityReport): TradeDifference {
  expect(report.differences).toHaveLength(1);
  return report.differences[0]!;
}

describe('runParity', () => {
  it('reports zero differences for the database of a bot that traded the stored candles', async () => {
    const report = await parity(basePath);
    expect(report.differences).toEqual([]);
    expect(report.matched).toBe(base.trades.length);
    expect(report.bot).toEqual({
      orders: base.orders.length,
      fills: base.fills.length,
      trades: base.trades.length,
    });
    expect(report.backtest.trades).toBe(base.trades.length);
    expect(report.period).toEqual({
      firstCandle: bundled().get('BTC-USDT')![0]!.time,
      from: null,
      to: bundled().get('BTC-USDT')!.at(-1)!.time,
      toSource: 'last processed candle',
    });
    expect(report.candles).toBe(2 * candleCount);
    expect(Object.values(report.causes).every((count) => count === 0)).toBe(true);
  });

  it('an altered fill price: a fill-model difference of the exit price and the P&L', async () => {
    const trade = pick((candidate) => candidate.exitReason === 'signal');
    const fill = fillOf(ordersOf(trade).exit);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db
        .updateTable('fills')
        .set({ price: fill.price * 0.998 })
        .where('trade_id', '=', fill.tradeId)
        .execute();
    });
    const difference = only(await parity(path));
    expect(difference).toMatchObject({
      kind: 'changed',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      cause: 'fill model',
    });
    expect(difference.fields.map((field) => [field.field, field.cause])).toEqual([
      ['exitPrice', 'fill model'],
      ['pnl', 'fill model'],
    ]);
    const exitPrice = difference.fields[0]!;
    expect(exitPrice.bot).toBeCloseTo(fill.price * 0.998, 6);
    expect(exitPrice.backtest).toBe(fill.price);
    expect(exitPrice.delta).toBeCloseTo(-fill.price * 0.002, 6);
    expect(exitPrice.note).toContain('PAPER_FEE_BPS=12');
    expect(difference.fields[1]!.delta).toBeCloseTo(-fill.price * 0.002 * fill.quantity, 6);
  });

  it('a dropped order: the trade is missing in the bot, put down to data', async () => {
    const trade = pick(() => true, 2);
    const { entry, exit } = ordersOf(trade);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await removeOrder(store, entry);
      await removeOrder(store, exit);
    });
    const difference = only(await parity(path));
    expect(difference).toMatchObject({
      kind: 'missing_in_bot',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      cause: 'data',
      bot: null,
      backtest: { entryPrice: trade.entryPrice, exitPrice: trade.exitPrice, pnl: trade.pnl },
    });
    expect(difference.note).toContain(entry.clientOrderId);
    expect(difference.note).toContain('orders table does not hold');
  });

  it('a rejected entry order: the trade is missing in the bot, put down to a rejection', async () => {
    const trade = pick(() => true, 4);
    const { entry, exit } = ordersOf(trade);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db
        .deleteFrom('fills')
        .where('client_order_id', '=', entry.clientOrderId)
        .execute();
      await store.db
        .updateTable('orders')
        .set({
          status: 'rejected',
          filled_quantity: 0,
          avg_fill_price: null,
          fee: 0,
          reason: 'insufficient_funds',
        })
        .where('client_order_id', '=', entry.clientOrderId)
        .execute();
      await removeOrder(store, exit);
    });
    const difference = only(await parity(path));
    expect(difference).toMatchObject({
      kind: 'missing_in_bot',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      cause: 'rejection',
    });
    expect(difference.note).toContain(`order ${entry.clientOrderId}`);
    expect(difference.note).toContain('was rejected (insufficient_funds)');
  });

  it("a signal the backtest's risk blocks: the bot's trade is extra, put down to a rejection", async () => {
    const report = await parity(basePath, { RISK_MAX_OPEN_POSITIONS: '1' });
    const first = report.differences[0]!;
    expect(first).toMatchObject({ kind: 'extra_in_bot', cause: 'rejection', backtest: null });
    expect(first.note).toMatch(/^the backtest's buy signal on .* was blocked: /);
    const blocked = base.trades.find(
      (trade) => trade.symbol === first.symbol && trade.entrySignalTime === first.time,
    );
    expect(blocked).toBeDefined();
    // Before it the two agree: the difference is the first one in time.
    expect(report.differences.every((difference) => difference.time >= first.time)).toBe(true);
  });

  it('a fill later than the candle open: a latency difference', async () => {
    const trade = pick((candidate) => candidate.exitReason === 'trailing_stop', 1);
    const fill = fillOf(ordersOf(trade).entry);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db
        .updateTable('fills')
        .set({ time: fill.time + 350, price: fill.price * 1.0004 })
        .where('trade_id', '=', fill.tradeId)
        .execute();
    });
    const difference = only(await parity(path));
    expect(difference).toMatchObject({ kind: 'changed', cause: 'latency', symbol: trade.symbol });
    expect(difference.fields.map((field) => [field.field, field.cause])).toEqual([
      ['entryPrice', 'latency'],
      ['pnl', 'latency'],
    ]);
    expect(difference.fields[0]!.note).toContain('350 ms after');
    expect(difference.bot).toMatchObject({
      entryTime: trade.entryTime,
      entryFilledAt: fill.time + 350,
    });
  });

  it('a stop the bot hit between candles: an intra-candle stop difference', async () => {
    const trade = pick(
      (candidate) =>
        candidate.exitReason === 'trailing_stop' &&
        candidate.exitSignalTime! - candidate.entryTime >= 3 * hourMs,
    );
    const exit = ordersOf(trade).exit;
    const fill = fillOf(exit);
    const tick = trade.exitSignalTime! - hourMs + 20 * 60_000;
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db
        .updateTable('orders')
        .set({ candle_time: tick, created_at: tick })
        .where('client_order_id', '=', exit.clientOrderId)
        .execute();
      await store.db
        .updateTable('fills')
        .set({ time: tick + 150, price: fill.price * 0.999 })
        .where('trade_id', '=', fill.tradeId)
        .execute();
    });
    const difference = only(await parity(path));
    expect(difference).toMatchObject({ kind: 'changed', cause: 'intra-candle stop' });
    const fields = Object.fromEntries(difference.fields.map((field) => [field.field, field]));
    expect(Object.keys(fields)).toEqual(['exitSignalTime', 'exitTime', 'exitPrice', 'pnl']);
    expect(fields.exitSignalTime).toMatchObject({
      bot: trade.exitSignalTime! - hourMs,
      backtest: trade.exitSignalTime,
      delta: -hourMs,
    });
    expect(difference.fields.every((field) => field.cause === 'intra-candle stop')).toBe(true);
    expect(fields.exitSignalTime!.note).toContain('between candles');
  });

  it('a candle missing from the store: data', async () => {
    const trade = pick(() => true, 3);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db
        .deleteFrom('candles')
        .where('symbol', '=', trade.symbol)
        .where('time', '=', trade.entryTime)
        .execute();
    });
    const report = await parity(path);
    const first = report.differences[0]!;
    expect(first).toMatchObject({
      kind: 'changed',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      cause: 'data',
    });
    expect(first.fields[0]).toMatchObject({ field: 'entryTime', delta: -hourMs, cause: 'data' });
    expect(first.note).toContain(`no ${trade.symbol} candle at`);
    expect(first.fields.every((field) => field.cause === 'data')).toBe(true);
  });

  it('a candle stored again after the bot traded: data', async () => {
    const trade = pick((candidate) => candidate.exitReason === 'signal', 1);
    const candle = bundled()
      .get(trade.symbol)!
      .find((candidate) => candidate.time === trade.entryTime)!;
    const open =
      candle.high > candle.open ? (candle.open + candle.high) / 2 : (candle.open + candle.low) / 2;
    expect(open).not.toBe(candle.open);
    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.candles.saveCandles(trade.symbol, '1h', [{ ...candle, open }]);
    });
    const report = await parity(path);
    const first = report.differences[0]!;
    expect(first).toMatchObject({
      kind: 'changed',
      symbol: trade.symbol,
      time: trade.entrySignalTime,
      cause: 'data',
    });
    expect(first.fields[0]).toMatchObject({ field: 'entryPrice', cause: 'data' });
    expect(first.fields[0]!.note).toContain('stored again after the bot traded');
    expect(first.fields.every((field) => field.cause === 'data')).toBe(true);
  });

  it('a fee or slippage other than the bot ran with: fill-model differences', async () => {
    const fees = await parity(basePath, { PAPER_FEE_BPS: '15' });
    expect(fees.differences.length).toBeGreaterThan(0);
    const firstFees = fees.differences[0]!;
    expect(firstFees.time).toBe(base.trades[0]!.entrySignalTime);
    expect(firstFees.fields[0]).toMatchObject({ field: 'fees', cause: 'fill model' });
    expect(firstFees.fields[0]!.note).toBe(
      'the bot paid 12 bps in fees, the backtest 15 bps (PAPER_FEE_BPS=15)',
    );

    const slippage = await parity(basePath, { PAPER_SLIPPAGE_BPS: '9' });
    const firstSlippage = slippage.differences[0]!;
    expect(firstSlippage.time).toBe(base.trades[0]!.entrySignalTime);
    expect(firstSlippage.fields[0]).toMatchObject({ field: 'entryPrice', cause: 'fill model' });
    expect(firstSlippage.fields[0]!.note).toBe(
      'every paper market fill of the bot has 7 bps of slippage; PAPER_SLIPPAGE_BPS is 9',
    );
  });

  it('compares up to --to, and without a last processed candle up to the last bot record', async () => {
    const candles = bundled().get('BTC-USDT')!;
    const to = candles[350]!.time;
    const partial = await parity(basePath, {}, { to });
    expect(partial.differences).toEqual([]);
    expect(partial.period).toMatchObject({ to, toSource: 'flag' });
    expect(partial.bot.trades).toBeLessThan(base.trades.length);
    expect(partial.bot.trades).toBeGreaterThan(5);

    const path = copy(basePath);
    await alter(path, async (store) => {
      await store.db.deleteFrom('runtime_state').where('kind', '=', 'last_candle').execute();
    });
    const records = await parity(path);
    expect(records.differences).toEqual([]);
    expect(records.period.toSource).toBe('bot records');
    // The last candle a decision or a fill names (a stop fills at the close of its candle).
    const stops = new Set(
      base.orders
        .filter((order) => order.type === 'stop_market')
        .map((order) => order.clientOrderId),
    );
    const store = await openStore({ path: basePath });
    const decided: number[] = [];
    for (const symbol of symbols) {
      const [latest] = await store.decisions.recentDecisions(symbol, 1);
      decided.push(latest!.candleTime);
    }
    await store.close();
    const named = [
      ...base.fills.map((fill) => (stops.has(fill.clientOrderId) ? fill.time - hourMs : fill.time)),
      ...decided,
    ];
    expect(records.period.to).toBe(Math.max(...named));
    expect(records.period.to).toBeLessThan(candles.at(-1)!.time);
  });

  it('a bot that started trading later: --from replays its start, without it the earlier trades are data', async () => {
    expect(createStrategy('ema_crossover', undefined, { interval: '1h' }).warmup).toBe(22);
    const from = bundled().get('BTC-USDT')![300]!.time;
    const path = tempPath('late.db');
    const late = await botDatabase(path, 300);
    expect(late.trades.length).toBeGreaterThan(5);

    const withFrom = await parity(path, {}, { from });
    expect(withFrom.differences).toEqual([]);
    expect(withFrom.matched).toBe(late.trades.length);
    expect(withFrom.period).toMatchObject({ firstCandle: from - 22 * hourMs, from });

    const without = await parity(path);
    const first = without.differences[0]!;
    expect(first).toMatchObject({ kind: 'missing_in_bot', cause: 'data' });
    expect(first.time).toBeLessThan(from);
    expect(first.note).toContain('pass --from');
  });
});
