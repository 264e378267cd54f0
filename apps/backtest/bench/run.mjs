/**
 * `pnpm bench` for the backtester: one symbol of seeded random-walk 1m candles (300,000 by
 * default), every case over the same candles, in candles per second. It prints each goal as a
 * `GOAL <PASS|FAIL> <name>: <ratio>x (goal >= <target>x)` line and each correctness check as
 * `CHECK <PASS|FAIL> <name>: <detail>` (the format of docs/benchmarks.md, which the root
 * `pnpm bench` summary collects), the table of rates, and the load average at the start and end.
 *
 * 1. An SMA(10)/SMA(30) crossover with no fees and no slippage, in three implementations:
 *    - the engine's `runBacktest`, with the strategy written here with `defineStrategy` and
 *      `@lumenlink/indicators`' streaming `SMA`; risk cannot interfere (max position 1,000 USDT,
 *      daily loss limit out of reach, protections and trailing stops off);
 *    - a bare hand-written event loop over the columns: the same rules, fills, trades and the
 *      equity marked at every close, as the engine returns them;
 *    - grademark (dev dependency of this bench only), its rules reading a signal column computed
 *      by a plain loop before the run (its fastest use: its `prepIndicators` on data-forge
 *      series is about 4x slower).
 *    The rules (docs/benchmarks.md explains why the cross is confirmed by a second close):
 *    decided on a candle's close with what the position is after that candle's fills; buy when
 *    flat and SMA(10) - SMA(30) was > 0 on this close and the one before and <= 0 on the one
 *    before that; sell when holding and the difference was < 0 on the last two closes and >= 0
 *    before. A buy takes 1,000 USDT at the signal close (quantity 1000 / close), a sell the whole
 *    position; both fill at the next candle's open (the engine's `next-open` fill mode), no fee,
 *    no slippage. A position still open at the end is an open trade (no exit).
 *    The trades must be identical: entry and exit times (the open time of the fill candle) and
 *    prices in all three, and in the engine and the bare loop also the quantities and the final
 *    equity. Goals: the engine at least 0.2x the bare loop and 1x grademark.
 * 2. The same strategy through the engine with the defaults of `pnpm backtest` (fees 10 bps,
 *    slippage 5 bps, 2-ATR trailing stops, protections, risk limits; 10,000 USDT): different
 *    trades, same candles. Goal: at least 0.1x the bare loop of case 1.
 * 3. `advanced_composite` through the engine against a polling baseline: at every candle it
 *    recomputes the strategy's indicators with `@lumenlink/indicators`' batch functions over the
 *    last 250 candles (and the last 250 4h and 1d candles for the timeframe trend), as a bot that
 *    polls its store does. Its cost per candle does not depend on where in the data it is, so it
 *    is timed over the last BENCH_BASELINE_CANDLES candles (default 20,000). Goal: 50x.
 *
 * Cases 1 and 2 run in rounds (BENCH_ROUNDS, default 3): each round times the engine without
 * fees, the bare loop, grademark and the engine with defaults, one after the other, so a change
 * of load hits every case of the round (a case shorter than 0.2 s runs 5 times, the median
 * counts); a goal's ratio is the median of the per-round ratios. An untimed round of each case comes first (JIT warm-up).
 *
 * Diagnostic rows (no goal) show where the time goes: the engine with a strategy that always
 * holds (the kernel's cost per candle), each strategy fed the candles alone, without the engine
 * (advanced_composite also with its candlestick-pattern factor off), and the SMA crossover with
 * defaults over the first 50,000 candles only (a rate that falls with the length of the run is a
 * cost that grows with the history).
 *
 * Reads the BUILT packages (`pnpm build` first; turbo's `bench` task builds). `--quick` (or
 * BENCH_QUICK=1) runs 50,000 candles, a 2,000-candle baseline and one round. Environment:
 * BENCH_CANDLES, BENCH_BASELINE_CANDLES, BENCH_ROUNDS, BENCH_RUNS (timed runs of the polling
 * baseline, default 5), BENCH_ONLY (comma-separated: sma, composite, diagnostics),
 * BENCH_RESULTS (where to write the markdown, default bench/results.md; `-` writes nothing).
 * Shows progress on stderr; exits 1 when a goal is missed or a check fails.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import dataForge from 'data-forge';
import grademark from 'grademark';
import { markdownTable, median } from '../../../scripts/lib/bench-report.mjs';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CANDLES = Number(process.env.BENCH_CANDLES ?? (QUICK ? 50_000 : 300_000));
const BASELINE_CANDLES = Math.min(
  CANDLES - 1_000,
  Number(process.env.BENCH_BASELINE_CANDLES ?? (QUICK ? 2_000 : 20_000)),
);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 5));
/** A case that runs shorter than this is run up to MAX_RUNS times per round (median). */
const SHORT_RUN_SECONDS = 0.2;
const MAX_RUNS = 5;
const ENGINE_WARMUP_CANDLES = Math.min(CANDLES, 20_000);
const WINDOW = 250;
const SEED = 20240101;
const SYMBOL = 'BTC-USDT';
const MINUTE = 60_000;
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const RESULTS = process.env.BENCH_RESULTS ?? new URL('./results.md', import.meta.url);
const GOALS = { bare: 0.2, grademark: 1, defaults: 0.1, composite: 50 };
/** The SMA crossover: periods, the value of each entry (USDT) and the starting cash. */
const FAST = 10;
const SLOW = 30;
const NOTIONAL = 1_000;
const STARTING_CASH = 100_000;
const loadAtStart = loadavg();

let core;
let engine;
let strategies;
let indicators;
try {
  core = await import('@lumenlink/core');
  engine = await import('@lumenlink/engine');
  strategies = await import('@lumenlink/strategies');
  indicators = await import('@lumenlink/indicators');
} catch (error) {
  console.error(`Cannot load the built packages (run \`pnpm build\` first): ${String(error)}`);
  process.exit(1);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const progress = (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);
const number = (value) => Math.round(value).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Data: a seeded geometric random walk of 1m candles with clustered volatility, wicks, volume and
// small gaps between a close and the next open (so a fill at the next open is not at the close).
// ---------------------------------------------------------------------------------------------

function generateCandles(count, seed) {
  const random = core.seededRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const columns = {
    time: new Float64Array(count),
    open: new Float64Array(count),
    high: new Float64Array(count),
    low: new Float64Array(count),
    close: new Float64Array(count),
    volume: new Float64Array(count),
  };
  const candles = new Array(count);
  const anchor = 40_000;
  const start = Date.UTC(2023, 0, 1);
  let price = anchor;
  let volatility = 0.0008; // per-minute sigma of the log return, about BTC
  for (let i = 0; i < count; i++) {
    volatility = Math.min(0.004, Math.max(0.0002, volatility * Math.exp(0.05 * normal())));
    const logReturn = volatility * normal() - 2e-5 * Math.log(price / anchor);
    const open = price * Math.exp(0.1 * volatility * normal());
    const close = open * Math.exp(logReturn);
    const high = Math.max(open, close) * (1 + 0.5 * volatility * Math.abs(normal()));
    const low = Math.min(open, close) * (1 - 0.5 * volatility * Math.abs(normal()));
    const volume = 20 * Math.exp(0.5 * normal()) * (1 + 200 * Math.abs(logReturn));
    const time = start + i * MINUTE;
    columns.time[i] = time;
    columns.open[i] = open;
    columns.high[i] = high;
    columns.low[i] = low;
    columns.close[i] = close;
    columns.volume[i] = volume;
    candles[i] = { time, open, high, low, close, volume };
    price = close;
  }
  return { length: count, ...columns, candles };
}

// ---------------------------------------------------------------------------------------------
// The SMA crossover, three times: a strategy for the engine, a bare loop, grademark's rules.
// ---------------------------------------------------------------------------------------------

const buySignal = {
  action: 'buy',
  confidence: 1,
  reason: `SMA(${FAST}) closed above SMA(${SLOW}) twice after being at or below it`,
};
const sellSignal = {
  action: 'sell',
  confidence: 1,
  reason: `SMA(${FAST}) closed below SMA(${SLOW}) twice after being at or above it`,
};
const holdSignal = core.hold('no confirmed cross');

/**
 * A streaming indicator's value after `input`, `NaN` while it warms up: read from what
 * `update()` returns, or from `value` when it returns none (so the bench runs with either
 * reading API of the indicators).
 */
function reading(indicator, input) {
  const value = indicator.update(input);
  return typeof value === 'number' ? value : (indicator.value ?? Number.NaN);
}

const smaCrossover = strategies.defineStrategy({
  key: 'bench_sma_crossover',
  description: `SMA(${FAST})/SMA(${SLOW}) crossover confirmed by a second close (the bench's).`,
  paramsSchema: strategies.z.strictObject({}),
  build: () => {
    const fast = new indicators.SMA(FAST);
    const slow = new indicators.SMA(SLOW);
    let previous = Number.NaN; // SMA(FAST) - SMA(SLOW) one close back
    let beforePrevious = Number.NaN; // two closes back
    return {
      warmup: SLOW + 2,
      onCandle(candle, context) {
        const difference = reading(fast, candle.close) - reading(slow, candle.close);
        const one = previous;
        const two = beforePrevious;
        beforePrevious = previous;
        previous = difference;
        if (!context.position)
          return difference > 0 && one > 0 && two <= 0 ? buySignal : holdSignal;
        return difference < 0 && one < 0 && two >= 0 ? sellSignal : holdSignal;
      },
    };
  },
});

/** runBacktest's options: no fees and risk out of the way, or `pnpm backtest`'s defaults. */
function smaEngineOptions(candles, defaults) {
  const common = {
    candles: new Map([[SYMBOL, candles]]),
    interval: '1m',
    strategy: () => smaCrossover.create({}, { interval: '1m' }),
  };
  if (defaults) return { ...common, startingCash: 10_000 };
  return {
    ...common,
    startingCash: STARTING_CASH,
    feeBps: 0,
    slippageBps: 0,
    trailingStopAtrMultiple: 0,
    protections: false,
    risk: { maxPositionUsd: NOTIONAL, maxDailyLossUsd: 1e12 },
  };
}

function engineSmaCrossover(candles, defaults) {
  return engine.runBacktest(smaEngineOptions(candles, defaults));
}

/** The SMA crossover's rules, fills, trades and equity curve, hand-written over the columns. */
function bareSmaCrossover(data) {
  const { open, close, length } = data;
  const fastWindow = new Float64Array(FAST);
  const slowWindow = new Float64Array(SLOW);
  const capacity = Math.ceil(length / 2) + 1;
  const entries = new Int32Array(capacity); // candle index of each entry fill
  const exits = new Int32Array(capacity).fill(-1);
  const quantities = new Float64Array(capacity);
  const equity = new Float64Array(length);
  let fastSum = 0;
  let slowSum = 0;
  let previous = Number.NaN;
  let beforePrevious = Number.NaN;
  let cash = STARTING_CASH;
  let quantity = 0;
  let pending = 0; // 1: buy at the next open, -1: sell at the next open
  let pendingQuantity = 0;
  let trades = 0;
  for (let i = 0; i < length; i++) {
    // Orders decided on the previous close fill at this open.
    if (pending === 1) {
      quantity = pendingQuantity;
      cash -= quantity * open[i];
      entries[trades] = i;
      quantities[trades] = quantity;
      trades++;
    } else if (pending === -1) {
      cash += quantity * open[i];
      quantity = 0;
      exits[trades - 1] = i;
    }
    pending = 0;
    // Running sums over ring buffers, as @lumenlink/indicators' SMA keeps them.
    const price = close[i];
    const fastSlot = i % FAST;
    const slowSlot = i % SLOW;
    fastSum += i >= FAST ? price - fastWindow[fastSlot] : price;
    slowSum += i >= SLOW ? price - slowWindow[slowSlot] : price;
    fastWindow[fastSlot] = price;
    slowWindow[slowSlot] = price;
    const difference = i >= SLOW - 1 ? fastSum / FAST - slowSum / SLOW : Number.NaN;
    if (quantity === 0) {
      if (difference > 0 && previous > 0 && beforePrevious <= 0) {
        pending = 1;
        pendingQuantity = NOTIONAL / price;
      }
    } else if (difference < 0 && previous < 0 && beforePrevious >= 0) {
      pending = -1;
    }
    beforePrevious = previous;
    previous = difference;
    equity[i] = cash + quantity * price; // marked at every close, as the engine's equity curve
  }
  return { trades, entries, exits, quantities, equity, finalEquity: equity[length - 1] };
}

/**
 * The crossover's signal per candle (1 buy, -1 sell, 0 none), whatever the position: what
 * grademark's rules read. The same running sums as the bare loop.
 */
function smaSignals(close) {
  const signals = new Int8Array(close.length);
  let fastSum = 0;
  let slowSum = 0;
  let previous = Number.NaN;
  let beforePrevious = Number.NaN;
  for (let i = 0; i < close.length; i++) {
    const price = close[i];
    fastSum += i >= FAST ? price - close[i - FAST] : price;
    slowSum += i >= SLOW ? price - close[i - SLOW] : price;
    const difference = i >= SLOW - 1 ? fastSum / FAST - slowSum / SLOW : Number.NaN;
    if (difference > 0 && previous > 0 && beforePrevious <= 0) signals[i] = 1;
    else if (difference < 0 && previous < 0 && beforePrevious >= 0) signals[i] = -1;
    beforePrevious = previous;
    previous = difference;
  }
  return signals;
}

/**
 * grademark: `entryRule` runs on a bar's close while flat, `exitRule` while holding; either one
 * fills at the next bar's open (`entryTime`/`exitTime` are that bar's time). Positions are one
 * unit (grademark has no quantities). A position open at the end is closed at the last close
 * with `exitReason: 'finalize'`: an open trade for the comparison.
 */
function grademarkSmaCrossover(data) {
  const signals = smaSignals(data.close);
  const first = data.time[0];
  const at = (bar) => signals[(bar.time - first) / MINUTE];
  return grademark.backtest(
    {
      lookbackPeriod: 1,
      entryRule: (enterPosition, { bar }) => {
        if (at(bar) === 1) enterPosition();
      },
      exitRule: (exitPosition, { bar }) => {
        if (at(bar) === -1) exitPosition();
      },
    },
    new dataForge.DataFrame(data.candles),
  );
}

// ---------------------------------------------------------------------------------------------
// The comparison: each implementation's trades as { entryTime, entryPrice, exitTime, exitPrice,
// quantity? }, open trades with a null exit.
// ---------------------------------------------------------------------------------------------

function engineTrades(result) {
  return result.trades.map((trade) => ({
    entryTime: trade.entryTime,
    entryPrice: trade.entryPrice,
    exitTime: trade.exitTime,
    exitPrice: trade.exitPrice,
    quantity: trade.quantity,
  }));
}

function bareTrades(data, bare) {
  const trades = [];
  for (let k = 0; k < bare.trades; k++) {
    const exit = bare.exits[k];
    trades.push({
      entryTime: data.time[bare.entries[k]],
      entryPrice: data.open[bare.entries[k]],
      exitTime: exit < 0 ? null : data.time[exit],
      exitPrice: exit < 0 ? null : data.open[exit],
      quantity: bare.quantities[k],
    });
  }
  return trades;
}

function grademarkTrades(trades) {
  return trades.map((trade) => {
    const open = trade.exitReason === 'finalize';
    return {
      entryTime: trade.entryTime,
      entryPrice: trade.entryPrice,
      exitTime: open ? null : trade.exitTime,
      exitPrice: open ? null : trade.exitPrice,
    };
  });
}

/** Equal, or both numbers within a relative 1e-9 (a volume-weighted price of one fill). */
function same(a, b) {
  return (
    a === b ||
    (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.abs(a))
  );
}

const describeTrade = (trade) =>
  `entry ${new Date(trade.entryTime).toISOString()} at ${trade.entryPrice}, exit ${trade.exitTime === null ? 'open' : `${new Date(trade.exitTime).toISOString()} at ${trade.exitPrice}`}${trade.quantity === undefined ? '' : `, quantity ${trade.quantity}`}`;

/** How `other`'s trades differ from `reference`'s, or `null` when they are the same. */
function tradeDifference(reference, other, name) {
  const fields = ['entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'quantity'];
  for (let k = 0; k < Math.min(reference.length, other.length); k++) {
    const a = reference[k];
    const b = other[k];
    const differs = fields.filter(
      (field) => a[field] !== undefined && b[field] !== undefined && !same(a[field], b[field]),
    );
    if (differs.length > 0) {
      return `${name}'s trade ${k + 1} differs in ${differs.join(', ')}: ${describeTrade(b)}; the bare loop's: ${describeTrade(a)}`;
    }
  }
  if (reference.length !== other.length) {
    return `${name} made ${other.length} trades, the bare loop ${reference.length}; the first ${Math.min(reference.length, other.length)} agree`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The engine with built-in strategies, defaults as `pnpm backtest` uses them.
// ---------------------------------------------------------------------------------------------

/** A strategy that always holds: what the engine costs per candle when nothing happens. */
function holdOnly() {
  const signal = core.hold('bench: hold only');
  return { key: 'hold_only', params: {}, warmup: 0, onCandle: () => signal };
}

async function runEngine(key, candles) {
  const result = await engine.runBacktest({
    candles: new Map([[SYMBOL, candles]]),
    interval: '1m',
    strategy: () =>
      key === 'hold_only' ? holdOnly() : strategies.createStrategy(key, {}, { interval: '1m' }),
    startingCash: 10_000,
    feeBps: 10,
    slippageBps: 5,
  });
  return { trades: result.trades.length, finalEquity: result.finalEquity };
}

async function timeEngine(key, data) {
  progress(`${key} through the engine: warm-up on ${number(ENGINE_WARMUP_CANDLES)} candles`);
  await runEngine(key, data.candles.slice(0, ENGINE_WARMUP_CANDLES));
  const begin = performance.now();
  const outcome = await runEngine(key, data.candles);
  const seconds = (performance.now() - begin) / 1000;
  progress(
    `${key} through the engine: ${number(data.length / seconds)} candles/s (${outcome.trades} trades)`,
  );
  return { perSecond: data.length / seconds, trades: outcome.trades };
}

/** A strategy alone, fed every candle in a plain loop: no engine around it. */
function timeStrategyAlone(create, label, data) {
  const run = () => {
    const strategy = create();
    const context = { symbol: SYMBOL, time: 0, position: null };
    const begin = performance.now();
    for (const candle of data.candles) {
      context.time = candle.time;
      strategy.onCandle(candle, context);
    }
    return data.length / ((performance.now() - begin) / 1000);
  };
  run();
  const perSecond = run();
  progress(`${label} alone: ${number(perSecond)} candles/s`);
  return perSecond;
}

// ---------------------------------------------------------------------------------------------
// The polling baseline: advanced_composite's indicators recomputed by batch functions over the
// last 250 candles at every candle, and the EMA 9/21 trend of the last 250 4h and 1d candles.
// ---------------------------------------------------------------------------------------------

/** Closes of the higher-timeframe candles built from the base candles (the data starts on a day). */
function higherCloses(data, minutes) {
  const count = Math.floor(data.length / minutes);
  const closes = new Float64Array(count);
  for (let k = 0; k < count; k++) closes[k] = data.close[(k + 1) * minutes - 1];
  return closes;
}

function last(series) {
  return series[series.length - 1];
}

function pollingBaseline(data, from, to, higher) {
  const {
    ema,
    macd,
    rsi,
    stochastic,
    adx,
    bollingerBands,
    bollingerSqueeze,
    sessionVwap,
    relativeVolume,
    obv,
    mfi,
    cci,
    williamsR,
    detectPatterns,
  } = indicators;
  let checksum = 0;
  for (let i = from; i < to; i++) {
    const begin = i + 1 - WINDOW;
    const time = data.time.subarray(begin, i + 1);
    const high = data.high.subarray(begin, i + 1);
    const low = data.low.subarray(begin, i + 1);
    const close = data.close.subarray(begin, i + 1);
    const volume = data.volume.subarray(begin, i + 1);
    const fast = last(ema(close, 9));
    const slow = last(ema(close, 21));
    const macdSeries = macd(close, { fast: 12, slow: 26, signal: 9 });
    const rsiValue = last(rsi(close, 14));
    const stoch = stochastic(high, low, close, { period: 14, signal: 3 });
    const adxSeries = adx(high, low, close, 14);
    const bands = bollingerBands(close, { period: 20, stdDev: 2 });
    const squeeze = bollingerSqueeze(high, low, close);
    const vwap = last(sessionVwap(time, high, low, close, volume));
    const relative = last(relativeVolume(volume, 20));
    const obvSeries = obv(close, volume);
    const obvAverage = last(ema(obvSeries, 20));
    const mfiValue = last(mfi(high, low, close, volume, 14));
    const cciValue = last(cci(high, low, close, { period: 20 }));
    const williams = last(williamsR(high, low, close, 14));
    const patterns = detectPatterns(data.candles.slice(i - 4, i + 1));
    let trend = 0;
    for (const { closes, minutes } of higher) {
      const closed = Math.floor((i + 1) / minutes);
      const window = closes.subarray(Math.max(0, closed - WINDOW), closed);
      trend += Math.sign(last(ema(window, 9)) - last(ema(window, 21))) || 0;
    }
    const score =
      Math.sign(fast - slow) +
      Math.sign(last(macdSeries.histogram)) +
      (rsiValue < 30 ? 1 : rsiValue > 70 ? -1 : 0) +
      Math.sign(last(stoch.k) - last(stoch.d)) +
      Math.sign(last(adxSeries.plusDI) - last(adxSeries.minusDI)) +
      Math.sign(close[WINDOW - 1] - last(bands.middle)) +
      (last(squeeze.squeezeOn) || 0) +
      Math.sign(close[WINDOW - 1] - vwap) +
      (relative > 1.5 ? 1 : 0) +
      Math.sign(last(obvSeries) - obvAverage) +
      (mfiValue < 20 ? 1 : 0) +
      (cciValue < -100 ? 1 : 0) +
      (williams < -80 ? 1 : 0) +
      patterns.length +
      trend;
    checksum += Number.isFinite(score) ? score : 0;
  }
  return checksum;
}

function timeBaseline(data) {
  const to = data.length;
  const from = to - BASELINE_CANDLES;
  const higher = [
    { minutes: 240, closes: higherCloses(data, 240) },
    { minutes: 1440, closes: higherCloses(data, 1440) },
  ];
  progress(`polling baseline: warm-up on ${number(Math.min(500, BASELINE_CANDLES))} candles`);
  pollingBaseline(data, from, from + Math.min(500, BASELINE_CANDLES), higher);
  const rates = [];
  for (let run = 0; run < RUNS; run++) {
    const begin = performance.now();
    pollingBaseline(data, from, to, higher);
    rates.push(BASELINE_CANDLES / ((performance.now() - begin) / 1000));
    progress(`polling baseline run ${run + 1}/${RUNS}: ${number(rates.at(-1))} candles/s`);
  }
  return median(rates);
}

// ---------------------------------------------------------------------------------------------
// Case 1 and 2: the SMA crossover in rounds.
// ---------------------------------------------------------------------------------------------

/** Seconds that `run` takes, and what it returned. */
async function timed(run) {
  const begin = performance.now();
  const value = await run();
  return { seconds: (performance.now() - begin) / 1000, value };
}

/**
 * The median seconds of up to {@link MAX_RUNS} runs of `run` (one when it takes longer than
 * {@link SHORT_RUN_SECONDS}: a second run would not make it more precise), and what it returned.
 */
async function timedRepeatedly(run) {
  const first = await timed(run);
  const seconds = [first.seconds];
  while (seconds.length < MAX_RUNS && first.seconds < SHORT_RUN_SECONDS) {
    seconds.push((await timed(run)).seconds);
  }
  return { seconds: median(seconds), value: first.value };
}

/** Checks that the three implementations made the same trades; returns the CHECK line. */
function checkTrades(data, engineResult, bare, grademarkResult) {
  const reference = bareTrades(data, bare);
  const problems = [
    tradeDifference(reference, engineTrades(engineResult), 'the engine'),
    tradeDifference(reference, grademarkTrades(grademarkResult), 'grademark'),
    same(engineResult.finalEquity, bare.finalEquity)
      ? null
      : `final equity: the engine ${engineResult.finalEquity}, the bare loop ${bare.finalEquity}`,
    Object.keys(engineResult.blocked).length === 0
      ? null
      : `the engine's risk blocked signals (${JSON.stringify(engineResult.blocked)}): it must not interfere`,
    reference.length > 0 ? null : 'no trade at all: nothing was compared',
  ].filter((problem) => problem !== null);
  const name = 'trades identical, engine, bare loop and grademark';
  return problems.length === 0
    ? `CHECK PASS ${name}: ${reference.length} trades (entry and exit times and prices; engine and bare loop also quantities and final equity)`
    : `CHECK FAIL ${name}: ${problems.join('; ')}`;
}

async function smaSection(data) {
  // An untimed round first: a run of the engine on a prefix left it still compiling its hot
  // paths through the first timed round (its rate rose 3x from round 1 to round 3).
  progress('SMA crossover: an untimed warm-up round');
  await engineSmaCrossover(data.candles, false);
  await engineSmaCrossover(data.candles, true);
  bareSmaCrossover(data);
  grademarkSmaCrossover(data);
  const rates = { engine: [], bare: [], grademark: [], defaults: [] };
  const ratios = { bare: [], grademark: [], defaults: [] };
  const trades = {};
  let check = '';
  for (let round = 1; round <= ROUNDS; round++) {
    const ours = await timedRepeatedly(() => engineSmaCrossover(data.candles, false));
    const bare = await timedRepeatedly(() => bareSmaCrossover(data));
    const theirs = await timedRepeatedly(() => grademarkSmaCrossover(data));
    const defaults = await timedRepeatedly(() => engineSmaCrossover(data.candles, true));
    const bareSeconds = bare.seconds;
    rates.engine.push(data.length / ours.seconds);
    rates.bare.push(data.length / bareSeconds);
    rates.grademark.push(data.length / theirs.seconds);
    rates.defaults.push(data.length / defaults.seconds);
    ratios.bare.push(bareSeconds / ours.seconds);
    ratios.grademark.push(theirs.seconds / ours.seconds);
    ratios.defaults.push(bareSeconds / defaults.seconds);
    if (round === 1) {
      check = checkTrades(data, ours.value, bare.value, theirs.value);
      progress(check);
      trades.engine = ours.value.trades.length;
      trades.bare = bare.value.trades;
      trades.grademark = theirs.value.length;
      trades.defaults = defaults.value.trades.length;
    }
    progress(
      `SMA crossover round ${round}/${ROUNDS}: engine ${number(rates.engine.at(-1))}, bare loop ${number(rates.bare.at(-1))}, grademark ${number(rates.grademark.at(-1))}, engine with defaults ${number(rates.defaults.at(-1))} candles/s`,
    );
  }
  return {
    check,
    rows: [
      [
        `SMA(${FAST})/SMA(${SLOW}) crossover, no fees: engine`,
        number(median(rates.engine)),
        String(trades.engine),
      ],
      ['bare event loop, same rules', number(median(rates.bare)), String(trades.bare)],
      ['grademark 0.3, same rules', number(median(rates.grademark)), String(trades.grademark)],
      [
        'the same strategy, engine with defaults (fees, slippage, trailing stop, risk)',
        number(median(rates.defaults)),
        String(trades.defaults),
      ],
    ],
    goals: [
      goal('engine vs bare loop, SMA crossover, no fees', median(ratios.bare), GOALS.bare),
      goal(
        'engine vs grademark, SMA crossover, no fees',
        median(ratios.grademark),
        GOALS.grademark,
      ),
      goal(
        'engine with defaults vs bare loop, SMA crossover',
        median(ratios.defaults),
        GOALS.defaults,
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------------

/** A goal: its GOAL line (docs/benchmarks.md) and whether it passed. */
function goal(name, ratio, target) {
  const pass = ratio >= target;
  return {
    pass,
    line: `GOAL ${pass ? 'PASS' : 'FAIL'} ${name}: ${formatRatio(ratio)} (goal >= ${target}x)`,
  };
}

/** A ratio with two significant digits (0.00081x, 0.2x, 12.0x). */
function formatRatio(ratio) {
  return `${ratio >= 10 ? ratio.toFixed(1) : Number(ratio.toPrecision(2)).toString()}x`;
}

const load = (values) => values.map((value) => value.toFixed(2)).join(' ');

// ---------------------------------------------------------------------------------------------

progress(`${number(CANDLES)} seeded 1m candles${QUICK ? ' (--quick)' : ''}`);
const data = generateCandles(CANDLES, SEED);
const rows = [];
const goals = [];
const checks = [];

if (ONLY === undefined || ONLY.includes('sma')) {
  const sma = await smaSection(data);
  rows.push(...sma.rows);
  goals.push(...sma.goals);
  checks.push(sma.check);
}
if (ONLY === undefined || ONLY.includes('composite')) {
  const ours = await timeEngine('advanced_composite', data);
  const baseline = timeBaseline(data);
  rows.push(
    ['advanced_composite, engine', number(ours.perSecond), String(ours.trades)],
    [`polling baseline, batch over the last ${WINDOW} candles`, number(baseline), ''],
  );
  // No trade at all: the run was shorter than the strategy's warm-up (its 1d trend), or broken.
  checks.push(
    `CHECK ${ours.trades > 0 ? 'PASS' : 'FAIL'} advanced_composite trades through the engine: ${ours.trades} trades`,
  );
  goals.push(
    goal(
      'advanced_composite through the engine vs recompute-250 baseline',
      ours.perSecond / baseline,
      GOALS.composite,
    ),
  );
}
if (ONLY === undefined || ONLY.includes('diagnostics')) {
  // Where the time goes: the kernel with nothing to do, and the strategies without the kernel.
  const hold = await timeEngine('hold_only', data);
  if (CANDLES > 50_000) {
    const prefix = data.candles.slice(0, 50_000);
    const { seconds, value } = await timed(() => engineSmaCrossover(prefix, true));
    progress(
      `SMA crossover, defaults, first 50,000 candles: ${number(50_000 / seconds)} candles/s`,
    );
    rows.push([
      'diagnostic: SMA crossover, engine with defaults, first 50,000 candles only',
      number(50_000 / seconds),
      String(value.trades.length),
    ]);
  }
  const composite = (params) => () =>
    strategies.createStrategy('advanced_composite', params, { interval: '1m' });
  rows.push(
    [
      'diagnostic: engine, a strategy that always holds',
      number(hold.perSecond),
      String(hold.trades),
    ],
    [
      'diagnostic: SMA crossover alone, no engine',
      number(
        timeStrategyAlone(() => smaCrossover.create({}, { interval: '1m' }), 'SMA crossover', data),
      ),
      '',
    ],
    [
      'diagnostic: advanced_composite alone, no engine',
      number(timeStrategyAlone(composite({}), 'advanced_composite', data)),
      '',
    ],
    [
      'diagnostic: advanced_composite alone, patterns weight 0',
      number(
        timeStrategyAlone(
          composite({ weights: { patterns: 0 } }),
          'advanced_composite, patterns 0',
          data,
        ),
      ),
      '',
    ],
  );
}

const failed =
  goals.some((item) => !item.pass) || checks.some((line) => line.startsWith('CHECK FAIL'));
const table = markdownTable(['case', 'candles/s', 'trades'], rows);
const cpu = cpus();
const runs = (section, text) => (ONLY === undefined || ONLY.includes(section) ? [text] : []);
const summary = [
  `${number(CANDLES)} seeded 1m candles, one symbol`,
  ...runs(
    'sma',
    `the SMA crossover cases in ${ROUNDS} round(s) after an untimed one (ratios: median of the per-round ratios)`,
  ),
  ...runs(
    'composite',
    `advanced_composite through the engine once after a warm-up, its baseline over the last ${number(BASELINE_CANDLES)} candles, median of ${RUNS} run(s)`,
  ),
  `Node ${process.version}`,
  `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}.`,
].join('; ');
const loadLine = `Load average (1, 5, 15 min): ${load(loadAtStart)} at the start, ${load(loadavg())} at the end.`;
const lines = [...checks, ...goals.map((item) => item.line)];
const verdict = failed
  ? 'FAIL: a goal was missed or a check failed.'
  : goals.length > 0
    ? 'PASS: every goal met.'
    : 'No goal measured (BENCH_ONLY).';
if (RESULTS !== '-') {
  writeFileSync(
    RESULTS,
    [
      '# @lumenlink/backtest benchmark',
      '',
      summary,
      '',
      loadLine,
      '',
      table,
      '',
      ...lines.map((line) => `- ${line}`),
      '',
      verdict,
      '',
    ].join('\n'),
  );
}
process.stdout.write(`${summary}\n${loadLine}\n\n${table}\n\n${lines.join('\n')}\n\n${verdict}\n`);
progress(
  `done${RESULTS === '-' ? '' : `; wrote ${RESULTS instanceof URL ? 'bench/results.md' : RESULTS}`}`,
);
if (failed) process.exitCode = 1;
