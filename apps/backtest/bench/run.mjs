/**
 * `pnpm bench` for the backtester: one symbol, 500,000 seeded random-walk 1m candles through the
 * engine's backtest driver (the full trade cycle: paper broker, risk with its protections,
 * trailing stops, the trade ledger, in-memory stores), in candles per second, for `ema_crossover`
 * and `advanced_composite`. In the same run, over the same candles:
 *
 * - a bare hand-written event loop with `ema_crossover`'s rules (EMA 9/21 seeded by their SMA and
 *   updated per candle, cross detection, market orders filled at the next open with slippage,
 *   cash and position accounting, fees, equity marked per candle; no risk, no store): the limit
 *   for our semantics. Goal: the engine at least 0.2x its speed.
 * - for `advanced_composite`, a polling baseline: at every candle it recomputes the strategy's
 *   indicators with `@lumenlink/indicators`' batch functions over the last 250 candles (and the
 *   last 250 4h and 1d candles for the timeframe trend), as a bot that polls its store does. Its
 *   cost per candle does not depend on where in the data it is, so it is timed over the last
 *   BENCH_BASELINE_CANDLES candles (default 20,000). Goal: the engine at least 50x its speed.
 *
 * Reads the BUILT packages (`pnpm build` first; turbo's `bench` task builds). `--quick` (or
 * BENCH_QUICK=1) runs 50,000 candles, a 2,000-candle baseline and one timed run each. Prints a
 * markdown table to stdout, writes it to bench/results.md, shows progress on stderr, and exits 1
 * when a goal is missed.
 *
 * Diagnostic rows (no goal) show where the time goes: the engine with a strategy that always
 * holds (the kernel's cost per candle), and each strategy fed the candles alone, without the
 * engine (advanced_composite also with its candlestick-pattern factor off).
 *
 * Environment: BENCH_CANDLES, BENCH_BASELINE_CANDLES, BENCH_RUNS (timed runs of the bare loop and
 * the baseline, default 5; the engine runs once after a warm-up on a prefix: each run is seconds
 * long), BENCH_ONLY (comma-separated: ema, composite, diagnostics).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CANDLES = Number(process.env.BENCH_CANDLES ?? (QUICK ? 50_000 : 500_000));
const BASELINE_CANDLES = Math.min(
  CANDLES - 1_000,
  Number(process.env.BENCH_BASELINE_CANDLES ?? (QUICK ? 2_000 : 20_000)),
);
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 1 : 5));
const ENGINE_WARMUP_CANDLES = Math.min(CANDLES, 20_000);
const WINDOW = 250;
const SEED = 20240101;
const SYMBOL = 'BTC-USDT';
const MINUTE = 60_000;
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim());
const GOALS = { ema: 0.2, composite: 50 };

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
// Data: a seeded geometric random walk of 1m candles with clustered volatility, wicks and volume.
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
    const open = price;
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
// The engine: runBacktest with a built-in strategy, defaults as `pnpm backtest` uses them.
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
function timeStrategyAlone(key, params, data) {
  const run = () => {
    const strategy = strategies.createStrategy(key, params, { interval: '1m' });
    const context = { symbol: SYMBOL, time: 0, position: null };
    const begin = performance.now();
    for (const candle of data.candles) {
      context.time = candle.time + MINUTE;
      strategy.onCandle(candle, context);
    }
    return data.length / ((performance.now() - begin) / 1000);
  };
  run();
  const perSecond = run();
  progress(`${key} ${JSON.stringify(params)} alone: ${number(perSecond)} candles/s`);
  return perSecond;
}

// ---------------------------------------------------------------------------------------------
// The bare loop: ema_crossover's rules, hand-written over the columns.
// ---------------------------------------------------------------------------------------------

function bareEmaCrossover(data) {
  const { open, close, length } = data;
  const fee = 10 / 10_000;
  const slip = 5 / 10_000;
  const maxPosition = 250; // RISK_MAX_POSITION_USD x confidence 1, as the engine sizes it
  const kFast = 2 / (9 + 1);
  const kSlow = 2 / (21 + 1);
  const equity = new Float64Array(length);
  let sumFast = 0;
  let sumSlow = 0;
  let fast = Number.NaN;
  let slow = Number.NaN;
  let previousFast = Number.NaN;
  let previousSlow = Number.NaN;
  let cash = 10_000;
  let quantity = 0;
  let pending = 0; // 1: buy at the next open, -1: sell at the next open
  let pendingQuantity = 0;
  let trades = 0;
  for (let i = 0; i < length; i++) {
    // Orders decided on the previous close fill at this open, moved against us by the slippage.
    if (pending === 1) {
      const price = open[i] * (1 + slip);
      const cost = pendingQuantity * price;
      if (cost * (1 + fee) <= cash) {
        cash -= cost * (1 + fee);
        quantity = pendingQuantity;
        trades++;
      }
    } else if (pending === -1) {
      const value = quantity * open[i] * (1 - slip);
      cash += value * (1 - fee);
      quantity = 0;
    }
    pending = 0;
    const price = close[i];
    if (i < 9) {
      sumFast += price;
      if (i === 8) fast = sumFast / 9;
    } else {
      fast += kFast * (price - fast);
    }
    if (i < 21) {
      sumSlow += price;
      if (i === 20) slow = sumSlow / 21;
    } else {
      slow += kSlow * (price - slow);
    }
    if (i > 20) {
      if (fast > slow && previousFast <= previousSlow && quantity === 0) {
        pending = 1;
        pendingQuantity = Math.min(maxPosition, cash / (1 + fee + slip)) / price;
      } else if (fast < slow && previousFast >= previousSlow && quantity > 0) {
        pending = -1;
      }
    }
    previousFast = fast;
    previousSlow = slow;
    equity[i] = cash + quantity * price;
  }
  return { trades, finalEquity: equity[length - 1] };
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

function timeBare(data) {
  bareEmaCrossover(data);
  const rates = [];
  let trades = 0;
  for (let run = 0; run < RUNS; run++) {
    const begin = performance.now();
    trades = bareEmaCrossover(data).trades;
    rates.push(data.length / ((performance.now() - begin) / 1000));
  }
  progress(`bare ema_crossover loop: ${number(median(rates))} candles/s (${trades} trades)`);
  return { perSecond: median(rates), trades };
}

/** A ratio with two significant digits (0.00081x, 0.2x, 12x). */
function formatRatio(ratio) {
  return `${ratio >= 10 ? ratio.toFixed(1) : Number(ratio.toPrecision(2)).toString()}x`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A markdown table padded as prettier formats it, so results.md passes `prettier --check`. */
function markdownTable(head, lines) {
  const widths = head.map((cell, column) =>
    Math.max(3, cell.length, ...lines.map((line) => line[column].length)),
  );
  const render = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [
    render(head),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...lines.map(render),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

progress(`${number(CANDLES)} seeded 1m candles${QUICK ? ' (--quick)' : ''}`);
const data = generateCandles(CANDLES, SEED);
const rows = [];
let failed = false;

if (ONLY === undefined || ONLY.includes('ema')) {
  const ours = await timeEngine('ema_crossover', data);
  const bare = timeBare(data);
  const ratio = ours.perSecond / bare.perSecond;
  const pass = ratio >= GOALS.ema;
  failed ||= !pass;
  rows.push(
    [`ema_crossover, engine (${ours.trades} trades)`, number(ours.perSecond), '', '', ''],
    [
      `bare event loop, same rules (${bare.trades} trades)`,
      number(bare.perSecond),
      formatRatio(ratio),
      `>= ${GOALS.ema}x`,
      pass ? 'PASS' : 'FAIL',
    ],
  );
}
if (ONLY === undefined || ONLY.includes('composite')) {
  const ours = await timeEngine('advanced_composite', data);
  const baseline = timeBaseline(data);
  const ratio = ours.perSecond / baseline;
  const pass = ratio >= GOALS.composite;
  failed ||= !pass;
  rows.push(
    [`advanced_composite, engine (${ours.trades} trades)`, number(ours.perSecond), '', '', ''],
    [
      `polling baseline, batch over the last ${WINDOW} candles`,
      number(baseline),
      formatRatio(ratio),
      `>= ${GOALS.composite}x`,
      pass ? 'PASS' : 'FAIL',
    ],
  );
}

if (ONLY === undefined || ONLY.includes('diagnostics')) {
  // Where the time goes: the kernel with nothing to do, and the strategies without the kernel.
  const hold = await timeEngine('hold_only', data);
  if (CANDLES > 50_000) {
    // Throughput that falls with the length of the run is a cost that grows with the history.
    const prefix = data.candles.slice(0, 50_000);
    const begin = performance.now();
    await runEngine('ema_crossover', prefix);
    const perSecond = prefix.length / ((performance.now() - begin) / 1000);
    progress(
      `ema_crossover through the engine, first 50,000 candles: ${number(perSecond)} candles/s`,
    );
    rows.push([
      'diagnostic: ema_crossover, engine, first 50,000 candles only',
      number(perSecond),
      '',
      '',
      '',
    ]);
  }
  rows.push(
    ['diagnostic: engine, a strategy that always holds', number(hold.perSecond), '', '', ''],
    [
      'diagnostic: ema_crossover alone, no engine',
      number(timeStrategyAlone('ema_crossover', {}, data)),
      '',
      '',
      '',
    ],
    [
      'diagnostic: advanced_composite alone, no engine',
      number(timeStrategyAlone('advanced_composite', {}, data)),
      '',
      '',
      '',
    ],
    [
      'diagnostic: advanced_composite alone, patterns weight 0',
      number(timeStrategyAlone('advanced_composite', { weights: { patterns: 0 } }, data)),
      '',
      '',
      '',
    ],
  );
}

const table = markdownTable(['case', 'candles/s', 'engine / case', 'goal', 'result'], rows);
const cpu = cpus();
const summary = `${number(CANDLES)} seeded 1m candles, one symbol; the engine runs once after a warm-up on ${number(ENGINE_WARMUP_CANDLES)} candles; the bare loop and the baseline (over the last ${number(BASELINE_CANDLES)} candles) are the median of ${RUNS} run(s); Node ${process.version}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}.`;
const goalsMeasured = rows.some((row) => row[4] !== '');
const verdict = failed
  ? 'FAIL: a goal was missed.'
  : goalsMeasured
    ? 'PASS: every goal met.'
    : 'No goal measured (BENCH_ONLY).';
writeFileSync(
  new URL('./results.md', import.meta.url),
  ['# @lumenlink/backtest benchmark', '', summary, '', table, '', verdict, ''].join('\n'),
);
process.stdout.write(`${summary}\n\n${table}\n\n${verdict}\n`);
progress('done; wrote bench/results.md');
if (failed) process.exitCode = 1;
