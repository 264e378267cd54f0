/**
 * `pnpm chaos`: the bot in live mode (`node apps/bot/dist/main.js --mode live`, real child
 * processes) against the Binance emulator of `@lumenlink/exchanges/testing` (in this process, so
 * faults are injected and its state read directly), three symbols on 1m candles, while a seeded
 * scheduler injects exchange faults and SIGKILLs the bot at random moments (also right after an
 * order reached the exchange) and restarts it. At the end the bot is stopped cleanly and the
 * invariants are checked on its SQLite store and on the emulator's orders, trades and request
 * log, and printed as figures with PASS or FAIL.
 *
 * Usage: node chaos/run.mjs [--restarts N] [--seed S] [--quick] [--keep]
 * Exit codes: 0 every invariant holds, 1 an invariant failed (or the run broke), 2 bad flags.
 *
 * The bot decides which candles are closed by the wall clock, so time is not accelerated: the
 * candles are real 1m candles around the wall clock (a seeded swing on which the grid strategy
 * trades most minutes), the bot's loops run every 1 to 2 seconds, and between candles the
 * emulator's prices move every 1 to 3 seconds, so trailing stops and brackets fire between
 * candles. When a kill waits for an order, the runner drops the price of a held symbol through
 * its stop-loss to provoke an exit.
 *
 * The account holds coins of its own in every traded asset besides what the bot buys (so a
 * repeated exit would be filled by the exchange, not refused), and while the bot is down the
 * "user" sometimes sells on the exchange by hand (at times part of the bot's coins too) and
 * places forged orders whose client ids look like ours. The exchange's balance change per asset
 * must equal the bot's stored fills plus those manual trades.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { seededRandom as coreRandom } from '@lumenlink/core';
import { openStore } from '@lumenlink/data';
import { inQuoteFees } from '@lumenlink/engine';
import { startExchangeEmulator } from '@lumenlink/exchanges/testing';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const minuteMs = 60_000;
const apiKey = 'chaos-api-key';
const apiSecret = 'chaos-api-secret';
const httpToken = 'chaos-http-token-0123456789abcdef';
/** Exactly LumenLink's client id format: anything else is foreign, even with the `ll` prefix. */
const ourIdPattern = /^ll[a-z2-7]{30}$/;
const isOurs = (id) => ourIdPattern.test(id);
/** See the checks of halted and reducing. */
const postSlackMs = 1000;
/** The emulator's default markets (their prices and amount steps). */
const markets = [
  { symbol: 'BTC-USDT', ccxt: 'BTC/USDT', base: 'BTC', price: 60_000, step: 0.00001 },
  { symbol: 'ETH-USDT', ccxt: 'ETH/USDT', base: 'ETH', price: 3_000, step: 0.0001 },
  { symbol: 'SOL-USDT', ccxt: 'SOL/USDT', base: 'SOL', price: 150, step: 0.001 },
];
/**
 * The account's own coins at the start, in every traded asset: worth several of the bot's
 * positions each, so an exit repeated while the first one's outcome is unknown would be filled.
 */
const ownBalances = { USDT: 1_000_000, BTC: 0.2, ETH: 4, SOL: 80 };

/** The settings of a long run and of the quick one (`--quick`, the test's). */
const profiles = {
  long: {
    restarts: 50,
    /** Seconds a life runs after its start before a random kill. */
    randomKill: [3, 14],
    /** Seconds to wait for an order before a kill-on-order gives up and kills anyway. */
    orderWait: 15,
    /** Seconds between two fault injections. */
    faultGap: [4, 9],
    /** Seconds between two price moves, and their size (standard deviation, share of price). */
    priceGap: [1.5, 3],
    priceMove: 0.003,
    outageSeconds: 120,
    /** "Not found" windows: within the 60 s grace, and beyond it. */
    notFoundMs: [10_000, 150_000],
    /** Share of restarts before which the user trades by hand on the exchange. */
    manualTradeShare: 0.2,
    /** Share of those manual trades that sell part of the bot's own coins too. */
    shortfallShare: 0.4,
    /** Seconds the final life waits for every order to become final. */
    settleSeconds: 150,
  },
  quick: {
    restarts: 3,
    randomKill: [1, 2],
    orderWait: 8,
    faultGap: [3, 5],
    priceGap: [0.7, 1.2],
    priceMove: 0.003,
    outageSeconds: 3,
    notFoundMs: [2_000, 4_000],
    manualTradeShare: 0,
    shortfallShare: 0,
    settleSeconds: 12,
  },
};

/**
 * Faults a long run injects at random, with their weights. The quick run injects only those
 * that cannot stop the bot from starting (its start-up reads stay clean, so the restarts fit in
 * its time), and scripts the order faults (see `quickLives`).
 */
const faultWeights = {
  long: [
    ['latency', 3],
    ['429 storm', 2],
    ['418 ban', 1],
    ['5xx', 3],
    ['hang', 1],
    ['lose-response', 2],
    ['drop-order', 1],
    ['not-found', 1],
    ['partial-fill', 2],
    ['reject', 1],
    ['clock-skew', 1],
    ['malformed', 1],
    // The over-sell scenarios: an exit whose answer is lost while "not found" lasts beyond the
    // grace window, and an exit FILLED while myTrades fails; the price is dropped through a stop.
    ['exit lost, not found', 4],
    ['exit filled, myTrades failing', 3],
  ],
  quick: [
    ['429 storm', 1],
    ['5xx', 2],
  ],
};
/** Market-data routes, which the bot's start-up and reconciliation do not read. */
const marketRoutes = ['GET /api/v3/klines', 'GET /api/v3/ticker/24hr', 'GET /api/v3/depth'];
/** What the quick run's random faults hit: candles and the book (prices stay readable). */
const quickRoutes = ['GET /api/v3/klines', 'GET /api/v3/depth'];
/** Every read route the bot uses. */
const allRoutes = [
  ...marketRoutes,
  'GET /api/v3/openOrders',
  'GET /api/v3/myTrades',
  'GET /api/v3/order',
  'GET /api/v3/account',
  'GET /api/v3/exchangeInfo',
];

/**
 * The quick run's lives, scripted so that a few restarts cover the crash windows: the first
 * entry is accepted by the exchange and the bot killed before the answer (with a partial fill);
 * the next start finds it by its client id and sends the other entries, one with its answer
 * lost and "not found" for a while; a halt, a kill while halted, a restart that must stay halted; reducing,
 * with exits only, and a kill right after an exit reached the exchange; the final life resumes.
 */
const quickLives = [
  {
    mode: 'order-accepted-reply-held',
    faults: [{ kind: 'partial-fill', ratio: 0.5, times: 1 }],
  },
  {
    mode: 'random',
    faults: [
      { kind: 'lose-response', times: 1 },
      { kind: 'not-found', forMs: 3000 },
    ],
    change: { route: '/halt', afterOrders: 2, maxSeconds: 8 },
  },
  { mode: 'order-reply-race', change: { route: '/reduce' }, outage: true, manualTrade: true },
  { mode: 'final', change: { route: '/resume' } },
];

/** Core's seeded generator (mulberry32) with helpers, so a seed replays the same schedule. */
function seededRandom(seed) {
  const next = coreRandom(seed);
  return {
    next,
    between: (low, high) => low + (high - low) * next(),
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    gaussian: () =>
      Math.sqrt(-2 * Math.log(Math.max(next(), 1e-12))) * Math.cos(2 * Math.PI * next()),
    weighted(entries) {
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) return value;
      }
      return entries[entries.length - 1][0];
    },
  };
}

const toTick = (price) => Math.round(price * 100) / 100;

/**
 * 1m candles from `first` (an open time): a noisy swing of about ±1.2% around the market's
 * price, with a seeded random period and noise, peaking five candles before `startAt` so that
 * the candles around the start fall. On such candles `grid_trading` (a 10-line grid over the
 * 48-candle range) crosses a line on most candles: it buys on the way down and sells on the way
 * up, and the stops fire in between.
 */
function swingCandles(random, market, first, count, startAt) {
  const period = random.int(14, 22);
  const amplitude = 0.012;
  const peak = (startAt - first) / minuteMs - 5;
  const level = (index) =>
    market.price *
    (1 + amplitude * Math.cos((2 * Math.PI * (index - peak)) / period)) *
    (1 + 0.0008 * random.gaussian());
  const candles = [];
  let close = toTick(level(-1));
  for (let index = 0; index < count; index++) {
    const open = close;
    close = toTick(level(index));
    const spread = () => 1 + Math.abs(random.gaussian()) * 0.0008;
    const high = Math.max(toTick(Math.max(open, close) * spread()), open, close);
    const low = Math.min(toTick(Math.min(open, close) / spread()), open, close);
    const volume = Math.round((random.between(0.5, 1.5) * 2_000_000 * 1e4) / close) / 1e4;
    candles.push({ time: first + index * minuteMs, open, high, low, close, volume });
  }
  return candles;
}

/** A bot process: its output goes to the log file; `started` resolves with its HTTP URL. */
function startBot(env, cwd, logStream, life) {
  const child = spawn(process.execPath, [mainJs, '--mode', 'live'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  logStream.write(`--- life ${life} pid ${child.pid} at ${new Date().toISOString()}\n`);
  const bot = {
    child,
    pid: child.pid,
    url: null,
    spawnedAt: Date.now(),
    startedAt: null,
    tail: [],
    exit: null,
  };
  let resolveStarted;
  bot.started = new Promise((resolve) => {
    resolveStarted = resolve;
  });
  let partial = '';
  const onData = (chunk) => {
    logStream.write(chunk);
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      bot.tail.push(line);
      if (bot.tail.length > 40) bot.tail.shift();
      if (bot.url === null && line.includes('"bot started"')) {
        try {
          const parsed = JSON.parse(line);
          if (typeof parsed.url === 'string') {
            bot.url = parsed.url;
            bot.startedAt = Date.now();
            resolveStarted(parsed.url);
          }
        } catch {
          // Not a JSON log line.
        }
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  bot.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      bot.exit = { code, signal, at: Date.now() };
      resolveStarted(null);
      resolve(bot.exit);
    });
  });
  return bot;
}

/** POSTs a trading-state change to the bot's HTTP API; resolves when it answered 200. */
async function changeState(bot, route, reason) {
  const response = await globalThis.fetch(`${bot.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${httpToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ reason }),
    signal: globalThis.AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${route} answered ${response.status}: ${text}`);
  return JSON.parse(text);
}

async function botStatus(bot) {
  const response = await globalThis.fetch(`${bot.url}/status`, {
    signal: globalThis.AbortSignal.timeout(15_000),
  });
  if (response.status !== 200) throw new Error(`/status answered ${response.status}`);
  return response.json();
}

/** How many times each value occurs. */
function tally(values) {
  const counts = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** The base asset the emulator's trades of our orders leave on a market (fees in it taken off). */
function netOfOurTrades(trades, market) {
  return trades
    .filter((trade) => trade.symbol === market.ccxt && isOurs(trade.clientOrderId))
    .reduce(
      (sum, trade) =>
        sum +
        (trade.side === 'buy'
          ? trade.quantity - (trade.feeAsset === market.base ? trade.fee : 0)
          : -trade.quantity),
      0,
    );
}

/** Rounds for printing. */
const round = (value, digits = 8) => Number(value.toFixed(digits));

function near(a, b) {
  return Math.abs(a - b) <= 1e-8 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Waits `ms`; resolves early (without error) when `signal` aborts. */
function pause(ms, signal) {
  return sleep(ms, undefined, { signal }).catch((error) => {
    if (error?.name !== 'AbortError') throw error;
  });
}

/** A timeout for a race that does not keep the process alive. */
function deadline(ms, value) {
  return sleep(ms, value, { ref: false });
}

/**
 * Runs the chaos scenario and checks the invariants. A failed invariant does not throw: the
 * report says which failed. It throws when the run itself cannot go on (the bot never starts,
 * its HTTP API refuses a state change).
 *
 * @param {object} [options]
 * @param {boolean} [options.quick] the short version (3 restarts, under a minute)
 * @param {number} [options.restarts] SIGKILLs of the bot (default 50; quick 3)
 * @param {number} [options.seed] seed of the schedule and the candles (default 1)
 * @param {boolean} [options.keep] keep the work directory even when every invariant holds
 * @param {(line: string) => void} [options.log] progress lines (default stderr)
 * @param {AbortSignal} [options.signal] ends the run: the bot is killed, the run throws
 */
export async function runChaos(options = {}) {
  const quick = options.quick === true;
  const profile = quick ? profiles.quick : profiles.long;
  const restarts = options.restarts ?? profile.restarts;
  const seed = options.seed ?? 1;
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  if (!Number.isSafeInteger(restarts) || restarts < 1) {
    throw new RangeError(`restarts must be a whole number >= 1, got ${restarts}`);
  }
  if (quick && restarts !== quickLives.length - 1) {
    throw new RangeError(`the quick run has ${quickLives.length - 1} restarts, not ${restarts}`);
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a whole number >= 0, got ${seed}`);
  }
  const random = seededRandom(seed);
  const runStart = Date.now();
  const say = (text) => log(`[chaos +${((Date.now() - runStart) / 1000).toFixed(1)}s] ${text}`);

  const dir = await mkdtemp(join(tmpdir(), 'lumenlink-chaos-'));
  const dbPath = join(dir, 'bot.db');
  const logPath = join(dir, 'bot.log');
  const logStream = createWriteStream(logPath);

  // Candles: 400 closed before the start (the bot fetches the last 300), and a day ahead.
  const startMinute = Math.floor(runStart / minuteMs) * minuteMs;
  const firstOpen = startMinute - 400 * minuteMs;
  const series = new Map(
    markets.map((market, index) => [
      market.symbol,
      swingCandles(
        seededRandom(seed * 31 + index + 1),
        market,
        firstOpen,
        400 + 24 * 60,
        startMinute,
      ),
    ]),
  );
  const emulator = await startExchangeEmulator({
    apiKey,
    secret: apiSecret,
    balances: ownBalances,
    candles: Object.fromEntries(markets.map((market) => [market.ccxt, series.get(market.symbol)])),
  });
  say(`emulator at ${emulator.url}; seed ${seed}; ${restarts} restarts; work dir ${dir}`);
  // As after `pnpm fetch-history`: the last hour of closed candles is stored, so the strategy
  // warms up on its first run (the bot then fetches the last 300 itself).
  let seeding;
  try {
    seeding = await openStore({ path: dbPath });
    for (const market of markets) {
      const closed = series
        .get(market.symbol)
        .filter(
          (candle) => candle.time < startMinute && candle.time >= startMinute - 60 * minuteMs,
        );
      await seeding.candles.saveCandles(market.symbol, '1m', closed);
    }
  } catch (error) {
    await emulator.close();
    throw error;
  } finally {
    await seeding?.close();
  }

  const env = {
    PATH: process.env.PATH ?? '',
    MODE: 'live',
    ALLOW_LIVE_TRADING: 'true',
    KILL_SWITCH: 'false',
    EXCHANGE: 'binance',
    EXCHANGE_API_URL: emulator.url,
    EXCHANGE_API_KEY: apiKey,
    EXCHANGE_API_SECRET: apiSecret,
    SYMBOLS: markets.map((market) => market.symbol).join(','),
    INTERVAL: '1m',
    STRATEGY: 'grid_trading',
    DB_PATH: dbPath,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    HTTP_TOKEN: httpToken,
    LOG_LEVEL: 'info',
    DATA_POLLING_MS: '1000',
    POLL_INTERVAL_MS: '1000',
    RECONCILE_INTERVAL_MS: '2000',
    SENTIMENT_INTERVAL_MS: '3600000',
    RISK_MAX_POSITION_USD: '3000',
    RISK_MAX_OPEN_POSITIONS: '3',
    RISK_MAX_DAILY_LOSS_USD: '1000000',
    RISK_COOLDOWN_MINUTES: '0',
    GUARD_MAX_SPREAD_BPS: '500',
    GUARD_MAX_SLIPPAGE_BPS: '500',
    SIGNAL_COOLDOWN_MS: '0',
    STOP_LOSS_PCT: '1.5',
    TAKE_PROFIT_PCT: '1',
  };

  const figures = {
    kills: 0,
    killModes: {},
    startFailures: 0,
    unplannedExits: 0,
    lives: 0,
    faults: {},
    priceMoves: 0,
    provokedDrops: 0,
    /** Trades the user made by hand on the exchange while the bot was down. */
    manualTrades: [],
    /** Open orders placed with client ids that look like ours but are not. */
    forgedOrders: [],
    /** Manual sales of part of the bot's own coins (each must pause its symbol). */
    shortfallSales: [],
    /** Symbols an operator resumed over HTTP after such a sale (the rest written off). */
    resumedSymbols: [],
    /** Failed starts on a clean exchange (no fault, no outage): stored state refused. */
    cleanStartFailures: [],
    halted: { windows: 0, seconds: 0, restartsInside: 0 },
    reducing: { windows: 0, seconds: 0, restartsInside: 0 },
    startSeconds: [],
  };
  const count = (table, key) => {
    table[key] = (table[key] ?? 0) + 1;
  };
  /** Trading-state windows: from the answer to the change until the request that ended it. */
  const windows = [];
  let openWindow = null;
  const background = new globalThis.AbortController();
  const { signal } = background;
  let bot = null;
  let stopAt = null;
  let finalExit = null;
  const onInterrupt = () => {
    background.abort();
    if (bot !== null && bot.exit === null) bot.child.kill('SIGKILL');
  };
  options.signal?.addEventListener('abort', onInterrupt, { once: true });
  const interrupted = () => {
    if (options.signal?.aborted === true) throw new Error('interrupted');
  };

  const currentCandle = (market) =>
    series.get(market.symbol)[Math.floor((Date.now() - firstOpen) / minuteMs)];
  /**
   * Symbols sold short by hand while the bot was down: the operator resumes them (tried for up
   * to five lives each).
   */
  const toResume = new Map();
  /**
   * As an operator would: once the running bot has paused a symbol for the manual sale, resume
   * it over HTTP (the coins the exchange no longer holds are written off). A symbol not paused
   * within 20 s is tried again in the next lives.
   */
  const resumePaused = async (life) => {
    for (const symbol of [...toResume.keys()]) {
      const until = Date.now() + 20_000;
      let paused = false;
      while (Date.now() < until && bot.exit === null) {
        try {
          paused = (await botStatus(bot)).pausedSymbols.some((pause) => pause.symbol === symbol);
        } catch {
          paused = false;
        }
        if (paused) break;
        await sleep(250);
      }
      if (!paused || bot.exit !== null) {
        // Not paused yet (a sell of it in flight defers the check): try again in later lives.
        const lives = (toResume.get(symbol) ?? 1) - 1;
        if (lives <= 0) toResume.delete(symbol);
        else toResume.set(symbol, lives);
        continue;
      }
      try {
        const answer = await globalThis.fetch(`${bot.url}/resume`, {
          method: 'POST',
          headers: { authorization: `Bearer ${httpToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ symbol, reason: 'chaos: the user sold by hand' }),
          signal: globalThis.AbortSignal.timeout(15_000),
        });
        const text = await answer.text();
        if (answer.status === 200) {
          toResume.delete(symbol);
          figures.resumedSymbols.push({
            life,
            symbol,
            writtenOff: JSON.parse(text).resumed?.writtenOff?.quantity ?? 0,
          });
          say(`life ${life}: resumed ${symbol} over HTTP: ${text}`);
        } else {
          say(`life ${life}: resume of ${symbol} answered ${answer.status}: ${text}`);
        }
      } catch (error) {
        say(
          `life ${life}: resume of ${symbol} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  };
  /** Symbols whose price the runner holds down (to provoke an exit); the mover skips them. */
  const heldDown = new Set();
  /**
   * Drops the price of a symbol the account holds by 3%, through its stop-loss: the bot's tick
   * check sends an exit within a second or two (the order a kill is waiting for).
   */
  const provokeExit = () => {
    const held = markets.filter((market) => botHolds(market) >= market.step);
    if (held.length === 0) return null;
    const market = random.pick(held);
    heldDown.add(market.symbol);
    emulator.setPrice(market.ccxt, toTick(currentCandle(market).close * 0.97));
    figures.provokedDrops += 1;
    return market.symbol;
  };
  /** What the bot's own trades hold of a market's base asset (the account holds more). */
  const botHolds = (market) => netOfOurTrades(emulator.trades(), market);
  const floorToStep = (quantity, step) => Math.floor(quantity / step + 1e-9) * step;
  /**
   * While the bot is down, the user trades by hand: sells part of the account's own coins of a
   * market (never the bot's: a sale of those is the engine test's scenario, which pauses the
   * symbol), or buys some; and places an open order whose client id looks like ours but is not
   * (`llFORGED...`, or `ll` + 30 upper-case characters), which must never be adopted.
   */
  const manualTrade = (life) => {
    // Now and then (long run) the user also sells half of what the bot holds: the restart must
    // pause the symbol, and the operator resumes it (the missing coins are written off).
    const holding = markets.filter((candidate) => botHolds(candidate) >= candidate.step * 10);
    const shortfall = !quick && holding.length > 0 && random.next() < profile.shortfallShare;
    const market = shortfall ? random.pick(holding) : random.pick(markets);
    const balances = emulator.balances();
    const own = (balances[market.base]?.free ?? 0) - Math.max(0, botHolds(market));
    const price = emulator.price(market.ccxt);
    const sell = shortfall || (random.next() < 0.7 && own > market.step * 20);
    const wanted = shortfall
      ? Math.max(0, own) + botHolds(market) / 2
      : sell
        ? own * random.between(0.2, 0.6)
        : 1_000 / price;
    const quantity = Number(
      floorToStep(Math.min(wanted, balances[market.base]?.free ?? 0), market.step).toFixed(8),
    );
    if (shortfall && quantity >= market.step) {
      figures.shortfallSales.push({ life, symbol: market.symbol });
      toResume.set(market.symbol, 5);
    }
    // The exchange may refuse a hand-made order (below its minimum notional, say): as for a
    // user, nothing happens then.
    const place = (order) => {
      try {
        return emulator.placeOrder(order);
      } catch (error) {
        say(
          `life ${life}: the exchange refused the user's order: ${error instanceof Error ? error.message : String(error)}`,
        );
        return null;
      }
    };
    if (quantity >= market.step) {
      const order = place({
        symbol: market.ccxt,
        side: sell ? 'sell' : 'buy',
        type: 'market',
        quantity,
        clientOrderId: `web_manual_${life}`,
      });
      if (order !== null) {
        figures.manualTrades.push({ life, symbol: market.symbol, side: order.side, quantity });
      } else if (shortfall) {
        figures.shortfallSales.pop();
        toResume.delete(market.symbol);
      }
    }
    const forged =
      random.next() < 0.5
        ? `llFORGED${life}x${random.int(1_000, 9_999)}`
        : `ll${Array.from({ length: 30 }, () => random.pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'])).join('')}`;
    const forgedOrder = place({
      symbol: market.ccxt,
      side: 'buy',
      type: 'limit',
      price: toTick(price * 0.5),
      quantity: Number(
        floorToStep(Math.max(market.step * 100, 20 / (price * 0.5)), market.step).toFixed(8),
      ),
      clientOrderId: forged,
    });
    if (forgedOrder !== null) figures.forgedOrders.push(forged);
  };

  // Prices move between candles: each symbol around its current candle's close.
  const mover = (async () => {
    while (!signal.aborted) {
      await pause(random.between(...profile.priceGap) * 1000, signal);
      if (signal.aborted) break;
      for (const market of markets) {
        const candle = currentCandle(market);
        if (candle === undefined || heldDown.has(market.symbol)) continue;
        emulator.setPrice(
          market.ccxt,
          toTick(candle.close * (1 + profile.priceMove * random.gaussian())),
        );
        figures.priceMoves += 1;
      }
    }
  })();

  // Faults, one at a time; a window fault (outage, "not found") ends with clearFaults.
  let outageWanted = false;
  let outageActive = false;
  /** Faults injected since the last clear: a start that fails without one is the bot's fault. */
  let faultsActive = 0;
  const inject = (name, fault) => {
    count(figures.faults, name);
    faultsActive += 1;
    emulator.inject(fault);
  };
  const clearFaults = () => {
    faultsActive = 0;
    emulator.clearFaults();
  };
  const faulter = (async () => {
    while (!signal.aborted) {
      await pause(random.between(...profile.faultGap) * 1000, signal);
      if (signal.aborted) break;
      if (outageWanted) {
        outageWanted = false;
        outageActive = true;
        say(`outage: every exchange route answers 503 for ${profile.outageSeconds} s`);
        inject('outage (503 on every route)', { kind: 'status', status: 503 });
        await pause(profile.outageSeconds * 1000, signal);
        clearFaults();
        outageActive = false;
        say('outage over');
        continue;
      }
      // Faults go to a running bot: injected while it is down, they would all meet its next
      // start-up (its first requests), and it would fail to start again and again.
      if (bot === null || bot.url === null || bot.exit !== null) continue;
      const routes = quick ? quickRoutes : allRoutes;
      const kind = random.weighted(faultWeights[quick ? 'quick' : 'long']);
      switch (kind) {
        case 'latency':
          inject(kind, {
            kind: 'latency',
            ms: random.int(300, 3000),
            times: random.int(3, 15),
            ...(quick ? { route: random.pick(routes) } : {}),
          });
          break;
        case '429 storm':
          inject(kind, {
            kind: 'status',
            status: 429,
            retryAfterSeconds: 1,
            times: quick ? random.int(2, 5) : random.int(3, 12),
            ...(quick || random.next() < 0.5 ? { route: random.pick(routes) } : {}),
          });
          break;
        case '418 ban':
          inject(kind, {
            kind: 'status',
            status: 418,
            retryAfterSeconds: 2,
            times: random.int(2, 6),
          });
          break;
        case '5xx':
          inject(kind, {
            kind: 'status',
            status: random.pick([500, 503]),
            times: random.int(1, 4),
            ...(quick || random.next() < 0.5 ? { route: random.pick(routes) } : {}),
          });
          break;
        case 'hang':
          inject(kind, { kind: 'hang', route: random.pick(routes), times: 1 });
          break;
        case 'lose-response':
          inject(kind, { kind: 'lose-response', times: 1 });
          break;
        case 'drop-order':
          inject(kind, { kind: 'drop-order', times: 1 });
          break;
        case 'not-found': {
          const forMs = random.int(...profile.notFoundMs);
          inject(kind, { kind: 'not-found', forMs });
          // Orders younger than forMs are "not found"; the window lasts a little longer.
          await pause(forMs + random.int(1000, 5000), signal);
          clearFaults();
          break;
        }
        case 'partial-fill':
          inject(kind, {
            kind: 'partial-fill',
            ratio: round(random.between(0.2, 0.8), 2),
            times: random.int(1, 2),
          });
          break;
        case 'reject':
          inject(
            kind,
            random.next() < 0.5
              ? {
                  kind: 'reject',
                  code: -2010,
                  msg: 'Account has insufficient balance for requested action.',
                  times: 1,
                }
              : { kind: 'reject', code: -1013, msg: 'Filter failure: LOT_SIZE', times: 1 },
          );
          break;
        case 'clock-skew':
          inject(kind, { kind: 'clock-skew', times: random.int(1, 3) });
          break;
        case 'exit lost, not found': {
          // The next order's answer is lost, and fresh orders are "not found" for a while, often
          // beyond the 60 s grace window, while the price sits below a position's stop.
          const forMs = random.int(...profile.notFoundMs);
          inject(kind, { kind: 'lose-response', times: 1 });
          emulator.inject({ kind: 'not-found', forMs });
          const held = provokeExit();
          await pause(forMs + random.int(1000, 5000), signal);
          if (held !== null) heldDown.delete(held);
          clearFaults();
          break;
        }
        case 'exit filled, myTrades failing': {
          inject(kind, {
            kind: 'status',
            status: 503,
            route: 'GET /api/v3/myTrades',
            times: random.int(15, 60),
          });
          const held = provokeExit();
          await pause(random.between(5, 20) * 1000, signal);
          if (held !== null) heldDown.delete(held);
          break;
        }
        case 'malformed':
          inject(kind, {
            kind: 'malformed',
            route: random.pick([
              'GET /api/v3/ticker/24hr',
              'GET /api/v3/klines',
              'GET /api/v3/depth',
            ]),
            body: '{"truncated": [1, 2',
            times: random.int(1, 2),
          });
          break;
      }
    }
  })();

  const ordersOnExchange = () => emulator.orders().length;

  /**
   * After a failed start (a fault met its start-up reads), the next start meets a clean exchange
   * (as a supervisor's restart would, once the incident passed), except during the outage.
   */
  const afterFailedStart = (rearm) => {
    if (outageActive) return;
    clearFaults();
    rearm?.();
  };

  /** Starts the bot, again while it fails to start (an outage); resolves once it runs. */
  const launch = async (life, rearm) => {
    for (;;) {
      interrupted();
      bot = startBot(env, dir, logStream, life);
      const url = await Promise.race([bot.started, deadline(120_000, 'timeout')]);
      if (url === 'timeout') {
        bot.child.kill('SIGKILL');
        await bot.exited;
        throw new Error(`the bot did not start within 120 s:\n${bot.tail.join('\n')}`);
      }
      if (url !== null) {
        figures.startSeconds.push((bot.startedAt - bot.spawnedAt) / 1000);
        return;
      }
      figures.startFailures += 1;
      const reason = bot.tail.filter((line) => !line.startsWith('{')).at(-1) ?? '';
      if (faultsActive === 0 && !outageActive) figures.cleanStartFailures.push(reason);
      say(`life ${life}: the bot exited while starting (code ${bot.exit.code}): ${reason}`);
      afterFailedStart(rearm);
      if (figures.startFailures > restarts * 3 + 10) {
        throw new Error(`the bot keeps failing to start:\n${bot.tail.join('\n')}`);
      }
      await sleep(500);
    }
  };

  /** Changes the trading state over HTTP; a window opens when the bot answered. */
  const changeTo = async (route, life) => {
    const state = { '/halt': 'halted', '/reduce': 'reducing', '/resume': 'active' }[route];
    const sentAt = Date.now();
    if (openWindow !== null) {
      windows.push({ ...openWindow, to: sentAt });
      figures[openWindow.state].seconds += (sentAt - openWindow.from) / 1000;
      openWindow = null;
    }
    const answer = await changeState(bot, route, `chaos ${route}`);
    if (state !== 'active') {
      openWindow = { state, from: Date.now() };
      figures[state].windows += 1;
    }
    say(`life ${life}: ${route}: ${answer.tradingState?.state ?? JSON.stringify(answer)}`);
  };

  // The plan by restarts done so far (a life that ends without a kill, a failed start in a
  // kill-during-start life or an exit by itself, does not count): the long run halts for four
  // restarts, later reduces for four, then has its outage. Each change happens once.
  const halt = Math.round(restarts * 0.2);
  const reduce = Math.round(restarts * 0.5);
  const applied = new Set();
  const once = (key, value) => (applied.has(key) ? undefined : value);
  const plan = (done) => {
    if (quick) {
      const { change, outage, ...life } = quickLives[done];
      return {
        ...life,
        ...(change === undefined ? {} : { change: once(`change ${done}`, change) }),
        ...(outage === true ? { outage: once('outage', true) } : {}),
      };
    }
    if (done >= restarts) return { mode: 'final' };
    const change = once(
      `change ${done}`,
      done === halt
        ? { route: '/halt' }
        : done === reduce
          ? { route: '/reduce' }
          : done === halt + 4 || done === reduce + 4
            ? { route: '/resume' }
            : undefined,
    );
    // While halted no order comes: no kill waits for one.
    const halted =
      change?.route === '/halt' || (openWindow?.state === 'halted' && change?.route !== '/resume');
    const outage = done >= Math.round(restarts * 0.75) ? once('outage', true) : undefined;
    const mode = random.weighted([
      ['order-accepted-reply-held', halted ? 0 : 3],
      ['order-reply-race', halted ? 0 : 2],
      // A life killed during its start would skip a change or the outage planned for it.
      ['during-start', change === undefined && outage === undefined ? 1.5 : 0],
      ['random', 3.5],
    ]);
    return {
      mode,
      change,
      outage,
      manualTrade: done > 0 && random.next() < profile.manualTradeShare,
    };
  };

  let failure = null;
  try {
    for (let life = 0; ; life++) {
      interrupted();
      const done = figures.kills;
      if (life > restarts * 4 + 20) {
        throw new Error(`${life} lives gave only ${done} kills: the bot keeps exiting by itself`);
      }
      const { mode, faults = [], change, outage, manualTrade: trades } = plan(done);
      if (trades === true && !applied.has(`manual ${done}`)) {
        applied.add(`manual ${done}`);
        manualTrade(life);
        say(`life ${life}: the user traded by hand on the exchange and placed a forged order`);
      }
      figures.lives += 1;
      const killed = (how) => {
        figures.kills += 1;
        count(figures.killModes, how);
        if (openWindow !== null) figures[openWindow.state].restartsInside += 1;
      };
      const arm = () => {
        for (const fault of faults) inject(`${fault.kind} (scripted)`, fault);
        if (mode === 'order-accepted-reply-held') {
          inject('delay-reply (before a kill)', {
            kind: 'delay-reply',
            ms: 8000,
            route: 'POST /api/v3/order',
            times: 1,
          });
        }
      };
      arm();
      if (mode === 'during-start') {
        bot = startBot(env, dir, logStream, life);
        await Promise.race([bot.exited, sleep(random.between(0.3, 5) * 1000)]);
        if (bot.exit !== null) {
          figures.startFailures += 1;
          afterFailedStart();
          continue;
        }
        const how = bot.url === null ? 'during-start' : 'just-after-start';
        bot.child.kill('SIGKILL');
        await bot.exited;
        killed(how);
        say(`life ${life}: SIGKILL (${how})`);
        continue;
      }
      const spawnedAt = Date.now();
      const ordersAtStart = ordersOnExchange();
      await launch(life, arm);
      say(
        `life ${life}: running after ${((bot.startedAt - spawnedAt) / 1000).toFixed(1)} s (${mode})`,
      );
      if (outage === true) {
        outageWanted = true;
        applied.add('outage');
      }
      if (toResume.size > 0) await resumePaused(life);
      if (change !== undefined) {
        // A change may wait for orders first (the entries of the quick run's second life).
        const until = Date.now() + (change.maxSeconds ?? 0) * 1000;
        while (
          ordersOnExchange() < ordersAtStart + (change.afterOrders ?? 0) &&
          Date.now() < until &&
          bot.exit === null
        ) {
          await sleep(10);
        }
        if (bot.exit === null) {
          await changeTo(change.route, life);
          applied.add(`change ${done}`);
        }
      }
      if (mode === 'final') break;

      const before = ordersOnExchange();
      let killAfterMs = 0;
      if (mode === 'order-accepted-reply-held' || mode === 'order-reply-race') {
        const waitFrom = Date.now();
        const until = waitFrom + profile.orderWait * 1000;
        while (ordersOnExchange() === before && Date.now() < until && bot.exit === null) {
          // Once the bot trades (a second or two after its start), an exit is provoked.
          if (heldDown.size === 0 && Date.now() > waitFrom + 1500) provokeExit();
          await sleep(10);
        }
        heldDown.clear();
        if (ordersOnExchange() === before) count(figures.killModes, `${mode}: no order came`);
        else if (mode === 'order-reply-race') killAfterMs = random.int(0, 60);
      } else {
        killAfterMs = random.between(...profile.randomKill) * 1000;
      }
      if (killAfterMs > 0) await Promise.race([bot.exited, sleep(killAfterMs)]);
      if (bot.exit !== null) {
        figures.unplannedExits += 1;
        say(
          `life ${life}: the bot exited by itself (code ${bot.exit.code}):\n${bot.tail.join('\n')}`,
        );
        continue;
      }
      bot.child.kill('SIGKILL');
      await bot.exited;
      killed(mode);
      say(`life ${life}: SIGKILL (${mode}); orders on the exchange: ${ordersOnExchange()}`);
    }

    // The end: no more faults or price moves; every order settles; a clean stop.
    background.abort();
    await Promise.all([mover, faulter]);
    clearFaults();
    for (const market of markets) {
      // One more move: the rest of a partially filled market order fills.
      emulator.setPrice(market.ccxt, toTick(emulator.price(market.ccxt) * 1.0005));
    }
    if (openWindow?.state !== 'halted') await changeTo('/halt', figures.lives - 1);
    const settleUntil = Date.now() + profile.settleSeconds * 1000;
    let open = null;
    while (Date.now() < settleUntil) {
      interrupted();
      try {
        open = (await botStatus(bot)).openOrders.length;
        if (open === 0) break;
      } catch (error) {
        say(`/status while settling: ${error instanceof Error ? error.message : String(error)}`);
      }
      await sleep(1000);
    }
    say(`settled with ${open ?? '?'} open orders; SIGTERM`);
    stopAt = Date.now();
    bot.child.kill('SIGTERM');
    finalExit = await Promise.race([bot.exited, deadline(30_000, null)]);
    if (finalExit === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    windows.push({ ...openWindow, to: Number.POSITIVE_INFINITY });
    figures.halted.seconds += (stopAt - openWindow.from) / 1000;
    openWindow = null;
  } catch (error) {
    failure = error;
  } finally {
    options.signal?.removeEventListener('abort', onInterrupt);
    background.abort();
    if (bot !== null && bot.exit === null) {
      bot.child.kill('SIGKILL');
      await bot.exited;
    }
    await Promise.allSettled([mover, faulter]);
  }
  await new Promise((resolve) => logStream.end(resolve));
  if (failure !== null) {
    await emulator.close();
    say(`the run broke; the bot's log is in ${logPath}`);
    throw failure;
  }

  let report;
  try {
    report = await checkInvariants({
      dir,
      emulator,
      dbPath,
      series,
      windows,
      runStart,
      stopAt,
      finalExit,
      figures,
    });
  } finally {
    await emulator.close();
  }
  report.figures = { seed, mode: quick ? 'quick' : 'long', ...report.figures };
  report.workDir = dir;
  if (report.passed && options.keep !== true) {
    await rm(dir, { recursive: true, force: true });
  } else {
    say(`the database and the bot's log are kept in ${dir}`);
  }
  return report;
}

/** Reads the store and the emulator and checks every invariant. */
async function checkInvariants({
  dir,
  emulator,
  dbPath,
  series,
  windows,
  runStart,
  stopAt,
  finalExit,
  figures,
}) {
  const store = await openStore({ path: dbPath });
  let orders;
  let fills;
  let positions;
  let adjustments;
  let pausedAtEnd;
  const candles = new Map();
  const gaps = new Map();
  const decisions = [];
  try {
    orders = await store.orders.listOrders();
    fills = await store.orders.listFills();
    positions = await store.portfolio.listPositions();
    adjustments = await store.runtime.listPositionAdjustments();
    pausedAtEnd = (await store.runtime.listSymbolPauses()).filter(
      (pause) => pause.resumedAt === null || pause.resumedAt === undefined,
    );
    for (const market of markets) {
      const stored = await store.candles.getCandles(
        market.symbol,
        '1m',
        0,
        Number.MAX_SAFE_INTEGER,
      );
      candles.set(market.symbol, stored);
      const first = stored[0]?.time ?? 0;
      const last = stored.at(-1)?.time ?? 0;
      gaps.set(market.symbol, await store.candles.findGaps(market.symbol, '1m', first, last));
      decisions.push(...(await store.decisions.recentDecisions(market.symbol, 1_000_000)));
    }
  } finally {
    await store.close();
  }

  const requests = emulator.requests();
  const exchangeOrders = emulator.orders();
  const trades = emulator.trades();
  // What the checks read from the emulator, kept next to the database for a post-mortem.
  await writeFile(
    join(dir, 'emulator.json'),
    JSON.stringify({ windows, orders: exchangeOrders, trades, requests }),
  );
  const invariants = [];
  const check = (name, pass, detail) => invariants.push({ name, pass, detail });

  // (a) No client id sent twice: every POST /api/v3/order counts, answered or not.
  const posts = requests.filter(
    (request) => request.method === 'POST' && request.path === '/api/v3/order',
  );
  const postsPerId = new Map();
  for (const post of posts) {
    const id = post.body.newClientOrderId ?? '';
    postsPerId.set(id, (postsPerId.get(id) ?? 0) + 1);
  }
  const resent = [...postsPerId].filter(([, sent]) => sent > 1);
  const local = new Map(orders.map((order) => [order.clientOrderId, order]));
  const sentWithoutRow = [...postsPerId.keys()].filter((id) => !local.has(id));
  check(
    '(a) no client order id sent twice; every order sent had its row stored first',
    resent.length === 0 && sentWithoutRow.length === 0 && !postsPerId.has(''),
    {
      orderPosts: posts.length,
      distinctClientIds: postsPerId.size,
      sentMoreThanOnce: resent.length,
      sentWithoutStoredRow: sentWithoutRow.length,
      ...(resent.length > 0 ? { examples: resent.slice(0, 5) } : {}),
      ...(sentWithoutRow.length > 0 ? { unknownIds: sentWithoutRow.slice(0, 5) } : {}),
    },
  );

  // (b) Every exchange order of ours maps to exactly one local row, with the same fill.
  const ours = exchangeOrders.filter((order) => isOurs(order.clientOrderId));
  const unmapped = ours.filter((order) => !local.has(order.clientOrderId));
  const byClientId = new Map();
  for (const order of ours)
    byClientId.set(order.clientOrderId, (byClientId.get(order.clientOrderId) ?? 0) + 1);
  const twice = [...byClientId].filter(([, n]) => n > 1);
  const fillDisagrees = ours.filter((order) => {
    const row = local.get(order.clientOrderId);
    return row !== undefined && !near(row.filledQuantity, order.filled);
  });
  const exchangeStatus = {
    NEW: 'open',
    PARTIALLY_FILLED: 'partially_filled',
    FILLED: 'filled',
    CANCELED: 'canceled',
    REJECTED: 'rejected',
    EXPIRED: 'expired',
  };
  const statusDisagrees = ours.filter((order) => {
    const row = local.get(order.clientOrderId);
    return row !== undefined && row.status !== exchangeStatus[order.status];
  });
  const adopted = orders.filter((order) => order.strategy === 'adopted');
  check(
    '(b) every exchange order of ours (exact id format) maps to exactly one local row (same status and fill)',
    unmapped.length === 0 &&
      twice.length === 0 &&
      fillDisagrees.length === 0 &&
      statusDisagrees.length === 0,
    {
      exchangeOrders: ours.length,
      localRows: orders.length,
      unmapped: unmapped.length,
      exchangeOrdersSharingAnId: twice.length,
      filledQuantityDiffers: fillDisagrees.length,
      statusDiffers: statusDisagrees.length,
      adoptedByReconciliation: adopted.length,
      ...(statusDisagrees.length + fillDisagrees.length > 0
        ? {
            examples: [...statusDisagrees, ...fillDisagrees].slice(0, 5).map((order) => ({
              clientOrderId: order.clientOrderId,
              exchange: `${order.status} ${order.filled}`,
              local: `${local.get(order.clientOrderId).status} ${local.get(order.clientOrderId).filledQuantity}`,
            })),
          }
        : {}),
    },
  );

  // (c) Positions equal the sum of fills: the emulator's trades, the stored fills, the portfolio.
  const perSymbol = {};
  const overSells = [];
  let positionsAgree = true;
  const tradeIds = new Set(
    trades.filter((trade) => isOurs(trade.clientOrderId)).map((trade) => String(trade.id)),
  );
  const storedTradeIds = new Set(fills.map((fill) => fill.tradeId));
  for (const market of markets) {
    const exchangeNet = netOfOurTrades(trades, market);
    // The portfolio is rebuilt from the stored fills in time order, fees in the quote currency;
    // a sale that leaves less than one amount step (it can never be sold) closes the position
    // (dust written off). No sale may exceed what the position holds: that is an over-sell.
    const symbolFills = fills
      .filter((fill) => fill.symbol === market.symbol)
      .sort((a, b) => a.time - b.time)
      .map((fill) => inQuoteFees(fill));
    let storedNet = 0;
    let replayed = 0;
    let writtenOff = 0;
    let operatorWriteOffs = 0;
    // Operators' write-offs (after a manual sale) follow the fill they were made after.
    const writeOffs = adjustments.filter((adjustment) => adjustment.symbol === market.symbol);
    const writeOffAfter = (tradeId) => {
      for (const adjustment of writeOffs.filter((item) => item.afterTradeId === tradeId)) {
        const quantity = Math.min(adjustment.quantity, replayed);
        operatorWriteOffs += quantity;
        const rest = replayed - quantity;
        replayed = rest <= replayed * 1e-9 || rest < market.step * (1 - 1e-9) ? 0 : rest;
      }
    };
    for (const fill of symbolFills) {
      if (fill.side === 'buy') {
        storedNet += fill.quantity;
        replayed += fill.quantity;
        writeOffAfter(fill.tradeId);
        continue;
      }
      storedNet -= fill.quantity;
      const rest = replayed - fill.quantity;
      if (rest < -market.step / 2) {
        overSells.push({
          symbol: market.symbol,
          tradeId: fill.tradeId,
          sold: round(fill.quantity),
          held: round(replayed),
        });
      }
      if (rest <= replayed * 1e-9 || rest < market.step * (1 - 1e-9)) {
        writtenOff += Math.max(0, rest);
        replayed = 0;
      } else {
        replayed = rest;
      }
      writeOffAfter(fill.tradeId);
    }
    const held = positions.find((candidate) => candidate.symbol === market.symbol)?.quantity ?? 0;
    const agree = near(exchangeNet, storedNet) && near(replayed, held);
    if (!agree) positionsAgree = false;
    perSymbol[market.symbol] = {
      exchangeTrades: round(exchangeNet),
      storedFills: round(storedNet),
      portfolio: round(held),
      dustWrittenOff: round(writtenOff, 10),
      ...(operatorWriteOffs > 0 ? { writtenOffByOperator: round(operatorWriteOffs) } : {}),
    };
  }
  const missingTrades = [...tradeIds].filter((id) => !storedTradeIds.has(id));
  check(
    '(c) local positions equal the sum of the exchange fills, per symbol (dust written off)',
    positionsAgree,
    {
      exchangeTrades: tradeIds.size,
      storedFills: fills.length,
      ...perSymbol,
    },
  );

  // (d) and (e): nothing sent while halted, no entry while reducing.
  const inside = (time, window) => time > window.from && time < window.to;
  // A request the bot sent before the change can be read by this process a little after the
  // change's answer: requests count from a second after it (rows count from the answer).
  const arrivedInside = (time, window) => time > window.from + postSlackMs && time < window.to;
  const haltWindows = windows.filter((window) => window.state === 'halted');
  const reduceWindows = windows.filter((window) => window.state === 'reducing');
  const createdWhileHalted = orders.filter((order) =>
    haltWindows.some((w) => inside(order.createdAt, w)),
  );
  const postedWhileHalted = posts.filter((post) =>
    haltWindows.some((w) => arrivedInside(post.time, w)),
  );
  const blockedWhileHalted = decisions.filter(
    (decision) =>
      decision.outcome === 'blocked' && haltWindows.some((w) => inside(decision.decidedAt, w)),
  );
  check(
    '(d) no order created or sent while halted',
    createdWhileHalted.length === 0 && postedWhileHalted.length === 0,
    {
      windows: haltWindows.length,
      seconds: round(figures.halted.seconds, 1),
      restartsWhileHalted: figures.halted.restartsInside,
      ordersCreated: createdWhileHalted.length,
      orderPosts: postedWhileHalted.length,
      signalsBlocked: blockedWhileHalted.length,
    },
  );
  const entriesWhileReducing = orders.filter(
    (order) => order.role === 'entry' && reduceWindows.some((w) => inside(order.createdAt, w)),
  );
  const exitsWhileReducing = orders.filter(
    (order) => order.role !== 'entry' && reduceWindows.some((w) => inside(order.createdAt, w)),
  );
  const buysPostedWhileReducing = posts.filter(
    (post) => post.body.side === 'BUY' && reduceWindows.some((w) => arrivedInside(post.time, w)),
  );
  const blockedWhileReducing = decisions.filter(
    (decision) =>
      decision.outcome === 'blocked' && reduceWindows.some((w) => inside(decision.decidedAt, w)),
  );
  check(
    '(e) no entry while reducing',
    entriesWhileReducing.length === 0 && buysPostedWhileReducing.length === 0,
    {
      windows: reduceWindows.length,
      seconds: round(figures.reducing.seconds, 1),
      restartsWhileReducing: figures.reducing.restartsInside,
      entriesCreated: entriesWhileReducing.length,
      buyPosts: buysPostedWhileReducing.length,
      exitsCreated: exitsWhileReducing.length,
      signalsBlocked: blockedWhileReducing.length,
    },
  );

  // (f) Candles complete after backfill, over the whole run, and equal to the exchange's.
  const candleFigures = {};
  let candlesComplete = true;
  const runFirst = Math.floor(runStart / minuteMs) * minuteMs - minuteMs;
  // The newest candle closed 10 s before the stop (the market-data loop polls every second).
  const runLast = Math.floor((stopAt - 10_000) / minuteMs) * minuteMs - minuteMs;
  for (const market of markets) {
    const stored = candles.get(market.symbol);
    const truth = new Map(series.get(market.symbol).map((candle) => [candle.time, candle]));
    const mismatched = stored.filter((candle) => {
      const expected = truth.get(candle.time);
      return (
        expected === undefined ||
        expected.open !== candle.open ||
        expected.high !== candle.high ||
        expected.low !== candle.low ||
        expected.close !== candle.close ||
        expected.volume !== candle.volume
      );
    });
    const first = stored[0]?.time ?? Number.POSITIVE_INFINITY;
    const last = stored.at(-1)?.time ?? 0;
    const symbolGaps = gaps.get(market.symbol);
    const missing = symbolGaps.reduce((sum, gap) => sum + (gap.to - gap.from) / minuteMs + 1, 0);
    const covers = first <= runFirst && last >= runLast;
    if (!covers || symbolGaps.length > 0 || mismatched.length > 0) candlesComplete = false;
    candleFigures[market.symbol] = {
      stored: stored.length,
      gaps: symbolGaps.length,
      missing,
      differFromExchange: mismatched.length,
      coversRun: covers,
    };
  }
  check(
    '(f) candles complete after backfill (no gap over the run, equal to the exchange)',
    candlesComplete,
    candleFigures,
  );

  // (g) No over-sell: the exchange's balance change per asset equals the stored fills (as the
  // exchange books them, fees in their asset) plus the user's manual trades, and no stored sale
  // sold more than its position held.
  const balances = emulator.balances();
  const assets = ['USDT', ...markets.map((market) => market.base)];
  const change = Object.fromEntries(assets.map((asset) => [asset, 0]));
  const book = (asset, amount) => {
    change[asset] = (change[asset] ?? 0) + amount;
  };
  for (const fill of fills) {
    const market = markets.find((candidate) => candidate.symbol === fill.symbol);
    if (market === undefined) continue;
    const sign = fill.side === 'buy' ? 1 : -1;
    book(market.base, sign * fill.quantity);
    book('USDT', -sign * fill.quantity * fill.price);
    book(fill.feeCurrency, -fill.fee);
  }
  const manualTrades = trades.filter((trade) => !isOurs(trade.clientOrderId));
  for (const trade of manualTrades) {
    const market = markets.find((candidate) => candidate.ccxt === trade.symbol);
    if (market === undefined) continue;
    const sign = trade.side === 'buy' ? 1 : -1;
    book(market.base, sign * trade.quantity);
    book('USDT', -sign * trade.quantity * trade.price);
    book(trade.feeAsset, -trade.fee);
  }
  const balanceRows = {};
  let balancesAgree = true;
  for (const asset of assets) {
    const held = (balances[asset]?.free ?? 0) + (balances[asset]?.locked ?? 0);
    const actual = held - (ownBalances[asset] ?? 0);
    const agrees = Math.abs(actual - change[asset]) <= 1e-6 * Math.max(1, Math.abs(actual));
    if (!agrees) balancesAgree = false;
    balanceRows[asset] = { exchange: round(actual, 6), fillsAndManual: round(change[asset], 6) };
  }
  check(
    '(g) no over-sell: balance change per asset = stored fills + manual trades; no sale beyond its position',
    balancesAgree && overSells.length === 0,
    {
      overSells: overSells.length,
      ...(overSells.length > 0 ? { examples: overSells.slice(0, 5) } : {}),
      manualTrades: manualTrades.length,
      ...balanceRows,
    },
  );

  // (h) No fill missing: every exchange trade of an order of ours is stored, by trade id.
  check(
    '(h) no fill missing: every exchange trade of ours is a stored fill',
    missingTrades.length === 0,
    {
      exchangeTrades: tradeIds.size,
      missing: missingTrades.length,
      ...(missingTrades.length > 0 ? { examples: missingTrades.slice(0, 5) } : {}),
    },
  );

  // (i) No foreign order adopted: only ids of our exact format are stored.
  const foreignStored = orders.filter((order) => !isOurs(order.clientOrderId));
  check(
    '(i) no foreign order adopted (forged ids that look like ours included)',
    foreignStored.length === 0,
    {
      forgedOrdersPlaced: figures.forgedOrders.length,
      foreignRowsStored: foreignStored.length,
      adoptedByReconciliation: adopted.length,
    },
  );

  // (j) No restart failed because of its stored state: a start on a clean exchange succeeds.
  check(
    '(j) no restart fails because of stored state (every start on a clean exchange runs)',
    figures.cleanStartFailures.length === 0,
    {
      startFailures: figures.startFailures,
      onACleanExchange: figures.cleanStartFailures.length,
      ...(figures.cleanStartFailures.length > 0
        ? { reasons: figures.cleanStartFailures.slice(0, 3) }
        : {}),
    },
  );

  check('the final stop (SIGTERM) exits with code 0', finalExit?.code === 0, {
    code: finalExit?.code ?? null,
    signal: finalExit?.signal ?? null,
  });

  const statuses = tally(orders.map((order) => order.status));
  const roles = tally(orders.map((order) => order.role));
  // Rows the exchange never got: an intent stored before a kill landed ahead of its send (the
  // protocol's first step), or one the exchange never accepted. Each must show it never reached
  // the exchange (no POST with its id) and never filled.
  const onExchange = new Set(ours.map((order) => order.clientOrderId));
  const localOnlyOrders = orders
    .filter((order) => !onExchange.has(order.clientOrderId))
    .map((order) => ({
      clientOrderId: order.clientOrderId,
      status: order.status,
      filledQuantity: order.filledQuantity,
      posted: postsPerId.get(order.clientOrderId) ?? 0,
    }));
  const startSeconds = figures.startSeconds;
  const summary = {
    minutes: round((stopAt - runStart) / 60_000, 1),
    restarts: figures.kills,
    killModes: figures.killModes,
    lives: figures.lives,
    startFailures: figures.startFailures,
    unplannedExits: figures.unplannedExits,
    medianStartSeconds: round(
      [...startSeconds].sort((a, b) => a - b)[Math.floor(startSeconds.length / 2)] ?? 0,
      1,
    ),
    exchangeRequests: requests.length,
    ordersSent: posts.length,
    exchangeOrders: ours.length,
    exchangeTrades: tradeIds.size,
    localOrders: orders.length,
    localOnlyOrders,
    localOrdersByStatus: statuses,
    localOrdersByRole: roles,
    decisions: decisions.length,
    decisionsByOutcome: tally(decisions.map((decision) => decision.outcome)),
    // The risk check (or cooldown) that blocked each blocked signal: the note's first word.
    blockedBy: tally(
      decisions
        .filter((decision) => decision.outcome === 'blocked')
        .map((decision) => decision.note.split(':')[0]),
    ),
    faultsInjected: Object.values(figures.faults).reduce((sum, n) => sum + n, 0),
    faults: figures.faults,
    priceMoves: figures.priceMoves,
    provokedDrops: figures.provokedDrops,
    manualTrades: figures.manualTrades.length,
    forgedOrders: figures.forgedOrders.length,
    shortfallSales: figures.shortfallSales.length,
    resumedWithWriteOff: figures.resumedSymbols.length,
    positionWriteOffs: adjustments.length,
    symbolsPausedAtEnd: pausedAtEnd.map((pause) => pause.symbol),
  };
  return { passed: invariants.every((invariant) => invariant.pass), invariants, figures: summary };
}

/** Prints a report: the run's figures, then each invariant with its figures. */
export function formatReport(report) {
  const lines = ['', 'LumenLink chaos run', ''];
  for (const [key, value] of Object.entries(report.figures)) {
    lines.push(`  ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  lines.push('');
  for (const invariant of report.invariants) {
    lines.push(`${invariant.pass ? 'PASS' : 'FAIL'} ${invariant.name}`);
    for (const [key, value] of Object.entries(invariant.detail)) {
      lines.push(
        `       ${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
      );
    }
  }
  lines.push('', report.passed ? 'every invariant holds' : 'an invariant FAILED', '');
  return lines.join('\n');
}

const usage = `Usage: node chaos/run.mjs [--restarts N] [--seed S] [--quick] [--keep]

  --restarts N  SIGKILLs (and restarts) of the bot (default 50; always 3 with --quick)
  --seed S      seed of the fault, kill and price schedule and of the candles (default 1)
  --quick       the short version (under a minute): 3 scripted restarts, a 3 s outage
  --keep        keep the work directory (database, bot log, emulator state) even when every
                invariant holds
`;

/** The command line: parses flags, runs, prints; resolves with the exit code. */
export async function main(argv) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        restarts: { type: 'string' },
        seed: { type: 'string' },
        quick: { type: 'boolean' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const integer = (text, name, min) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      throw new RangeError(
        `--${name} must be a whole number >= ${min}, got ${JSON.stringify(text)}`,
      );
    }
    return value;
  };
  let restarts;
  let seed;
  try {
    restarts = integer(values.restarts, 'restarts', 1);
    seed = integer(values.seed, 'seed', 0);
    if (values.quick === true && restarts !== undefined && restarts !== 3) {
      throw new RangeError('--quick always makes 3 restarts; leave --restarts out');
    }
  } catch (error) {
    process.stderr.write(`${error.message}\n\n${usage}`);
    return 2;
  }
  // Ctrl-C or SIGTERM: the bot is killed, the run ends without a report.
  const interrupt = new globalThis.AbortController();
  const stop = () => interrupt.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const report = await runChaos({
    quick: values.quick === true,
    keep: values.keep === true,
    signal: interrupt.signal,
    ...(restarts === undefined ? {} : { restarts }),
    ...(seed === undefined ? {} : { seed }),
  });
  process.stdout.write(formatReport(report));
  return report.passed ? 0 : 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(
        `chaos run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
