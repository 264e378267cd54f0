import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataIntegrityError,
  ValidationError,
  permissiveMarketInfo,
  type Fill,
  type Order,
  type OrderRole,
  type OrderSide,
  type SymbolId,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Portfolio, replayOrder, type RoleFill } from './portfolio.js';

const hour = 3_600_000;
const day1 = Date.UTC(2026, 0, 5);
const btc: SymbolId = 'BTC-USD';
const eth: SymbolId = 'ETH-USD';

let clock: ManualClock;
let tradeNumber = 1;

beforeEach(() => {
  clock = new ManualClock(day1);
});

function fill(
  side: OrderSide,
  quantity: number,
  price: number,
  fee: number,
  time: number,
  symbol: SymbolId = btc,
): Fill {
  const id = tradeNumber++;
  return {
    tradeId: `t-${id}`,
    clientOrderId: `ll-${id}`,
    exchangeOrderId: `x-${id}`,
    symbol,
    side,
    quantity,
    price,
    fee,
    feeCurrency: 'USD',
    time,
  };
}

/** The hand-computed session: two buys, a partial take-profit, a stop-out. */
function session(): RoleFill[] {
  return [
    { fill: fill('buy', 2, 100, 0.2, day1 + hour), role: 'entry' },
    { fill: fill('buy', 2, 110, 0.22, day1 + 2 * hour), role: 'entry' },
    { fill: fill('sell', 1, 120, 0.12, day1 + 3 * hour), role: 'take_profit' },
    { fill: fill('sell', 3, 90, 0.27, day1 + 4 * hour), role: 'stop' },
  ];
}

describe('Portfolio: applying fills', () => {
  it('averages entries, realizes P&L net of both sides fees, and records the stop-out (hand-computed)', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000, quoteCurrency: 'USD' });
    const [buy1, buy2, sell1, sell2] = session();
    if (!buy1 || !buy2 || !sell1 || !sell2) throw new Error('session');

    expect(portfolio.applyFill(buy1.fill, { role: buy1.role })).toMatchObject({
      kind: 'opened',
      before: null,
      realizedPnl: 0,
      after: { quantity: 2, avgEntryPrice: 100, fees: 0.2, state: 'filled', openedAt: day1 + hour },
    });
    const added = portfolio.applyFill(buy2.fill, { role: buy2.role });
    expect(added.kind).toBe('increased');
    // (2 x 100 + 2 x 110) / 4 = 105.
    expect(added.after).toMatchObject({ quantity: 4, avgEntryPrice: 105 });
    expect(added.after?.fees).toBeCloseTo(0.42, 12);

    // 120 - 0.12 fee - 105 cost - a quarter of the 0.42 entry fees = 14.775.
    const trimmed = portfolio.applyFill(sell1.fill, { role: sell1.role });
    expect(trimmed).toMatchObject({ kind: 'reduced', stopOut: false });
    expect(trimmed.realizedPnl).toBeCloseTo(14.775, 9);
    expect(trimmed.after?.quantity).toBe(3);

    // 270 - 0.27 - 3 x 105 - the remaining 0.315 entry fees = -45.585.
    const stopped = portfolio.applyFill(sell2.fill, { role: sell2.role });
    expect(stopped).toMatchObject({ kind: 'closed', after: null, stopOut: true });
    expect(stopped.realizedPnl).toBeCloseTo(-45.585, 9);
    expect(stopped.before?.realizedPnl).toBeCloseTo(14.775, 9);

    const snapshot = portfolio.snapshot(day1 + 5 * hour);
    expect(snapshot.positions).toEqual([]);
    expect(snapshot.realizedPnl).toBeCloseTo(-30.81, 9);
    // 10 000 - 200.2 - 220.22 + 119.88 + 269.73 = 9969.19 = 10 000 + realized.
    expect(snapshot.cash).toBeCloseTo(9969.19, 9);
    expect(snapshot.equity).toBeCloseTo(9969.19, 9);
    expect(snapshot.unrealizedPnl).toBe(0);
    expect(snapshot.lastStopOutAt).toEqual({ [btc]: day1 + 4 * hour });
  });

  it('values positions at the mark: unrealized P&L is net of the entry fees not yet realized', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    for (const { fill: f, role } of session().slice(0, 2)) portfolio.applyFill(f, { role });
    const snapshot = portfolio.markToMarket({ [btc]: 120 }, day1 + 3 * hour);
    // 4 x (120 - 105) - 0.42 = 59.58; equity = 9579.58 cash + 480.
    expect(snapshot.unrealizedPnl).toBeCloseTo(59.58, 9);
    expect(snapshot.cash).toBeCloseTo(9579.58, 9);
    expect(snapshot.equity).toBeCloseTo(10_059.58, 9);
    expect(snapshot.peakEquity).toBeCloseTo(10_059.58, 9);
    // Without a mark a position is valued at its last fill price.
    portfolio.applyFill(fill('buy', 1, 2000, 2, day1 + 3 * hour, eth), { role: 'entry' });
    expect(portfolio.snapshot(day1 + 3 * hour).equity).toBeCloseTo(10_059.58 - 2, 9);
  });

  it('measures daily P&L from the equity at 00:00 UTC', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    for (const { fill: f, role } of session().slice(0, 2)) portfolio.applyFill(f, { role });
    expect(portfolio.markToMarket({ [btc]: 120 }, day1 + 23 * hour).dailyPnl).toBeCloseTo(59.58, 9);
    // Next day: the baseline is the equity before midnight, 10 059.58; marked at 110 now.
    const next = portfolio.markToMarket(new Map([[btc, 110]]), day1 + 25 * hour);
    expect(next.equity).toBeCloseTo(10_019.58, 9);
    expect(next.dailyPnl).toBeCloseTo(-40, 9);
    expect(next.peakEquity).toBeCloseTo(10_059.58, 9);
  });

  it('marks one symbol and reads equity without a snapshot, with the same numbers and effects', () => {
    const marked = new Portfolio({ clock, startingCash: 10_000 });
    const snapped = new Portfolio({ clock, startingCash: 10_000 });
    for (const portfolio of [marked, snapped]) {
      for (const { fill: f, role } of session().slice(0, 2)) portfolio.applyFill(f, { role });
    }
    // Across a UTC midnight (a new daily baseline) and a new peak, then a fall.
    for (const [price, at] of [
      [120, day1 + 23 * hour],
      [110, day1 + 25 * hour],
      [131, day1 + 26 * hour],
      [90, day1 + 50 * hour],
    ] as const) {
      const equity = marked.markOne(btc, price, at);
      const snapshot = snapped.markToMarket(new Map([[btc, price]]), at);
      expect(equity).toBe(snapshot.equity);
      expect(marked.dailyPnl()).toBe(snapshot.dailyPnl);
      expect(marked.equity(at + hour)).toBe(snapped.snapshot(at + hour).equity);
      expect(marked.snapshot(at + hour)).toEqual(snapped.snapshot(at + hour));
    }
    expect(marked.holds(btc)).toBe(true);
    expect(marked.holds(eth)).toBe(false);
    expect(marked.lastStopOutAt).toEqual(snapped.snapshot(day1 + 60 * hour).lastStopOutAt);
    expect(() => marked.markOne(btc, Number.NaN, day1 + 60 * hour)).toThrow(ValidationError);
    expect(() => marked.equity(-1)).toThrow(ValidationError);
  });

  it('counts the open positions as a snapshot lists them, through every change', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    const counted = (at: number): number =>
      portfolio.snapshot(at).positions.filter((position) => position.quantity > 0).length;
    expect(portfolio.openPositionCount()).toBe(0);
    const steps: [Fill, OrderRole][] = [
      [fill('buy', 2, 100, 0.2, day1 + hour), 'entry'],
      [fill('buy', 1, 2_000, 0.2, day1 + 2 * hour, eth), 'entry'],
      [fill('sell', 1, 110, 0.11, day1 + 3 * hour), 'exit'],
      [fill('sell', 1, 2_100, 0.21, day1 + 4 * hour, eth), 'exit'],
      [fill('sell', 1, 105, 0.1, day1 + 5 * hour), 'stop'],
    ];
    const expected = [1, 2, 2, 1, 0];
    steps.forEach(([f, role], index) => {
      portfolio.applyFill(f, { role });
      expect(portfolio.openPositionCount()).toBe(expected[index]);
      expect(portfolio.openPositionCount()).toBe(counted(f.time));
    });
  });

  it('hands out one position object until the position changes (a strategy asks every candle)', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    const [first, second] = session();
    portfolio.applyFill(first!.fill, { role: first!.role });
    const held = portfolio.position(btc);
    expect(portfolio.position(btc)).toBe(held);
    portfolio.markOne(btc, 130, day1 + 3 * hour);
    expect(portfolio.position(btc)).toBe(held);
    portfolio.applyFill(second!.fill, { role: second!.role });
    const added = portfolio.position(btc);
    expect(added).not.toBe(held);
    expect(added).toEqual(portfolio.positions()[0]);
    portfolio.setPositionState(btc, 'managing');
    expect(portfolio.position(btc)).toMatchObject({ state: 'managing', quantity: added!.quantity });
    expect(held).toMatchObject({ state: 'filled' });
    portfolio.applyFill(fill('sell', 1, 120, 0.12, day1 + 4 * hour), { role: 'exit' });
    expect(portfolio.position(btc)).toEqual(portfolio.positions()[0]);
    expect(portfolio.position(btc)!.quantity).toBeCloseTo(added!.quantity - 1, 12);
  });

  it('hands out a position no caller can change: a strategy writing to it cannot grow what risk lets it sell', () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    const [first] = session();
    portfolio.applyFill(first!.fill, { role: first!.role });
    const held = portfolio.position(btc)!;
    const quantity = held.quantity;
    const openedAt = held.openedAt;
    expect(() => {
      (held as { quantity: number }).quantity = quantity * 5;
    }).toThrow(TypeError);
    expect(() => {
      (held as { openedAt: number }).openedAt = 1;
    }).toThrow(TypeError);
    expect(portfolio.position(btc)!.quantity).toBe(quantity);
    expect(portfolio.position(btc)!.openedAt).toBe(openedAt);
    expect(portfolio.positions()[0]!.quantity).toBe(quantity);
  });

  it('counts only stop roles as stop-outs', () => {
    const portfolio = new Portfolio({ clock, startingCash: 1_000 });
    const roles: OrderRole[] = ['exit', 'trailing_stop', 'force_exit', 'bracket_stop'];
    for (const [index, role] of roles.entries()) {
      const at = day1 + index * hour;
      portfolio.applyFill(fill('buy', 1, 10, 0, at), { role: 'entry' });
      expect(portfolio.applyFill(fill('sell', 1, 9, 0, at), { role }).stopOut).toBe(
        role === 'trailing_stop' || role === 'bracket_stop',
      );
    }
    expect(portfolio.snapshot(day1 + 4 * hour).lastStopOutAt).toEqual({ [btc]: day1 + 3 * hour });
  });

  it('closes a position left with floating-point dust', () => {
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.001 })]]);
    const portfolio = new Portfolio({ clock, startingCash: 1_000, markets });
    portfolio.applyFill(fill('buy', 0.1, 100, 0, day1), { role: 'entry' });
    portfolio.applyFill(fill('buy', 0.2, 100, 0, day1), { role: 'entry' });
    expect(portfolio.position(btc)?.quantity).not.toBe(0.3); // 0.30000000000000004
    expect(portfolio.applyFill(fill('sell', 0.3, 100, 0, day1), { role: 'exit' }).kind).toBe(
      'closed',
    );
    expect(portfolio.positions()).toEqual([]);
  });

  it('writes off a dust rest of at most half the amount step at its cost, keeping equity = start + P&L', () => {
    const markets = new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.01 })]]);
    const portfolio = new Portfolio({ clock, startingCash: 1_000, markets });
    portfolio.applyFill(fill('buy', 0.013, 100, 0, day1), { role: 'entry' });
    const change = portfolio.applyFill(fill('sell', 0.01, 110, 0, day1), { role: 'exit' });
    expect(change.kind).toBe('closed');
    // 0.01 sold at 110 - 0.013 held at 100: the 0.003 of dust is a loss of its cost.
    expect(change.realizedPnl).toBeCloseTo(1.1 - 1.3, 12);
    const snapshot = portfolio.snapshot(day1);
    expect(snapshot.equity).toBeCloseTo(1_000 - 1.3 + 1.1, 12);
    expect(snapshot.equity).toBeCloseTo(1_000 + snapshot.realizedPnl + snapshot.unrealizedPnl, 12);
  });

  it('refuses fills that do not add up, naming the problem', () => {
    const portfolio = new Portfolio({ clock, startingCash: 1_000, quoteCurrency: 'USD' });
    expect(() => portfolio.applyFill(fill('sell', 1, 10, 0, day1), { role: 'exit' })).toThrow(
      DataIntegrityError,
    );
    const buy = fill('buy', 1, 10, 0.01, day1);
    portfolio.applyFill(buy, { role: 'entry' });
    expect(() => portfolio.applyFill(buy, { role: 'entry' })).toThrow('was already applied');
    expect(() => portfolio.applyFill(fill('sell', 1.5, 10, 0, day1), { role: 'exit' })).toThrow(
      'more than the 1 held',
    );
    const bad: [Fill, string][] = [
      [{ ...fill('buy', 1, 10, 0, day1), quantity: Number.NaN }, 'fill.quantity'],
      [{ ...fill('buy', 1, 10, 0, day1), price: -1 }, 'fill.price'],
      [{ ...fill('buy', 1, 10, 0, day1), fee: -0.1 }, 'fill.fee'],
      [{ ...fill('buy', 1, 10, 0, day1), time: 1.5 }, 'fill.time'],
      [{ ...fill('buy', 1, 10, 0, day1), symbol: 'nope' as SymbolId }, 'fill.symbol'],
    ];
    for (const [malformed, field] of bad) {
      expect(() => portfolio.applyFill(malformed, { role: 'entry' })).toThrow(ValidationError);
      expect(() => portfolio.applyFill(malformed, { role: 'entry' })).toThrow(field);
    }
    expect(() =>
      portfolio.applyFill(
        { ...fill('buy', 1, 10, 0, day1), feeCurrency: 'BTC' },
        { role: 'entry' },
      ),
    ).toThrow('fill.feeCurrency BTC is not the quote currency USD');
    expect(() =>
      portfolio.applyFill(
        { ...fill('buy', 1, 10, 0, day1), symbol: 'ETH-EUR', feeCurrency: 'EUR' },
        { role: 'entry' },
      ),
    ).toThrow('ETH-EUR is quoted in EUR, but the portfolio holds USD');
    expect(() =>
      portfolio.applyFill(fill('buy', 1, 10, 0, day1), { role: 'moon' as OrderRole }),
    ).toThrow('role moon is not an order role');
    expect(() => portfolio.markToMarket({ [btc]: Number.NaN }, day1)).toThrow(
      'markToMarket price of BTC-USD',
    );
    // Nothing of the refused fills was applied.
    expect(portfolio.position(btc)?.quantity).toBe(1);
    expect(portfolio.cash).toBeCloseTo(1_000 - 10.01, 12);
  });
});

describe('Portfolio: persistence (real SQLite)', () => {
  let dir: string;
  let store: LumenLinkStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lumenlink-portfolio-'));
    store = await openStore({ path: join(dir, 'lumenlink.db'), clock });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function storedOrder(f: Fill, role: OrderRole): Order {
    return {
      clientOrderId: f.clientOrderId,
      exchangeOrderId: f.exchangeOrderId,
      exchange: 'paper',
      strategy: 'test',
      symbol: f.symbol,
      side: f.side,
      type: 'market',
      role,
      quantity: f.quantity,
      limitPrice: null,
      stopPrice: null,
      status: 'filled',
      filledQuantity: f.quantity,
      avgFillPrice: f.price,
      fee: f.fee,
      feeCurrency: f.feeCurrency,
      reason: null,
      candleTime: f.time,
      attempt: 0,
      createdAt: f.time,
      updatedAt: f.time,
    };
  }

  it('persists positions and snapshots, and restores the same account after a restart', async () => {
    const portfolio = new Portfolio({ clock, startingCash: 10_000, store: store.portfolio });
    const fills: RoleFill[] = [
      ...session(),
      { fill: fill('buy', 0.5, 2000, 1, day1 + 5 * hour, eth), role: 'entry' },
      { fill: fill('buy', 1, 100, 0.1, day1 + 6 * hour), role: 'entry' },
    ];
    for (const { fill: f, role } of fills) {
      await store.orders.insertOrder(storedOrder(f, role));
      await store.orders.saveFill(f);
      portfolio.applyFill(f, { role });
    }
    portfolio.setPositionState(eth, 'managing');
    portfolio.markToMarket({ [btc]: 104, [eth]: 2100 }, day1 + 22 * hour);
    await clock.advanceTo(day1 + 22 * hour);
    const persisted = await portfolio.persist();
    expect(await store.portfolio.listPositions()).toEqual(persisted.positions);

    // Next day, after a crash: the fills and roles come back from the order store.
    await clock.advanceTo(day1 + 26 * hour);
    const roles = new Map(
      (await store.orders.listOrders()).map((order) => [order.clientOrderId, order.role]),
    );
    const restored = await Portfolio.restore(store.portfolio, {
      clock,
      startingCash: 10_000,
      fills: (await store.orders.listFills()).map((f) => ({
        fill: f,
        role: roles.get(f.clientOrderId) ?? 'entry',
      })),
    });
    const prices = { [btc]: 101, [eth]: 2050 };
    const at = day1 + 26 * hour;
    const expected = portfolio.markToMarket(prices, at);
    expect(restored.markToMarket(prices, at)).toEqual(expected);
    expect(expected.positions.map((p) => [p.symbol, p.state])).toEqual([
      [btc, 'filled'],
      [eth, 'managing'],
    ]);
    // Daily P&L from the equity at midnight: the snapshot persisted before it.
    expect(expected.dailyPnl).toBeCloseTo(expected.equity - persisted.equity, 9);
    expect(expected.lastStopOutAt).toEqual({ [btc]: day1 + 4 * hour });
  });

  it('never refuses to start: an over-sell on record counts only what was held, and is listed', async () => {
    // One buy of 0.00409, then three filled sells of 0.00408 (the account held coins of its own).
    const fills: RoleFill[] = [
      { fill: fill('buy', 0.00409, 50_000, 0.2, day1 + hour), role: 'entry' },
      { fill: fill('sell', 0.00408, 50_100, 0.2, day1 + 2 * hour), role: 'trailing_stop' },
      { fill: fill('sell', 0.00408, 50_050, 0.2, day1 + 2 * hour + 1), role: 'trailing_stop' },
      { fill: fill('buy', 0.001, 50_000, 0.05, day1 + 3 * hour, eth), role: 'entry' },
      { fill: { ...fill('sell', 0.5, 2_000, 1, day1 + 4 * hour, eth) }, role: 'exit' },
      { fill: fill('sell', 0.1, 2_000, 0.1, day1 + 4 * hour + 1, eth), role: 'exit' },
      {
        fill: { ...fill('buy', 1, 2_000, 1, day1 + 5 * hour, eth), feeCurrency: 'BNB' },
        role: 'entry',
      },
    ];
    const restored = await Portfolio.restore(store.portfolio, {
      clock,
      startingCash: 1_000,
      fills,
      markets: new Map([[btc, permissiveMarketInfo(btc, { amountStep: 0.00001 })]]),
    });
    // BTC: the first sell leaves 0.00001, the second sells it and 0.00407 that were not ours.
    expect(restored.position(btc)).toBeUndefined();
    expect(restored.restoreIssues).toEqual([
      expect.objectContaining({ symbol: btc, kind: 'oversell' }),
      expect.objectContaining({ symbol: eth, kind: 'oversell' }),
      expect.objectContaining({ symbol: eth, kind: 'oversell' }),
      // A fee paid in BNB: the buy counts, its fee as 0 for the quote cash.
      expect.objectContaining({ symbol: eth, kind: 'fee' }),
    ]);
    expect(restored.position(eth)?.quantity).toBe(1);
    expect(restored.restoreIssues[2]?.problem).toMatch(/while the position held nothing/);
    expect(restored.restoreIssues[0]?.problem).toMatch(
      /sold 0\.00408 BTC-USD, more than the 0\.00001\d* the position held/,
    );
    expect(restored.restoreIssues[3]?.problem).toMatch(/fee of 1 in BNB, not in USD: counted as 0/);
    // Cash counts only the part of each over-selling fill that was the bot's.
    const soldBtc = 0.00408 * 50_100 - 0.2 + (0.00001 / 0.00408) * (0.00408 * 50_050 - 0.2);
    const soldEth = 0.001 * 2_000 - (1 * 0.001) / 0.5;
    expect(restored.cash).toBeCloseTo(
      1_000 - (0.00409 * 50_000 + 0.2) + soldBtc - (0.001 * 50_000 + 0.05) + soldEth - 2_000,
      6,
    );
  });

  it("applies a fill beyond the position while trading as far as it was the bot's, never throwing", () => {
    const portfolio = new Portfolio({ clock, startingCash: 1_000 });
    portfolio.applyFill(fill('buy', 0.01, 50_000, 0, day1 + hour), { role: 'entry' });
    // Two exits both filled (one proven failed, then found): the second sells coins not ours.
    const first = portfolio.applyFillOrRecord(fill('sell', 0.006, 51_000, 0, day1 + 2 * hour), {
      role: 'exit',
    });
    expect(first).toMatchObject({ change: { kind: 'reduced' }, issue: null });
    const second = portfolio.applyFillOrRecord(fill('sell', 0.006, 51_000, 0, day1 + 3 * hour), {
      role: 'exit',
    });
    expect(second.change?.kind).toBe('closed');
    expect(second.issue).toMatchObject({ kind: 'oversell' });
    expect(second.issue?.problem).toMatch(/more than the 0\.004 the position held/);
    expect(portfolio.position(btc)).toBeUndefined();
    expect(portfolio.cash).toBeCloseTo(1_000 - 500 + 0.01 * 51_000, 9);
    // A sell's fee in BNB (paid from the BNB balance): the quantity counts.
    portfolio.applyFill(fill('buy', 0.01, 50_000, 0, day1 + 4 * hour), { role: 'entry' });
    const bnb = portfolio.applyFillOrRecord(
      { ...fill('sell', 0.01, 50_000, 0.001, day1 + 5 * hour), feeCurrency: 'BNB' },
      { role: 'exit' },
    );
    expect(bnb).toMatchObject({ change: { kind: 'closed' }, issue: { kind: 'fee' } });
    expect(portfolio.position(btc)).toBeUndefined();
  });

  it('replays write-offs after the fill they followed whatever their time, else by time', () => {
    const first = fill('buy', 0.01, 50_000, 0.5, day1 + hour);
    const second = fill('buy', 0.01, 50_000, 0.5, day1 + 2 * hour);
    const writeOff = (id: string, at: number, afterTradeId: string | null = null) => ({
      id,
      symbol: btc,
      quantity: 0.001,
      price: 50_000,
      reason: 'sold by hand',
      adjustedBy: 'http',
      at,
      afterTradeId,
    });
    const steps = replayOrder(
      // Given out of time order.
      [second, first],
      (item) => item,
      [
        writeOff('late', day1 + 5 * hour),
        // Stamped by a local clock ahead of the exchange's: still right after `first`.
        writeOff('after-first', day1 + 3 * hour, first.tradeId),
        writeOff('between', day1 + hour + 1),
        writeOff('unknown-fill', day1, 'gone'),
      ],
    );
    expect(
      steps.map((step) => (step.kind === 'fill' ? step.item.tradeId : step.adjustment.id)),
    ).toEqual([first.tradeId, 'after-first', 'between', second.tradeId, 'late', 'unknown-fill']);
  });

  it('writes off coins the exchange no longer holds at their cost, and replays the write-off', async () => {
    const buy = fill('buy', 0.01, 50_000, 0.5, day1 + hour);
    const portfolio = new Portfolio({ clock, startingCash: 1_000 });
    portfolio.applyFill(buy, { role: 'entry' });
    const writeOff = {
      id: 'write-off:BTC-USD:1',
      symbol: btc,
      quantity: 0.004,
      price: 51_000,
      reason: 'sold by hand on the exchange',
      adjustedBy: 'http',
      at: day1 + 2 * hour,
    } as const;
    const change = portfolio.writeOff(writeOff);
    expect(change).toMatchObject({ kind: 'reduced', realizedPnl: -(0.004 * 50_000) - 0.2 });
    expect(portfolio.position(btc)?.quantity).toBeCloseTo(0.006, 12);
    // Cash is unchanged: the coins left without paying the bot.
    expect(portfolio.cash).toBeCloseTo(1_000 - 500 - 0.5, 9);
    // A restart replays the fills and the write-off to the same account.
    const restored = await Portfolio.restore(store.portfolio, {
      clock,
      startingCash: 1_000,
      fills: [{ fill: buy, role: 'entry' }],
      adjustments: [writeOff],
    });
    expect(restored.position(btc)?.quantity).toBeCloseTo(0.006, 12);
    expect(restored.realizedPnl).toBeCloseTo(portfolio.realizedPnl, 9);
    expect(restored.restoreIssues).toEqual([]);
    // Writing off all of it (and more) closes the position; without one it is refused.
    expect(portfolio.writeOff({ ...writeOff, id: 'w2', quantity: 1 }).kind).toBe('closed');
    expect(() => portfolio.writeOff({ ...writeOff, id: 'w3' })).toThrow(/no BTC-USD position/);
  });

  it('deletes the stored position of a closed trade at the next persist', async () => {
    const portfolio = new Portfolio({ clock, startingCash: 1_000, store: store.portfolio });
    portfolio.applyFill(fill('buy', 1, 100, 0, day1), { role: 'entry' });
    await portfolio.persist();
    expect(await store.portfolio.listPositions()).toHaveLength(1);
    portfolio.applyFill(fill('sell', 1, 110, 0, day1 + hour), { role: 'exit' });
    await clock.advance(hour);
    const snapshot = await portfolio.persist();
    expect(await store.portfolio.listPositions()).toEqual([]);
    expect(await store.portfolio.equitySnapshots(0, day1 + hour)).toEqual([
      expect.objectContaining({ at: day1, cash: 900 }),
      snapshot,
    ]);
  });

  it('refuses to persist without a store', async () => {
    await expect(new Portfolio({ clock, startingCash: 1 }).persist()).rejects.toThrow(
      'created without a store',
    );
  });
});

describe('Portfolio: the sum of the fills (fast-check)', () => {
  /** A fill step: buy thousandths, or sell a share of what is held (1 = all). */
  const stepArb = fc.record({
    buy: fc.boolean(),
    milli: fc.integer({ min: 1, max: 5_000 }),
    share: fc.constantFrom(0.25, 0.5, 1, 0.1, 0.333),
    price: fc.double({ min: 1, max: 1_000, noNaN: true }),
    feeBps: fc.integer({ min: 0, max: 50 }),
    /** Split the fill into this many partial fills at the same price. */
    parts: fc.integer({ min: 1, max: 3 }),
  });

  it('keeps cash, quantity and P&L equal to what the fills imply, also when fills come in parts', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 30 }), (steps) => {
        const whole = new Portfolio({ clock, startingCash: 100_000 });
        const split = new Portfolio({ clock, startingCash: 100_000 });
        let cash = 100_000;
        let quantity = 0;
        let time = day1;
        for (const step of steps) {
          const size = step.buy ? step.milli / 1000 : quantity * step.share;
          if (!(size > 0)) continue;
          const side: OrderSide = step.buy ? 'buy' : 'sell';
          const fee = (size * step.price * step.feeBps) / 10_000;
          time += hour;
          whole.applyFill(fill(side, size, step.price, fee, time), { role: 'entry' });
          for (let part = 0; part < step.parts; part++) {
            split.applyFill(fill(side, size / step.parts, step.price, fee / step.parts, time), {
              role: 'entry',
            });
          }
          cash += step.buy ? -(size * step.price) - fee : size * step.price - fee;
          quantity += step.buy ? size : -size;
          if (Math.abs(quantity) < 1e-9) quantity = 0;

          for (const portfolio of [whole, split]) {
            const snapshot = portfolio.snapshot(time);
            expect(snapshot.cash).toBeCloseTo(cash, 6);
            expect(portfolio.position(btc)?.quantity ?? 0).toBeCloseTo(quantity, 9);
            expect(snapshot.equity).toBeCloseTo(
              100_000 + snapshot.realizedPnl + snapshot.unrealizedPnl,
              6,
            );
            if (quantity === 0) {
              expect(portfolio.position(btc)).toBeUndefined();
              expect(snapshot.realizedPnl).toBeCloseTo(cash - 100_000, 6);
            }
          }
          expect(split.realizedPnl).toBeCloseTo(whole.realizedPnl, 6);
          expect(split.position(btc)?.avgEntryPrice ?? 0).toBeCloseTo(
            whole.position(btc)?.avgEntryPrice ?? 0,
            6,
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});
