/**
 * The over-sell found by the adversarial run, and every way of losing a fill around an exit,
 * end to end: the trade cycle in live mode, its order manager and reconciler, ccxt's real
 * binance class against the exchange emulator, and the real SQLite store. The account always
 * holds coins of its own besides what the bot buys, so a repeated exit would be filled by the
 * exchange (on a quote-only account it would only be refused).
 *
 * Time: one manual clock for the engine and the emulator (grace windows, "not found" windows,
 * backoff); ticks come every second of it, the reconciler runs every ten. In every scenario the
 * exchange's balance change per asset must equal what the stored fills say, exactly one sell
 * reaches the exchange, and the position ends flat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  silentLogger,
  symbolParts,
  type Broker,
  type Fill,
  type MarketInfo,
  type SymbolId,
} from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { CcxtExchange } from '@lumenlink/exchanges';
import { startExchangeEmulator, type ExchangeEmulator } from '@lumenlink/exchanges/testing';
import {
  LiveBroker,
  Portfolio,
  ReconcileError,
  Reconciler,
  TrailingStopManager,
  createExchangePolicies,
  holdingShortfalls,
} from '@lumenlink/execution';
import { RiskEngine, SymbolPauses, TradingStateMachine } from '@lumenlink/risk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  TradeCycle,
  restoreBrackets,
  roleFills,
  storedHistory,
  writeOffMissing,
} from '../src/index.js';
import { buy, hourMs, scriptedStrategy } from './helpers.js';

const symbol = 'BTC-USDT' as SymbolId;
const ccxtSymbol = 'BTC/USDT';
const t0 = Date.UTC(2026, 5, 1, 12);
/** The user's own coins: the exchange would fill a repeated exit out of them. */
const ownBalances = { USDT: 20_000, BTC: 0.25 };

interface Rig {
  readonly clock: ManualClock;
  readonly emulator: ExchangeEmulator;
  readonly store: LumenLinkStore;
  readonly cycle: TradeCycle;
  readonly portfolio: Portfolio;
  readonly reconciler: Reconciler;
  readonly pauses: SymbolPauses;
  readonly markets: ReadonlyMap<SymbolId, MarketInfo>;
  readonly alerts: string[];
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The emulator with the user's own coins, and a temp SQLite file for the bot. */
async function exchangeAndFile(): Promise<{
  clock: ManualClock;
  emulator: ExchangeEmulator;
  dbPath: string;
}> {
  const clock = new ManualClock(t0);
  const emulator = await startExchangeEmulator({
    now: () => clock.now(),
    balances: ownBalances,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'lumenlink-exit-safety-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => emulator.close());
  return { clock, emulator, dbPath: path.join(dir, 'bot.db') };
}

const storeWrite = /^(insert|update|save|record|delete|set)/;
const exchangeAction = new Set(['createOrder', 'cancelOrder']);

/**
 * The process killed before its `at`-th step once armed: a step is a store write or an order
 * sent to or canceled on the exchange, the moments durable state changes. Nothing the process
 * does from then on reaches the store or the exchange (every call throws), as after a SIGKILL:
 * a killed write is not committed, and being killed right after step k is being killed before
 * step k + 1.
 */
class Crash {
  #armed = false;
  #dead = false;
  /** The steps taken since armed, by method name, the killed one included. */
  readonly steps: string[] = [];

  readonly at: number;

  constructor(at: number) {
    this.at = at;
  }

  get dead(): boolean {
    return this.#dead;
  }

  arm(): void {
    this.#armed = true;
  }

  #step(what: string, counts: boolean): void {
    if (this.#dead) throw new Error(`the process is dead (${what})`);
    if (!counts || !this.#armed) return;
    this.steps.push(what);
    if (this.steps.length === this.at) {
      this.#dead = true;
      throw new Error(`killed before step ${this.at} (${what})`);
    }
  }

  /** `target` with each method call going through `#step` first (target stays `this`). */
  #wrap<T extends object>(target: T, counts: (name: string) => boolean): T {
    return new Proxy(target, {
      get: (object, name, receiver) => {
        const value: unknown = Reflect.get(object, name, receiver);
        if (typeof value !== 'function' || typeof name !== 'string') return value;
        return (...args: unknown[]): unknown => {
          this.#step(name, counts(name));
          return (value as (...inner: unknown[]) => unknown).apply(object, args);
        };
      },
    });
  }

  store(store: LumenLinkStore): LumenLinkStore {
    const writes = (name: string): boolean => storeWrite.test(name);
    return {
      ...store,
      orders: this.#wrap(store.orders, writes),
      decisions: this.#wrap(store.decisions, writes),
      portfolio: this.#wrap(store.portfolio, writes),
      runtime: this.#wrap(store.runtime, writes),
    };
  }

  exchange(exchange: Broker): Broker {
    return this.#wrap(exchange, (name) => exchangeAction.has(name));
  }
}

/**
 * A live trader over the store at `dbPath`, rebuilt from it as a restart would: portfolio from
 * the stored fills, symbol pauses from the store.
 */
async function trader(
  clock: ManualClock,
  emulator: ExchangeEmulator,
  dbPath: string,
  wrap: (exchange: Broker) => Broker = (exchange) => exchange,
  crash?: Crash,
): Promise<Rig> {
  const opened = await openStore({ path: dbPath });
  cleanups.push(() => opened.close());
  const store = crash === undefined ? opened : crash.store(opened);
  const exchange = new CcxtExchange({
    exchange: 'binance',
    apiKey: 'key',
    secret: 'secret',
    apiUrl: emulator.url,
    timeoutMs: 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
    rateLimitMs: 1,
    clock,
  });
  const markets = await exchange.loadMarkets();
  const broker = new LiveBroker({
    exchange: wrap(crash === undefined ? exchange : crash.exchange(exchange)),
    policies: createExchangePolicies({ retries: 2, initialDelayMs: 5, maxDelayMs: 20 }),
  });
  const history = await storedHistory(store.orders, broker.name);
  const portfolio = await Portfolio.restore(store.portfolio, {
    clock,
    startingCash: 10_000,
    markets,
    fills: roleFills(history),
  });
  const stopLossPct = 1;
  const pauses = await SymbolPauses.open({ store: store.runtime, clock });
  const alerts: string[] = [];
  const cycle = new TradeCycle({
    clock,
    settings: {
      mode: 'live',
      allowLiveTrading: true,
      intervalMs: hourMs,
      atrPeriod: 14,
      trailingStopAtrMultiple: 0,
      stopLossPct,
      cooldownMs: 0,
    },
    strategies: new Map([[symbol, scriptedStrategy(new Map([[0, buy('first candle')]]))]]),
    risk: new RiskEngine({ maxPositionUsd: 500 }),
    tradingState: await TradingStateMachine.open({
      store: store.runtime,
      clock,
      killSwitch: false,
    }),
    broker,
    orders: store.orders,
    decisions: store.decisions,
    portfolio,
    trailingStops: new TrailingStopManager({ clock, store: store.runtime }),
    // As the bot restarts: the stop of an open position from its entry.
    brackets: await restoreBrackets({
      clock,
      positions: portfolio.positions(),
      history,
      decisions: store.decisions,
      stopLossPct,
      logger: silentLogger,
    }),
    markets,
    entryBreaker: broker.entryBreaker,
    notFoundGrace: { checks: 3, windowMs: 60_000 },
    refusalBackoff: { initialMs: 5_000, maxMs: 60_000 },
    symbolPaused: (traded) => pauses.reason(traded),
    notifier: {
      notify: (event) => {
        alerts.push(
          'message' in event ? `${event.type} ${event.code}: ${event.message}` : event.type,
        );
      },
    },
  });
  const reconciler = new Reconciler({
    broker,
    orders: store.orders,
    clock,
    manager: cycle.orderManager,
    symbols: [symbol],
    // myTrades weighs 20 on Binance: ccxt's rate limiter spaces it about a second apart.
    tradeSweepIntervalMs: 30_000,
  });
  return { clock, emulator, store, cycle, portfolio, reconciler, pauses, markets, alerts };
}

/** A closed candle at the emulator's price, traded by the cycle. */
async function candle(rig: Rig, index: number): Promise<void> {
  const price = rig.emulator.price(ccxtSymbol);
  const time = t0 - hourMs + index * hourMs;
  await rig.cycle.onCandle(symbol, {
    time,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: 5,
  });
}

/** `seconds` ticks at the emulator's price, one a second; a reconcile every ten. */
async function tick(rig: Rig, seconds: number): Promise<void> {
  for (let second = 1; second <= seconds; second++) {
    await rig.clock.advance(1_000);
    if (rig.portfolio.position(symbol) !== undefined) {
      // As the bot's strategy loop: a failed tick is alerted and the next one comes.
      await rig.cycle.onTick(symbol, rig.emulator.price(ccxtSymbol)).catch((error: unknown) => {
        rig.alerts.push(`tick failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
    if (second % 10 === 0) await reconcile(rig);
  }
}

async function reconcile(rig: Rig): Promise<void> {
  await rig.reconciler.reconcile().catch((error: unknown) => {
    if (!ReconcileError.isInstance(error)) throw error;
  });
}

/** Sell requests that reached the exchange (answered or not). */
function sellPosts(emulator: ExchangeEmulator): number {
  return emulator
    .requests()
    .filter(
      (request) =>
        request.method === 'POST' &&
        request.path === '/api/v3/order' &&
        request.body['side'] === 'SELL',
    ).length;
}

/** Balance change per asset implied by fills, as the exchange books them (fee in its asset). */
function changeFromFills(fills: readonly Fill[]): Record<string, number> {
  const change: Record<string, number> = {};
  const add = (asset: string, amount: number): void => {
    change[asset] = (change[asset] ?? 0) + amount;
  };
  for (const fill of fills) {
    const { base, quote } = symbolParts(fill.symbol);
    const sign = fill.side === 'buy' ? 1 : -1;
    add(base, sign * fill.quantity);
    add(quote, -sign * fill.quantity * fill.price);
    add(fill.feeCurrency, -fill.fee);
  }
  return change;
}

/** The exchange's balance change per asset equals the stored fills (plus foreign trades). */
async function expectBalancesMatchFills(
  rig: Rig,
  foreign: Record<string, number> = {},
): Promise<void> {
  const fromFills = changeFromFills(await rig.store.orders.listFills());
  const balances = rig.emulator.balances();
  for (const asset of ['BTC', 'USDT']) {
    const held = (balances[asset]?.free ?? 0) + (balances[asset]?.locked ?? 0);
    const start = ownBalances[asset as keyof typeof ownBalances];
    const expected = (fromFills[asset] ?? 0) + (foreign[asset] ?? 0);
    expect(held - start, `${asset} balance change`).toBeCloseTo(expected, 6);
  }
}

/** Buys, then drops the price 3 % through the 1 % stop-loss. */
async function boughtThenStopHit(rig: Rig): Promise<number> {
  await candle(rig, 0);
  const position = rig.portfolio.position(symbol);
  expect(position?.quantity).toBeGreaterThan(0);
  rig.emulator.setPrice(ccxtSymbol, rig.emulator.price(ccxtSymbol) * 0.97);
  return position?.quantity ?? 0;
}

describe('exits never sell what the position does not hold', () => {
  it('a lost exit answer and "not found" for several ticks: one sell, the fill stored', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await boughtThenStopHit(rig);
    emulator.inject({ kind: 'lose-response', times: 1 });
    emulator.inject({ kind: 'not-found', forMs: 30_000 });
    await tick(rig, 90);
    expect(sellPosts(emulator)).toBe(1);
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    await expectBalancesMatchFills(rig);
    // Ticks while the exit was unknown were recorded as blocked at most once a minute.
    const blocked = (await rig.store.decisions.recentDecisions(symbol, 200)).filter(
      (decision) => decision.outcome === 'blocked',
    );
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBeLessThanOrEqual(2);
  });

  it('"not found" beyond the grace window, then the order and its fills appear: never resent', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await boughtThenStopHit(rig);
    emulator.inject({ kind: 'lose-response', times: 1 });
    emulator.inject({ kind: 'not-found', forMs: 150_000 });
    await tick(rig, 120);
    // Past the 60 s grace, the exit is still not proven never placed: its trade is listed.
    expect(sellPosts(emulator)).toBe(1);
    await tick(rig, 60);
    expect(sellPosts(emulator)).toBe(1);
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    await expectBalancesMatchFills(rig);
  });

  it('a FILLED answer while myTrades fails: no second sell until its fills are stored', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await boughtThenStopHit(rig);
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/myTrades', times: 40 });
    await tick(rig, 30);
    expect(sellPosts(emulator)).toBe(1);
    const exit = emulator.orders().find((order) => order.side === 'sell');
    expect(exit?.status).toBe('FILLED');
    emulator.clearFaults();
    await tick(rig, 30);
    expect(sellPosts(emulator)).toBe(1);
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    await expectBalancesMatchFills(rig);
  });

  it('a fill lost after a crash is found by the trade sweep of the restart', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const first = await trader(clock, emulator, dbPath);
    await boughtThenStopHit(first);
    // The exit's answer is lost and the process dies before any lookup: the row stays unknown.
    emulator.inject({ kind: 'lose-response', times: 1 });
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/order', times: 20 });
    await first.cycle.onTick(symbol, emulator.price(ccxtSymbol));
    emulator.clearFaults();
    await first.store.close();
    const restarted = await trader(clock, emulator, dbPath);
    await reconcile(restarted);
    expect(restarted.portfolio.position(symbol)).toBeUndefined();
    await tick(restarted, 30);
    expect(sellPosts(emulator)).toBe(1);
    await expectBalancesMatchFills(restarted);
  });

  it('after a manual sale between restarts: paused, and the exit capped at the free balance', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const first = await trader(clock, emulator, dbPath);
    const held = await boughtThenStopHit(first);
    emulator.setPrice(ccxtSymbol, emulator.price(ccxtSymbol) / 0.97);
    await first.store.close();
    // The user sells all their own coins and part of the bot's on the exchange.
    const sold = 0.25 + held / 2;
    const manual = emulator.placeOrder({
      symbol: ccxtSymbol,
      side: 'sell',
      type: 'market',
      quantity: Number(sold.toFixed(5)),
      clientOrderId: 'web_manual_sale_1',
    });
    const restarted = await trader(clock, emulator, dbPath);
    await reconcile(restarted);
    // As the bot does after each reconcile: the exchange holds less than the position.
    const [shortfall] = holdingShortfalls(
      restarted.portfolio.positions(),
      Object.fromEntries(
        Object.entries(emulator.balances()).map(([asset, { free, locked }]) => [
          asset,
          { free, used: locked, total: free + locked },
        ]),
      ),
      restarted.markets,
    );
    expect(shortfall).toMatchObject({ asset: 'BTC', symbols: [symbol] });
    await restarted.pauses.pause(symbol, 'the exchange holds less than the position', 'test');
    // Entries of the paused symbol are blocked; its stop still sells, at most what is free.
    await candle(restarted, 1);
    expect(emulator.orders().filter((order) => order.side === 'buy')).toHaveLength(1);
    // An operator's force exit (the restart restored no bracket here) sells what is free.
    await restarted.cycle.closeAll('force exit', new Map([[symbol, emulator.price(ccxtSymbol)]]));
    await tick(restarted, 20);
    expect(sellPosts(emulator)).toBe(1);
    const free = emulator.balances()['BTC']?.free ?? -1;
    expect(free).toBeGreaterThanOrEqual(0);
    expect(free).toBeLessThan(0.00001);
    const trade = emulator.trades().find((item) => item.orderId === manual.orderId);
    await expectBalancesMatchFills(restarted, {
      BTC: -(trade?.quantity ?? 0),
      USDT: (trade?.quantity ?? 0) * (trade?.price ?? 0) - (trade?.fee ?? 0),
    });
  });

  it('a sell fee paid in BNB: the fill reaches the portfolio, one sell, nothing else sold', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    // Binance's BNB fee discount: the exchange reports a sell's fee in BNB (a decorator of our
    // own Broker port over the real ccxt adapter).
    const bnbFees = (exchange: Broker): Broker =>
      new Proxy(exchange, {
        get(target, property, receiver) {
          if (property === 'fetchFills') {
            return async (fillSymbol: SymbolId, since?: number) =>
              (await target.fetchFills(fillSymbol, since)).map((fill) =>
                fill.side === 'sell' ? { ...fill, fee: 0.0005, feeCurrency: 'BNB' } : fill,
              );
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
    const rig = await trader(clock, emulator, dbPath, bnbFees);
    await boughtThenStopHit(rig);
    await tick(rig, 60);
    expect(sellPosts(emulator)).toBe(1);
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    const [sellFill] = (await rig.store.orders.listFills()).filter((fill) => fill.side === 'sell');
    expect(sellFill?.feeCurrency).toBe('BNB');
  });

  it('no write-off while an exit filled but its fills are not stored: the sale is never lost', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await candle(rig, 0);
    emulator.inject({ kind: 'status', status: 503, route: 'GET /api/v3/myTrades', times: 1_000 });
    await rig.cycle
      .closeAll('force exit', new Map([[symbol, emulator.price(ccxtSymbol)]]))
      .catch(() => undefined);
    const balance = Object.fromEntries(
      Object.entries(emulator.balances()).map(([asset, { free, locked }]) => [
        asset,
        { free, used: locked, total: free + locked },
      ]),
    );
    const writeOff = {
      cycle: rig.cycle,
      portfolio: rig.portfolio,
      runtime: rig.store.runtime,
      clock,
      symbol,
      price: null,
      reason: 'sold by hand?',
      adjustedBy: 'test',
      markets: rig.markets,
    };
    // The exchange holds less than the position only because the exit's fills are not stored.
    await expect(writeOffMissing({ ...writeOff, balance })).rejects.toThrow(
      /fills are not stored yet; resume once it has settled/,
    );
    emulator.clearFaults();
    await reconcile(rig);
    expect(rig.portfolio.position(symbol)).toBeUndefined();
    expect(await writeOffMissing({ ...writeOff, balance })).toBeNull();
    expect(await rig.store.runtime.listPositionAdjustments()).toEqual([]);
    await expectBalancesMatchFills(rig);
  });

  it('refusals of an exit back off: no bursts on an account that holds nothing else', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await boughtThenStopHit(rig);
    emulator.inject({
      kind: 'reject',
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
      times: 1_000,
    });
    await tick(rig, 60);
    // Refused at 1 s, then after 5, 10 and 20 s more: four, not sixty.
    expect(sellPosts(emulator)).toBe(4);
    expect(
      rig.alerts.filter((alert) => alert.includes('EXIT_REFUSED') || alert.includes('refused')),
    ).toHaveLength(1);
    expect(rig.portfolio.position(symbol)).toBeDefined();
  });

  it('an absurd tick price is refused, counted and never acted on', async () => {
    const { clock, emulator, dbPath } = await exchangeAndFile();
    const rig = await trader(clock, emulator, dbPath);
    await candle(rig, 0);
    await rig.cycle.onTick(symbol, 1e-8);
    await rig.cycle.onTick(symbol, emulator.price(ccxtSymbol) * 0.5);
    expect(rig.cycle.rejectedQuotes).toBe(2);
    expect(sellPosts(emulator)).toBe(0);
    expect(rig.alerts.filter((alert) => alert.includes('QUOTE_REJECTED'))).toHaveLength(1);
  });

  it('killed before any step of a stop exit, the restart sells once and the books match the exchange', async () => {
    /** Buys, hits the stop, then ticks with `crash` armed until the process dies or 90 s pass. */
    const run = async (at: number) => {
      const { clock, emulator, dbPath } = await exchangeAndFile();
      const crash = new Crash(at);
      const first = await trader(clock, emulator, dbPath, undefined, crash);
      await boughtThenStopHit(first);
      crash.arm();
      await tick(first, 90).catch((error: unknown) => {
        if (!crash.dead) throw error;
      });
      return { clock, emulator, dbPath, crash };
    };
    // Without a kill: how many steps the exit takes.
    const whole = await run(Number.POSITIVE_INFINITY);
    expect(sellPosts(whole.emulator)).toBe(1);
    const steps = whole.crash.steps;
    // The exit stored before it is sent, sent, its answer and its fill stored, the books.
    expect(steps).toEqual(expect.arrayContaining(['insertOrder', 'createOrder', 'saveFill']));
    expect(steps.indexOf('insertOrder')).toBeLessThan(steps.indexOf('createOrder'));
    for (let at = 1; at <= steps.length; at++) {
      const moment = `killed before step ${at}, ${steps[at - 1] ?? '?'}`;
      const { clock, emulator, dbPath, crash } = await run(at);
      expect(crash.dead, moment).toBe(true);
      const restarted = await trader(clock, emulator, dbPath);
      await reconcile(restarted);
      await tick(restarted, 90);
      expect(sellPosts(emulator), moment).toBe(1);
      expect(restarted.portfolio.position(symbol), moment).toBeUndefined();
      await expectBalancesMatchFills(restarted);
    }
  });
});
