/**
 * A live trader in a process of its own, for the crash tests: the trade cycle in live mode
 * against the exchange emulator (ccxt's real binance class), with a SQLite file. Run by
 * `crash-safety.test.ts` with Node's type stripping; killed with SIGKILL at chosen moments.
 *
 * Env: DB_PATH, EMULATOR_URL, API_KEY, API_SECRET, CANDLE_TIME (open time of the candle to
 * trade), TIMEOUT_MS (ccxt timeout), PHASE (`trade`: trade at once; `recover`: reconcile first;
 * `exit`: sell the stored position at once; `exit-again`: try the exit again before any
 * reconciliation, as a tick racing the restart's first reconciliation would, then reconcile and
 * try once more). Prints one JSON line per step: `{"step":"...", ...}`.
 */
import { hold, systemClock, type Signal, type Strategy, type SymbolId } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { CcxtExchange } from '@lumenlink/exchanges';
import {
  LiveBroker,
  Portfolio,
  Reconciler,
  TrailingStopManager,
  createExchangePolicies,
} from '@lumenlink/execution';
import { RiskEngine, TradingStateMachine } from '@lumenlink/risk';
// The package by its own name: its build (dist/) as Node runs it, its sources for the checks.
import { TradeCycle, roleFills, storedHistory } from '@lumenlink/engine';

const env = process.env;
const symbol = 'BTC-USDT';
const say = (step: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ step, ...fields })}\n`);
};

/** Buys on the first candle it sees, then holds. */
function buyFirst(): Strategy {
  let seen = 0;
  return {
    key: 'crash_test',
    params: {},
    warmup: 0,
    onCandle(): Signal {
      seen += 1;
      return seen === 1 ? { action: 'buy', confidence: 1, reason: 'first candle' } : hold('done');
    },
  };
}

const clock = systemClock;
const exchange = new CcxtExchange({
  exchange: 'binance',
  apiKey: env.API_KEY ?? '',
  secret: env.API_SECRET ?? '',
  apiUrl: env.EMULATOR_URL ?? '',
  timeoutMs: Number(env.TIMEOUT_MS ?? '5000'),
  // The emulator enforces no rate limit: at binance's pace ccxt would space every request (200 ms after a myTrades).
  rateLimitMs: 1,
});
const markets = await exchange.loadMarkets();
const store = await openStore({ path: env.DB_PATH ?? '' });
const broker = new LiveBroker({
  exchange,
  policies: createExchangePolicies({ retries: 2, initialDelayMs: 50, maxDelayMs: 200 }),
});
const portfolio = await Portfolio.restore(store.portfolio, {
  clock,
  startingCash: 100_000,
  markets,
  fills: roleFills(await storedHistory(store.orders, broker.name)),
});
const cycle = new TradeCycle({
  clock,
  settings: {
    mode: 'live',
    allowLiveTrading: true,
    intervalMs: 3_600_000,
    atrPeriod: 14,
    trailingStopAtrMultiple: 0,
    cooldownMs: 0,
  },
  strategies: new Map([[symbol, buyFirst()]]),
  risk: new RiskEngine({ maxPositionUsd: 1_000 }),
  tradingState: await TradingStateMachine.open({ store: store.runtime, clock, killSwitch: false }),
  broker,
  orders: store.orders,
  decisions: store.decisions,
  portfolio,
  trailingStops: new TrailingStopManager({ clock, store: store.runtime }),
  markets,
  entryBreaker: broker.entryBreaker,
  notFoundGrace: { checks: 3, windowMs: 0 },
});

if (env.PHASE === 'recover') {
  // Before any trade: every order not final is resolved by its client id.
  const reconciler = new Reconciler({
    broker,
    orders: store.orders,
    clock,
    manager: cycle.orderManager,
  });
  const report = await reconciler.reconcile();
  say('reconciled', { checked: report.checked, changed: report.changed, adopted: report.adopted });
}

const price = (await exchange.fetchTicker(symbol)).last;
const time = Number(env.CANDLE_TIME);
if (env.PHASE === 'exit' || env.PHASE === 'exit-again') {
  const reconciler = new Reconciler({
    broker,
    orders: store.orders,
    clock,
    manager: cycle.orderManager,
    symbols: [symbol],
  });
  // The candle the strategy would have seen: the price band's centre for the exit.
  cycle.warmUp(symbol, { time, open: price, high: price, low: price, close: price, volume: 1 });
  const prices = new Map<SymbolId, number>([[symbol, price]]);
  say('exiting', { price, position: portfolio.position(symbol) ?? null });
  await cycle.closeAll('crash test exit', prices);
  if (env.PHASE === 'exit-again') {
    const [latest] = await store.decisions.recentDecisions(symbol, 1);
    say('exit tried again before reconciling', { note: latest?.note ?? null });
    const report = await reconciler.reconcile();
    say('reconciled', { changed: report.changed, fills: report.fills });
    await cycle.closeAll('crash test exit, after reconciling', prices);
  }
  say('done', {
    orders: await store.orders.listOrders(),
    fills: await store.orders.listFills(),
    position: portfolio.position(symbol) ?? null,
  });
  await store.close();
  process.exit(0);
}
say('trading', { price });
await cycle.onCandle(symbol, {
  time,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: 1,
});
say('done', {
  orders: await store.orders.listOrders(),
  fills: await store.orders.listFills(),
  position: portfolio.position(symbol) ?? null,
});
await store.close();
process.exit(0);
