/**
 * A live trader wired like the bot (apps/bot/src/bot.ts, `MODE=live`): the real SQLite store on
 * a temporary file, ccxt's real binance class against the exchange emulator through
 * `CcxtExchange` and `LiveBroker`, the portfolio restored from the stored fills, the trade cycle,
 * the reconciler, the bot's own `CandleDriver`, and alerts through the alert dispatcher to the
 * console channel, the one channel that needs no storage (its lines are captured here).
 *
 * Two differences from the bot, both for speed: candles are handed to the driver directly (the
 * market-data and strategy loops only fetch and pass them on), and the engine runs on a manual
 * clock that the driver moves to each candle's close, as in replay.
 */
import {
  ManualClock,
  noopMetrics,
  systemClock,
  type Candle,
  type Order,
  type Signal,
  type Strategy,
  type SymbolId,
} from '@lumenlink/core';
import { recordingLogger, type LoggedLine } from '@lumenlink/core/testing';
import {
  createAlertDispatcher,
  createConsoleNotifier,
  type AlertDispatcher,
} from '@lumenlink/alerts';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { TradeCycle, roleFills, storedHistory } from '@lumenlink/engine';
import { CcxtExchange } from '@lumenlink/exchanges';
import type { ExchangeEmulator } from '@lumenlink/exchanges/testing';
import {
  LiveBroker,
  Portfolio,
  Reconciler,
  TrailingStopManager,
  clientOrderId,
  exitClientOrderId,
  createExchangePolicies,
  type ReconcileReport,
} from '@lumenlink/execution';
import { RiskEngine, TradingStateMachine } from '@lumenlink/risk';
import { CandleDriver, DecisionCounter, NodeMetrics, SerialLock } from '@lumenlink/runtime';

export const apiKey = 'faults-key';
export const apiSecret = 'faults-secret';
export const symbol: SymbolId = 'BTC-USDT';
export const hourMs = 3_600_000;
/** The emulator's BTC/USDT price; the candles trade flat around it. */
const price = 60_000;
const strategyKey = 'flip_test';
/** The USDT the emulator's account starts with (its default balance). */
const emulatorStartingCash = 100_000;

/** An alert the console channel logged: the event's type, code and message. */
export interface LoggedAlert {
  readonly type: string;
  readonly code: string | undefined;
  readonly message: string | undefined;
}

/** The alerts that reached the console channel (it logs `alert: <type>` with the event). */
export function loggedAlerts(lines: readonly LoggedLine[]): LoggedAlert[] {
  return lines
    .filter((line) => line.fields['module'] === 'alerts' && line.message.startsWith('alert: '))
    .map((line) => {
      const event = line.fields['event'] as Record<string, unknown> | undefined;
      return {
        type: String(event?.['type']),
        code: typeof event?.['code'] === 'string' ? event['code'] : undefined,
        message: typeof event?.['message'] === 'string' ? event['message'] : undefined,
      };
    });
}

/**
 * Buys half the maximum position on the candles of even hours and sells the whole position on
 * those of odd hours: an order intent on every candle, so that every candle exercises "persist
 * intent, then act", and a second buy still has room. `reasonPadding` characters are added to
 * each signal's reason, which the order row stores.
 */
function flipStrategy(reasonPadding = 0): Strategy {
  const padding = reasonPadding > 0 ? ` ${'.'.repeat(reasonPadding)}` : '';
  return {
    key: strategyKey,
    params: {},
    warmup: 0,
    onCandle(candle): Signal {
      const buy = Math.floor(candle.time / hourMs) % 2 === 0;
      return buy
        ? { action: 'buy', confidence: 1, portion: 0.5, reason: `even hour${padding}` }
        : { action: 'sell', confidence: 1, reason: `odd hour${padding}` };
    },
  };
}

/** The flat candle of open time `time`, around the emulator's price. */
function flatCandle(time: number): Candle {
  return { time, open: price, high: price + 10, low: price - 10, close: price, volume: 5 };
}

/**
 * The client order id the cycle gives the flip strategy's order on the candle at `time`: an
 * entry is keyed by its candle, an exit by the position it sells (its open time,
 * `positionOpenedAt`, required for an exit) and its first sequence and attempt.
 */
export function intendedClientOrderId(time: number, positionOpenedAt?: number): string {
  const buy = Math.floor(time / hourMs) % 2 === 0;
  if (buy) {
    return clientOrderId({
      strategy: strategyKey,
      symbol,
      candleTime: time,
      action: 'buy',
      role: 'entry',
      attempt: 0,
    });
  }
  if (positionOpenedAt === undefined) {
    throw new Error(`the exit on ${new Date(time).toISOString()} needs the position's open time`);
  }
  return exitClientOrderId({
    strategy: strategyKey,
    symbol,
    positionOpenedAt,
    sequence: 0,
    attempt: 0,
  });
}

/** The client ids of every POST /api/v3/order the emulator received, in order. */
export function orderPosts(emulator: ExchangeEmulator): string[] {
  return emulator
    .requests()
    .filter((request) => request.method === 'POST' && request.path === '/api/v3/order')
    .map((request) => request.body['newClientOrderId'] ?? '');
}

/** What one candle did: nothing thrown, or the error the driver threw. */
export type StepOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

export interface LiveRig {
  readonly store: LumenLinkStore;
  readonly exchange: CcxtExchange;
  readonly cycle: TradeCycle;
  readonly portfolio: Portfolio;
  readonly reconciler: Reconciler;
  readonly driver: CandleDriver;
  /** The reconciliation run before the first candle. */
  readonly reconciled: ReconcileReport;
  readonly clock: ManualClock;
  readonly alerts: AlertDispatcher;
  /** Every log line, alerts included. */
  readonly lines: LoggedLine[];
  /** Runs the driver on the flat candle at `time` (the strategy loop's work for that candle). */
  step(time: number): Promise<StepOutcome>;
  /** Orders as stored now. */
  orders(): Promise<Order[]>;
  /** Drains the alerts and closes the store. */
  close(): Promise<void>;
}

export interface LiveRigOptions {
  readonly dbPath: string;
  readonly emulator: ExchangeEmulator;
  /** Where the manual clock starts (the close of the candle before the first one traded). */
  readonly startAt: number;
  /**
   * The store's busy timeout. The bot keeps the default (5 s); a lock held by this process
   * blocks its event loop while a statement waits, so the lock tests keep it short.
   */
  readonly busyTimeoutMs?: number;
  /**
   * Characters added to every signal's reason, which the order row stores: about 3 000 make each
   * order row fill a page of its own, so an order insert always needs a new page.
   */
  readonly reasonPadding?: number;
}

/**
 * Builds the live trader and reconciles every stored order before the first candle, as the bot
 * does on start.
 */
export async function openLiveRig(options: LiveRigOptions): Promise<LiveRig> {
  const lines: LoggedLine[] = [];
  const logger = recordingLogger(lines);
  const store = await openStore({
    path: options.dbPath,
    logger,
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
  const exchange = new CcxtExchange({
    exchange: 'binance',
    apiKey,
    secret: apiSecret,
    apiUrl: options.emulator.url,
    timeoutMs: 5_000,
    // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
    rateLimitMs: 1,
    logger,
  });
  const all = await exchange.loadMarkets();
  const market = all.get(symbol);
  if (market === undefined) throw new Error(`the emulator does not list ${symbol}`);
  const markets = new Map([[symbol, market]]);
  const clock = new ManualClock(options.startAt);
  const alerts = createAlertDispatcher({
    channels: [createConsoleNotifier(logger)],
    clock: systemClock,
    logger,
  });
  const broker = new LiveBroker({
    exchange,
    policies: createExchangePolicies({ logger, retries: 1, initialDelayMs: 20, maxDelayMs: 50 }),
  });
  const history = await storedHistory(store.orders, broker.name);
  // The bot derives this from the balance (liveStartingCash); here it is what the emulator's
  // account started with, which saves a heavily rate-limited request per start.
  const startingCash = emulatorStartingCash;
  const portfolio = await Portfolio.restore(store.portfolio, {
    clock,
    startingCash,
    fills: roleFills(history),
    markets,
  });
  const tradingState = await TradingStateMachine.open({
    store: store.runtime,
    clock,
    killSwitch: false,
  });
  const trailingStops = await TrailingStopManager.restore({ clock, store: store.runtime });
  const metrics = new NodeMetrics(noopMetrics);
  const cycle = new TradeCycle({
    clock,
    settings: {
      mode: 'live',
      allowLiveTrading: true,
      intervalMs: hourMs,
      atrPeriod: 14,
      trailingStopAtrMultiple: 0,
      cooldownMs: 0,
    },
    strategies: new Map([[symbol, flipStrategy(options.reasonPadding)]]),
    risk: new RiskEngine({ maxPositionUsd: 200 }),
    tradingState,
    broker,
    orders: store.orders,
    decisions: new DecisionCounter(store.decisions, metrics),
    portfolio,
    trailingStops,
    markets,
    marketData: exchange,
    notifier: alerts,
    logger,
    entryBreaker: broker.entryBreaker,
  });
  const reconciler = new Reconciler({
    broker,
    orders: store.orders,
    clock,
    manager: cycle.orderManager,
    logger,
  });
  // Every non-final order is reconciled before the first trade (bot.ts does the same).
  const reconciled = await reconciler.reconcile();
  const driver = await CandleDriver.open({
    cycle,
    paperBroker: null,
    portfolio,
    candles: store.candles,
    runtime: store.runtime,
    symbols: [symbol],
    timeframe: '1h',
    clock,
    manualClock: clock,
    lock: new SerialLock(),
    metrics,
    notifier: alerts,
    logger,
    warmupCandles: 0,
  });
  return {
    store,
    exchange,
    cycle,
    portfolio,
    reconciler,
    driver,
    reconciled,
    clock,
    alerts,
    lines,
    async step(time) {
      try {
        await driver.process(time, new Map([[symbol, flatCandle(time)]]));
        return { ok: true };
      } catch (error) {
        return { ok: false, error };
      }
    },
    orders: () => store.orders.listOrders(),
    async close() {
      await alerts.close({ timeoutMs: 1_000 });
      await store.close();
    },
  };
}
