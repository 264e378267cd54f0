/**
 * `pnpm bench`: every indicator over 1,000,000 synthetic candles, batch and streaming, against a
 * bare `Float64Array` batch loop and a bare streaming class (SMA, EMA, RSI, ATR, MACD, Bollinger
 * Bands, Stochastic) and against technicalindicators, all in one run. Goals: batch at least 0.5x
 * the speed of the bare batch loop, streaming at least 0.5x the bare streaming class, and 0 bytes
 * allocated per streaming update. Reads the BUILT package: `pnpm build`
 * first. Prints a markdown table to stdout, writes it to bench/results.md (full runs only), and
 * shows progress on stderr.
 *
 * Batch functions write into output arrays made once per contender and reused run after run, for
 * ours and the bare loops alike. `--quick` (or BENCH_QUICK=1): 200,000 candles, 3 runs, 200,000
 * allocation updates, for a check in well under a minute.
 *
 * Environment: BENCH_CANDLES (default 1000000), BENCH_TI_CANDLES (default 100000),
 * BENCH_RUNS (timed runs per measurement, default 5), BENCH_ONLY (comma-separated case names),
 * BENCH_ALLOC_UPDATES (streaming updates measured for allocation, default 1000000),
 * BENCH_ALLOC_ONLY=1 (measure allocation only, no timings).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as ti from 'technicalindicators';
import { seededRandom } from '@lumenlink/core';
import { markdownTable } from '../../../scripts/lib/bench-report.mjs';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CANDLES = Number(process.env.BENCH_CANDLES ?? (QUICK ? 200_000 : 1_000_000));
const TI_CANDLES = Math.min(
  CANDLES,
  Number(process.env.BENCH_TI_CANDLES ?? (QUICK ? 20_000 : 100_000)),
);
const RUNS = Number(process.env.BENCH_RUNS ?? (QUICK ? 5 : 7));
/**
 * Passes over the candles per timed run of ours and the bare baselines, so that a run lasts tens
 * of milliseconds rather than one: long enough that a context switch on a shared machine is noise.
 */
const REPEATS = Number(process.env.BENCH_REPEATS ?? (QUICK ? 10 : 3));
const WARMUP = 2;
const TI_RUNS = 3;
const TI_WARMUP = 1;
const GOAL = 0.5;
const SEED = 20240101;
const ONLY = process.env.BENCH_ONLY?.split(',').map((name) => name.trim().toLowerCase());

let lib;
try {
  lib = await import('../dist/index.js');
} catch (error) {
  console.error(`Cannot load ../dist/index.js (run \`pnpm build\` first): ${String(error)}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Data: a seeded geometric random walk with mild mean reversion, intrabar wicks and volume that
// rises with the size of the move. Generated once; every case reads the same candles.
// ---------------------------------------------------------------------------------------------

function generateCandles(count, seed) {
  const random = seededRandom(seed);
  /** A standard normal deviate (Box-Muller). */
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
  const start = Date.UTC(2020, 0, 1);
  let price = anchor;
  let volatility = 0.006; // per-candle σ of the log return, about BTC at 1h
  for (let i = 0; i < count; i++) {
    // Volatility clusters (a slow random walk in log space) and price reverts towards the anchor.
    volatility = Math.min(0.03, Math.max(0.002, volatility * Math.exp(0.05 * normal())));
    const logReturn = volatility * normal() - 2e-4 * Math.log(price / anchor);
    const open = price;
    const close = open * Math.exp(logReturn);
    const high = Math.max(open, close) * (1 + 0.5 * volatility * Math.abs(normal()));
    const low = Math.min(open, close) * (1 - 0.5 * volatility * Math.abs(normal()));
    const volume = 500 * Math.exp(0.5 * normal()) * (1 + 50 * Math.abs(logReturn));
    const time = start + i * 3_600_000;
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

/** technicalindicators takes plain arrays: the first `count` candles as arrays. */
function plainSlice(data, count) {
  const column = (values) => Array.from(values.subarray(0, count));
  return {
    length: count,
    open: column(data.open),
    high: column(data.high),
    low: column(data.low),
    close: column(data.close),
    volume: column(data.volume),
    candles: data.candles.slice(0, count),
  };
}

// ---------------------------------------------------------------------------------------------
// Bare baselines: the least code that computes each indicator at the package's conventions
// (TA-Lib: SMA-seeded EMA, Wilder RSI and ATR seeded by simple means). `NaN` while warming up.
// ---------------------------------------------------------------------------------------------

function bareSmaBatch(values, period, out = new Float64Array(values.length)) {
  const n = values.length;
  out.fill(Number.NaN, 0, Math.min(n, period - 1));
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    if (i >= period) sum -= values[i - period];
    if (i >= period - 1) out[i] = sum / period;
  }
  return out;
}

function bareEmaBatch(values, period, out = new Float64Array(values.length)) {
  const n = values.length;
  out.fill(Number.NaN, 0, Math.min(n, period - 1));
  if (n < period) return out;
  const k = 2 / (period + 1);
  let sum = 0;
  for (let i = 0; i < period; i++) sum += values[i];
  let value = sum / period;
  out[period - 1] = value;
  for (let i = period; i < n; i++) {
    value += k * (values[i] - value);
    out[i] = value;
  }
  return out;
}

function bareRsiBatch(values, period, out = new Float64Array(values.length)) {
  const n = values.length;
  out.fill(Number.NaN, 0, Math.min(n, period));
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = values[i] - values[i - 1];
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  out[period] = gain + loss === 0 ? 50 : (100 * gain) / (gain + loss);
  for (let i = period + 1; i < n; i++) {
    const change = values[i] - values[i - 1];
    gain = (gain * (period - 1) + (change > 0 ? change : 0)) / period;
    loss = (loss * (period - 1) + (change < 0 ? -change : 0)) / period;
    out[i] = gain + loss === 0 ? 50 : (100 * gain) / (gain + loss);
  }
  return out;
}

function bareAtrBatch(highs, lows, closes, period, out = new Float64Array(highs.length)) {
  const n = highs.length;
  out.fill(Number.NaN, 0, Math.min(n, period));
  if (n <= period) return out;
  let sum = 0;
  for (let i = 1; i <= period; i++) {
    const previous = closes[i - 1];
    sum += Math.max(
      highs[i] - lows[i],
      Math.abs(highs[i] - previous),
      Math.abs(lows[i] - previous),
    );
  }
  let value = sum / period;
  out[period] = value;
  for (let i = period + 1; i < n; i++) {
    const previous = closes[i - 1];
    const trueRange = Math.max(
      highs[i] - lows[i],
      Math.abs(highs[i] - previous),
      Math.abs(lows[i] - previous),
    );
    value = (value * (period - 1) + trueRange) / period;
    out[i] = value;
  }
  return out;
}

/**
 * Bollinger(20, 2) from a naive running sum and sum of squares: the five outputs of ours (middle,
 * upper, lower, bandwidth, percentB).
 */
function bareBollingerBatch(values, period, stdDev, out = bareColumns(values.length, 5)) {
  const n = values.length;
  const [middle, upper, lower, bandwidth, percentB] = out;
  for (const column of out) column.fill(Number.NaN, 0, Math.min(n, period - 1));
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const value = values[i];
    sum += value;
    squares += value * value;
    if (i >= period) {
      const old = values[i - period];
      sum -= old;
      squares -= old * old;
    }
    if (i >= period - 1) {
      const mean = sum / period;
      const width = stdDev * Math.sqrt(Math.max(squares / period - mean * mean, 0));
      middle[i] = mean;
      upper[i] = mean + width;
      lower[i] = mean - width;
      bandwidth[i] = (2 * width) / mean;
      percentB[i] = width === 0 ? 0.5 : (value - (mean - width)) / (2 * width);
    }
  }
  return out;
}

/** MACD(12, 26, 9): line, signal and histogram, SMA-seeded EMAs, in one pass. */
function bareMacdBatch(values, fast, slow, signal, out = bareColumns(values.length, 3)) {
  const n = values.length;
  const [line, signalLine, histogram] = out;
  const warmUp = Math.min(n, slow + signal - 2);
  line.fill(Number.NaN, 0, warmUp);
  signalLine.fill(Number.NaN, 0, warmUp);
  histogram.fill(Number.NaN, 0, warmUp);
  if (n < slow) return out;
  const fastK = 2 / (fast + 1);
  const slowK = 2 / (slow + 1);
  const signalK = 2 / (signal + 1);
  let fastValue = 0;
  let slowValue = 0;
  for (let i = 0; i < fast; i++) fastValue += values[i];
  fastValue /= fast;
  for (let i = fast; i < slow; i++) fastValue += fastK * (values[i] - fastValue);
  for (let i = 0; i < slow; i++) slowValue += values[i];
  slowValue /= slow;
  let signalValue = 0;
  for (let i = slow - 1; i < n; i++) {
    if (i >= slow) {
      fastValue += fastK * (values[i] - fastValue);
      slowValue += slowK * (values[i] - slowValue);
    }
    const macd = fastValue - slowValue;
    const count = i - (slow - 1);
    if (count < signal) {
      signalValue += macd;
      if (count < signal - 1) continue;
      signalValue /= signal;
    } else {
      signalValue += signalK * (macd - signalValue);
    }
    line[i] = macd;
    signalLine[i] = signalValue;
    histogram[i] = macd - signalValue;
  }
  return out;
}

/** Fast stochastic(14, 3): %K by scanning the window for its extremes, %D a running mean. */
function bareStochasticBatch(
  highs,
  lows,
  closes,
  period,
  signal,
  out = bareColumns(highs.length, 2),
) {
  const n = highs.length;
  const [kColumn, dColumn] = out;
  const warmUp = Math.min(n, period + signal - 2);
  kColumn.fill(Number.NaN, 0, warmUp);
  dColumn.fill(Number.NaN, 0, warmUp);
  const ks = new Float64Array(signal);
  let kSum = 0;
  for (let i = period - 1; i < n; i++) {
    let highest = highs[i];
    let lowest = lows[i];
    for (let j = i - period + 1; j < i; j++) {
      if (highs[j] > highest) highest = highs[j];
      if (lows[j] < lowest) lowest = lows[j];
    }
    const k = highest === lowest ? 0 : ((closes[i] - lowest) / (highest - lowest)) * 100;
    const count = i - (period - 1);
    const slot = count % signal;
    if (count >= signal) kSum -= ks[slot];
    ks[slot] = k;
    kSum += k;
    if (count >= signal - 1) {
      kColumn[i] = k;
      dColumn[i] = kSum / signal;
    }
  }
  return out;
}

class BareStochastic {
  constructor(period, signal) {
    this.period = period;
    this.signal = signal;
    this.highs = new Float64Array(period);
    this.lows = new Float64Array(period);
    this.ks = new Float64Array(signal);
    this.count = 0;
    this.kCount = 0;
    this.kSum = 0;
    this.result = { k: Number.NaN, d: Number.NaN };
  }

  update(candle) {
    const slot = this.count % this.period;
    this.highs[slot] = candle.high;
    this.lows[slot] = candle.low;
    if (++this.count < this.period) return this.result;
    let highest = this.highs[0];
    let lowest = this.lows[0];
    for (let i = 1; i < this.period; i++) {
      if (this.highs[i] > highest) highest = this.highs[i];
      if (this.lows[i] < lowest) lowest = this.lows[i];
    }
    const k = highest === lowest ? 0 : ((candle.close - lowest) / (highest - lowest)) * 100;
    const kSlot = this.kCount % this.signal;
    if (this.kCount >= this.signal) this.kSum -= this.ks[kSlot];
    this.ks[kSlot] = k;
    this.kSum += k;
    if (++this.kCount >= this.signal) {
      this.result.k = k;
      this.result.d = this.kSum / this.signal;
    }
    return this.result;
  }
}

function bareColumns(length, count) {
  return Array.from({ length: count }, () => new Float64Array(length));
}

class BareBollinger {
  constructor(period, stdDev) {
    this.period = period;
    this.stdDev = stdDev;
    this.window = new Float64Array(period);
    this.next = 0;
    this.count = 0;
    this.sum = 0;
    this.squares = 0;
    this.result = {
      middle: Number.NaN,
      upper: Number.NaN,
      lower: Number.NaN,
      bandwidth: Number.NaN,
      percentB: Number.NaN,
    };
  }

  update(value) {
    const slot = this.next;
    this.next = slot + 1 === this.period ? 0 : slot + 1;
    if (this.count < this.period) this.count++;
    else {
      const old = this.window[slot];
      this.sum -= old;
      this.squares -= old * old;
    }
    this.window[slot] = value;
    this.sum += value;
    this.squares += value * value;
    if (this.count === this.period) {
      const mean = this.sum / this.period;
      const width = this.stdDev * Math.sqrt(Math.max(this.squares / this.period - mean * mean, 0));
      this.result.middle = mean;
      this.result.upper = mean + width;
      this.result.lower = mean - width;
      this.result.bandwidth = (2 * width) / mean;
      this.result.percentB = width === 0 ? 0.5 : (value - (mean - width)) / (2 * width);
    }
    return this.result;
  }
}

class BareMACD {
  constructor(fast, slow, signal) {
    this.fast = new BareEMA(fast);
    this.slow = new BareEMA(slow);
    this.signal = new BareEMA(signal);
    this.result = { macd: Number.NaN, signal: Number.NaN, histogram: Number.NaN };
  }

  update(value) {
    const fast = this.fast.update(value);
    const slow = this.slow.update(value);
    if (slow !== slow) return this.result;
    const macd = fast - slow;
    const signal = this.signal.update(macd);
    if (signal !== signal) return this.result;
    this.result.macd = macd;
    this.result.signal = signal;
    this.result.histogram = macd - signal;
    return this.result;
  }
}

class BareSMA {
  constructor(period) {
    this.period = period;
    this.window = new Float64Array(period);
    this.next = 0;
    this.count = 0;
    this.sum = 0;
  }

  update(value) {
    const slot = this.next;
    this.next = slot + 1 === this.period ? 0 : slot + 1;
    if (this.count < this.period) {
      this.window[slot] = value;
      this.sum += value;
      return ++this.count === this.period ? this.sum / this.period : Number.NaN;
    }
    this.sum += value - this.window[slot];
    this.window[slot] = value;
    return this.sum / this.period;
  }
}

class BareEMA {
  constructor(period) {
    this.period = period;
    this.k = 2 / (period + 1);
    this.count = 0;
    this.value = 0;
  }

  update(input) {
    if (this.count >= this.period) return (this.value += this.k * (input - this.value));
    this.value += input;
    if (++this.count < this.period) return Number.NaN;
    return (this.value /= this.period);
  }
}

class BareRSI {
  constructor(period) {
    this.period = period;
    this.count = 0;
    this.previous = 0;
    this.gain = 0;
    this.loss = 0;
  }

  update(value) {
    const count = this.count++;
    const change = value - this.previous;
    this.previous = value;
    if (count === 0) return Number.NaN;
    const gain = change > 0 ? change : 0;
    const loss = change < 0 ? -change : 0;
    const period = this.period;
    if (count < period) {
      this.gain += gain;
      this.loss += loss;
      return Number.NaN;
    }
    if (count === period) {
      this.gain = (this.gain + gain) / period;
      this.loss = (this.loss + loss) / period;
    } else {
      this.gain = (this.gain * (period - 1) + gain) / period;
      this.loss = (this.loss * (period - 1) + loss) / period;
    }
    const total = this.gain + this.loss;
    return total === 0 ? 50 : (100 * this.gain) / total;
  }
}

class BareATR {
  constructor(period) {
    this.period = period;
    this.count = 0;
    this.previousClose = 0;
    this.value = 0;
  }

  update(candle) {
    const count = this.count++;
    const previous = this.previousClose;
    this.previousClose = candle.close;
    if (count === 0) return Number.NaN;
    const { high, low } = candle;
    const trueRange = Math.max(high - low, Math.abs(high - previous), Math.abs(low - previous));
    const period = this.period;
    if (count < period) {
      this.value += trueRange;
      return Number.NaN;
    }
    this.value =
      count === period
        ? (this.value + trueRange) / period
        : (this.value * (period - 1) + trueRange) / period;
    return this.value;
  }
}

// ---------------------------------------------------------------------------------------------
// The cases. `exports` names what the case needs from dist/index.js; `input` is what `update`
// takes ('close' or 'volume': that number, 'candle': a candle object); `stream(lib)` makes the streaming
// indicator and `batch(lib, data)` runs the batch function, `data` holding Float64Array columns
// (open, high, low, close, volume, time). `bare` and `ti` are the same for the baselines; a
// technicalindicators stream is fed with `nextValue`. Signatures of indicators that do not exist
// yet are guesses from the issue text: fix them here.
// ---------------------------------------------------------------------------------------------

const MACD_OPTIONS = { fast: 12, slow: 26, signal: 9 };
const BOLLINGER_OPTIONS = { period: 20, stdDev: 2 };
const KELTNER_OPTIONS = { period: 20, atrPeriod: 10, multiplier: 2 };
const SQUEEZE_OPTIONS = {
  bollinger: { period: 20, stdDev: 2 },
  keltner: { period: 20, atrPeriod: 20, multiplier: 1.5 },
};
const STOCHASTIC_OPTIONS = { period: 14, signal: 3 };
const STOCHASTIC_RSI_OPTIONS = { rsiPeriod: 14, stochasticPeriod: 14, kPeriod: 3, dPeriod: 3 };
const SUPERTREND_OPTIONS = { period: 10, multiplier: 3 };

const cases = [
  {
    name: 'SMA',
    exports: ['SMA', 'sma'],
    input: 'close',
    stream: (l) => new l.SMA(14),
    batch: (l, d, out) => l.sma(d.close, 14, out),
    bare: { stream: () => new BareSMA(14), batch: (d, out) => bareSmaBatch(d.close, 14, out) },
    ti: {
      stream: () => new ti.SMA({ period: 14, values: [] }),
      batch: (d) => ti.SMA.calculate({ period: 14, values: d.close }),
    },
  },
  {
    name: 'EMA',
    exports: ['EMA', 'ema'],
    input: 'close',
    stream: (l) => new l.EMA(14),
    batch: (l, d, out) => l.ema(d.close, 14, out),
    bare: { stream: () => new BareEMA(14), batch: (d, out) => bareEmaBatch(d.close, 14, out) },
    ti: {
      stream: () => new ti.EMA({ period: 14, values: [] }),
      batch: (d) => ti.EMA.calculate({ period: 14, values: d.close }),
    },
  },
  {
    name: 'WMA',
    exports: ['WMA', 'wma'],
    input: 'close',
    stream: (l) => new l.WMA(14),
    batch: (l, d, out) => l.wma(d.close, 14, out),
    ti: {
      stream: () => new ti.WMA({ period: 14, values: [] }),
      batch: (d) => ti.WMA.calculate({ period: 14, values: d.close }),
    },
  },
  {
    name: 'WilderMA',
    exports: ['WilderMA', 'wilder'],
    input: 'close',
    stream: (l) => new l.WilderMA(14),
    batch: (l, d, out) => l.wilder(d.close, 14, out),
  },
  {
    name: 'RSI',
    exports: ['RSI', 'rsi'],
    input: 'close',
    stream: (l) => new l.RSI(14),
    batch: (l, d, out) => l.rsi(d.close, 14, out),
    bare: { stream: () => new BareRSI(14), batch: (d, out) => bareRsiBatch(d.close, 14, out) },
    ti: {
      stream: () => new ti.RSI({ period: 14, values: [] }),
      batch: (d) => ti.RSI.calculate({ period: 14, values: d.close }),
    },
  },
  {
    name: 'MACD',
    columns: ['macd', 'signal', 'histogram'],
    exports: ['MACD', 'macd'],
    input: 'close',
    stream: (l) => new l.MACD(MACD_OPTIONS),
    batch: (l, d, out) => l.macd(d.close, MACD_OPTIONS, out),
    bare: {
      columns: 3,
      stream: () => new BareMACD(12, 26, 9),
      batch: (d, out) => bareMacdBatch(d.close, 12, 26, 9, out),
    },
    ti: {
      stream: () => new ti.MACD({ ...tiMacdOptions(), values: [] }),
      batch: (d) => ti.MACD.calculate({ ...tiMacdOptions(), values: d.close }),
    },
  },
  {
    name: 'TrueRange',
    exports: ['TrueRange', 'trueRange'],
    input: 'candle',
    stream: (l) => new l.TrueRange(),
    batch: (l, d, out) => l.trueRange(d.high, d.low, d.close, out),
    ti: {
      stream: () => new ti.TrueRange({ high: [], low: [], close: [] }),
      batch: (d) => ti.TrueRange.calculate({ high: d.high, low: d.low, close: d.close }),
    },
  },
  {
    name: 'ATR',
    exports: ['ATR', 'atr'],
    input: 'candle',
    stream: (l) => new l.ATR(14),
    batch: (l, d, out) => l.atr(d.high, d.low, d.close, 14, out),
    bare: {
      stream: () => new BareATR(14),
      batch: (d, out) => bareAtrBatch(d.high, d.low, d.close, 14, out),
    },
    ti: {
      stream: () => new ti.ATR({ period: 14, high: [], low: [], close: [] }),
      batch: (d) => ti.ATR.calculate({ period: 14, high: d.high, low: d.low, close: d.close }),
    },
  },
  {
    name: 'BollingerBands',
    columns: ['middle', 'upper', 'lower', 'bandwidth', 'percentB'],
    exports: ['BollingerBands', 'bollingerBands'],
    input: 'close',
    stream: (l) => new l.BollingerBands(BOLLINGER_OPTIONS),
    batch: (l, d, out) => l.bollingerBands(d.close, BOLLINGER_OPTIONS, out),
    bare: {
      columns: 5,
      // Its naive sum of squares near 40,000 loses most digits of σ: bandwidth and percentB then
      // differ from ours (two-pass accurate) by up to 1e-2 relative; middle and bands by 1e-9.
      compare: 3,
      stream: () => new BareBollinger(20, 2),
      batch: (d, out) => bareBollingerBatch(d.close, 20, 2, out),
    },
    ti: {
      stream: () => new ti.BollingerBands({ period: 20, stdDev: 2, values: [] }),
      batch: (d) => ti.BollingerBands.calculate({ period: 20, stdDev: 2, values: d.close }),
    },
  },
  {
    name: 'KeltnerChannels',
    columns: ['middle', 'upper', 'lower'],
    exports: ['KeltnerChannels', 'keltnerChannels'],
    input: 'candle',
    stream: (l) => new l.KeltnerChannels(KELTNER_OPTIONS),
    batch: (l, d, out) => l.keltnerChannels(d.high, d.low, d.close, KELTNER_OPTIONS, out),
    ti: {
      stream: () => new ti.KeltnerChannels({ ...tiKeltnerOptions(), high: [], low: [], close: [] }),
      batch: (d) =>
        ti.KeltnerChannels.calculate({
          ...tiKeltnerOptions(),
          high: d.high,
          low: d.low,
          close: d.close,
        }),
    },
  },
  {
    name: 'BollingerSqueeze',
    columns: ['squeezeOn', 'bandwidth'],
    exports: ['BollingerSqueeze', 'bollingerSqueeze'],
    input: 'candle',
    stream: (l) => new l.BollingerSqueeze(SQUEEZE_OPTIONS),
    batch: (l, d, out) => l.bollingerSqueeze(d.high, d.low, d.close, SQUEEZE_OPTIONS, out),
  },
  {
    name: 'Stochastic',
    columns: ['k', 'd'],
    exports: ['Stochastic', 'stochastic'],
    input: 'candle',
    stream: (l) => new l.Stochastic(STOCHASTIC_OPTIONS),
    bare: {
      columns: 2,
      stream: () => new BareStochastic(14, 3),
      batch: (d, out) => bareStochasticBatch(d.high, d.low, d.close, 14, 3, out),
    },
    batch: (l, d, out) => l.stochastic(d.high, d.low, d.close, STOCHASTIC_OPTIONS, out),
    ti: {
      stream: () =>
        new ti.Stochastic({ period: 14, signalPeriod: 3, high: [], low: [], close: [] }),
      batch: (d) =>
        ti.Stochastic.calculate({
          period: 14,
          signalPeriod: 3,
          high: d.high,
          low: d.low,
          close: d.close,
        }),
    },
  },
  {
    name: 'StochasticRSI',
    columns: ['k', 'd'],
    exports: ['StochasticRSI', 'stochasticRSI'],
    input: 'close',
    stream: (l) => new l.StochasticRSI(STOCHASTIC_RSI_OPTIONS),
    batch: (l, d, out) => l.stochasticRSI(d.close, STOCHASTIC_RSI_OPTIONS, out),
    ti: {
      stream: () => new ti.StochasticRSI({ ...STOCHASTIC_RSI_OPTIONS, values: [] }),
      batch: (d) => ti.StochasticRSI.calculate({ ...STOCHASTIC_RSI_OPTIONS, values: d.close }),
    },
  },
  {
    name: 'ADX',
    columns: ['adx', 'plusDI', 'minusDI'],
    exports: ['ADX', 'adx'],
    input: 'candle',
    stream: (l) => new l.ADX(14),
    batch: (l, d, out) => l.adx(d.high, d.low, d.close, 14, out),
    ti: {
      stream: () => new ti.ADX({ period: 14, high: [], low: [], close: [] }),
      batch: (d) => ti.ADX.calculate({ period: 14, high: d.high, low: d.low, close: d.close }),
    },
  },
  {
    name: 'DirectionalIndicators',
    columns: ['plusDI', 'minusDI'],
    exports: ['DirectionalIndicators', 'directionalIndicators'],
    input: 'candle',
    stream: (l) => new l.DirectionalIndicators(14),
    batch: (l, d, out) => l.directionalIndicators(d.high, d.low, d.close, 14, out),
  },
  {
    name: 'DX',
    exports: ['DX', 'dx'],
    input: 'candle',
    stream: (l) => new l.DX(14),
    batch: (l, d, out) => l.dx(d.high, d.low, d.close, 14, out),
  },
  {
    name: 'SlowStochastic',
    columns: ['k', 'd'],
    exports: ['SlowStochastic', 'slowStochastic'],
    input: 'candle',
    stream: (l) => new l.SlowStochastic({ period: 14, slowing: 3, signal: 3 }),
    batch: (l, d, out) =>
      l.slowStochastic(d.high, d.low, d.close, { period: 14, slowing: 3, signal: 3 }, out),
  },
  {
    name: 'OBV',
    exports: ['OBV', 'obv'],
    input: 'candle',
    stream: (l) => new l.OBV(),
    batch: (l, d, out) => l.obv(d.close, d.volume, out),
    ti: {
      stream: () => new ti.OBV({ close: [], volume: [] }),
      batch: (d) => ti.OBV.calculate({ close: d.close, volume: d.volume }),
    },
  },
  {
    name: 'MFI',
    exports: ['MFI', 'mfi'],
    input: 'candle',
    stream: (l) => new l.MFI(14),
    batch: (l, d, out) => l.mfi(d.high, d.low, d.close, d.volume, 14, out),
    ti: {
      stream: () => new ti.MFI({ period: 14, high: [], low: [], close: [], volume: [] }),
      batch: (d) =>
        ti.MFI.calculate({
          period: 14,
          high: d.high,
          low: d.low,
          close: d.close,
          volume: d.volume,
        }),
    },
  },
  {
    name: 'CCI',
    exports: ['CCI', 'cci'],
    input: 'candle',
    stream: (l) => new l.CCI({ period: 20 }),
    batch: (l, d, out) => l.cci(d.high, d.low, d.close, { period: 20 }, out),
    ti: {
      stream: () => new ti.CCI({ period: 20, high: [], low: [], close: [] }),
      batch: (d) => ti.CCI.calculate({ period: 20, high: d.high, low: d.low, close: d.close }),
    },
  },
  {
    name: 'WilliamsR',
    exports: ['WilliamsR', 'williamsR'],
    input: 'candle',
    stream: (l) => new l.WilliamsR(14),
    batch: (l, d, out) => l.williamsR(d.high, d.low, d.close, 14, out),
    ti: {
      stream: () => new ti.WilliamsR({ period: 14, high: [], low: [], close: [] }),
      batch: (d) =>
        ti.WilliamsR.calculate({ period: 14, high: d.high, low: d.low, close: d.close }),
    },
  },
  {
    name: 'ROC',
    exports: ['ROC', 'roc'],
    input: 'close',
    stream: (l) => new l.ROC(12),
    batch: (l, d, out) => l.roc(d.close, 12, out),
    ti: {
      stream: () => new ti.ROC({ period: 12, values: [] }),
      batch: (d) => ti.ROC.calculate({ period: 12, values: d.close }),
    },
  },
  {
    name: 'VWAP (rolling)',
    exports: ['RollingVWAP', 'rollingVwap'],
    input: 'candle',
    stream: (l) => new l.RollingVWAP(20),
    batch: (l, d, out) => l.rollingVwap(d.high, d.low, d.close, d.volume, 20, out),
  },
  {
    name: 'VWAP (anchored)',
    exports: ['SessionVWAP', 'sessionVwap'],
    input: 'candle',
    stream: (l) => new l.SessionVWAP(),
    batch: (l, d, out) => l.sessionVwap(d.time, d.high, d.low, d.close, d.volume, {}, out),
    // technicalindicators' VWAP is cumulative from the first candle (ours starts over each UTC
    // day): the same work per candle, anchored differently.
    ti: {
      stream: () => new ti.VWAP({ high: [], low: [], close: [], volume: [] }),
      batch: (d) =>
        ti.VWAP.calculate({ high: d.high, low: d.low, close: d.close, volume: d.volume }),
    },
  },
  {
    name: 'Supertrend',
    columns: ['value', 'direction'],
    exports: ['Supertrend', 'supertrend'],
    input: 'candle',
    stream: (l) => new l.Supertrend(SUPERTREND_OPTIONS),
    batch: (l, d, out) => l.supertrend(d.high, d.low, d.close, SUPERTREND_OPTIONS, out),
  },
  {
    name: 'Donchian',
    columns: ['upper', 'lower', 'middle'],
    exports: ['Donchian', 'donchian'],
    input: 'candle',
    stream: (l) => new l.Donchian(20),
    batch: (l, d, out) => l.donchian(d.high, d.low, 20, out),
  },
  {
    name: 'RelativeVolume',
    exports: ['RelativeVolume', 'relativeVolume'],
    input: 'volume',
    stream: (l) => new l.RelativeVolume(20),
    batch: (l, d, out) => l.relativeVolume(d.volume, 20, out),
  },
];

function tiMacdOptions() {
  return {
    fastPeriod: 12,
    slowPeriod: 26,
    signalPeriod: 9,
    SimpleMAOscillator: false,
    SimpleMASignal: false,
  };
}

function tiKeltnerOptions() {
  return { maPeriod: 20, atrPeriod: 10, useSMA: false, multiplier: 2 };
}

// ---------------------------------------------------------------------------------------------
// Timing.
// ---------------------------------------------------------------------------------------------

/** Results go here so that no computation is dead code. */
const sink = { value: undefined };

function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Collects garbage, then waits 10 ms for V8 to unmap what it freed in the background, so that the
 * next large allocation reuses pages the machine has just backed. Without the wait, on a VM that
 * faults fresh pages in slowly, a batch run costs 10x more whenever its outputs land on new pages.
 */
function settle() {
  collectGarbage();
  Atomics.wait(pause, 0, 0, 10);
}

/**
 * A streaming loop of its own for each case and contender: compiled from distinct source so that
 * V8 keeps separate type feedback and the `update` call stays monomorphic, as in a strategy that
 * uses one indicator. A shared loop would go megamorphic across cases and slow every contender.
 */
function streamLoop(tag, method) {
  return new Function(
    'indicator',
    'input',
    'n',
    `'use strict'; // ${tag}
    let produced = 0;
    for (let i = 0; i < n; i++) {
      const value = indicator.${method}(input[i]);
      if (value === value && value !== undefined) produced++;
    }
    return produced;`,
  );
}

// ---------------------------------------------------------------------------------------------
// Allocation. V8 has no per-call allocation counter that Node exposes (getHeapStatistics lacks
// total_allocated_bytes), so we read `heapUsed` around chunks of updates short enough that the
// young generation cannot fill up during one: a minor collection (`gc({ type: 'minor' })`, from
// --expose-gc) empties it before each chunk, so the growth over the chunk is exactly what the
// updates allocated, less the fixed cost of the reading itself, measured on empty chunks. A chunk
// in which a collection happened anyway (heapUsed fell) is re-run, and flagged if that persists.
// ---------------------------------------------------------------------------------------------

const ALLOC_UPDATES = Number(process.env.BENCH_ALLOC_UPDATES ?? (QUICK ? 200_000 : 1_000_000));
const ALLOC_CHUNK = 20_000;
// Enough for the fresh instance's code to tier up to optimized code (Maglev, then TurboFan) first:
// the goal is the steady state of a strategy's update, not the one-off cost of compiling it.
const ALLOC_WARMUP = 20_000;
const ALLOC_GOAL = 1;
/** BENCH_ALLOC_ONLY=1: measure allocation only, skipping every timing. */
const ALLOC_ONLY = process.env.BENCH_ALLOC_ONLY === '1';

/**
 * Like {@link streamLoop}, over `input[from..to)` (wrapping round), on a distinct compiled loop.
 * Candles go through `update(candle)`. Numbers go through `addFrom(column, index)`, the API that
 * never allocates: `update(number)` boxes its argument (16 bytes) whenever V8 does not inline the
 * call, which in a strategy's large `onCandle` it often cannot; the indicator's own code is what
 * is measured.
 */
function allocationLoop(tag, numbers) {
  const step = numbers
    ? 'indicator.addFrom(input, i % n);\n      if (indicator.isReady) produced++;'
    : 'const value = indicator.update(input[i % n]);\n      if (value === value) produced++;';
  return new Function(
    'indicator',
    'input',
    'from',
    'to',
    `'use strict'; // ${tag}
    const n = input.length;
    let produced = 0;
    for (let i = from; i < to; i++) {
      ${step}
    }
    return produced;`,
  );
}

function minorCollection() {
  if (typeof globalThis.gc === 'function') globalThis.gc({ type: 'minor' });
}

/** heapUsed growth over `run()`, run right after a minor collection; `undefined` if GC struck. */
function heapGrowth(run) {
  minorCollection();
  const before = process.memoryUsage().heapUsed;
  run();
  const after = process.memoryUsage().heapUsed;
  return after >= before ? after - before : undefined;
}

/**
 * Bytes allocated per `update` of a fresh streaming indicator, after {@link ALLOC_WARMUP} warm-up
 * updates, on average over {@link ALLOC_UPDATES} updates; `undefined` without --expose-gc.
 */
function allocationPerUpdate(name, make, input, notes) {
  if (typeof globalThis.gc !== 'function') return undefined;
  const loop = allocationLoop(`${name} allocation`, ArrayBuffer.isView(input));
  // Optimise the loop (and the indicator's code) first, on a throwaway instance.
  const scratch = make();
  for (let i = 0; i < 5; i++) loop(scratch, input, i * 100_000, (i + 1) * 100_000);
  const indicator = make();
  loop(indicator, input, 0, ALLOC_WARMUP);
  const empty = [];
  for (let i = 0; i < 20; i++) {
    const growth = heapGrowth(() => loop(indicator, input, 0, 0));
    if (growth !== undefined) empty.push(growth);
  }
  const overhead = empty.length > 0 ? median(empty) : 0;
  const perUpdate = [];
  let lost = 0;
  for (let from = ALLOC_WARMUP; from < ALLOC_WARMUP + ALLOC_UPDATES; from += ALLOC_CHUNK) {
    const to = Math.min(from + ALLOC_CHUNK, ALLOC_WARMUP + ALLOC_UPDATES);
    let growth;
    for (let attempt = 0; attempt < 3 && growth === undefined; attempt++) {
      // A retry starts from the same state: the indicator is not rewound, but its cost per
      // update does not depend on which candles it sees.
      growth = heapGrowth(() => (sink.value = loop(indicator, input, from, to)));
    }
    if (growth === undefined) lost++;
    else perUpdate.push(Math.max(0, growth - overhead) / (to - from));
  }
  if (lost > 0) notes.push(`${name} allocation: ${lost} chunks lost to collections`);
  if (perUpdate.length === 0) return undefined;
  // The median chunk is the steady state of an update; a chunk in which V8 re-optimized (after a
  // deoptimization elsewhere in the process) can allocate while it runs unoptimized code, which
  // the mean would spread over every update: reported in a note when it lifts the mean to 1 byte.
  const mean = perUpdate.reduce((sum, bytes) => sum + bytes, 0) / perUpdate.length;
  const steady = median(perUpdate);
  if (mean >= ALLOC_GOAL && steady < ALLOC_GOAL) {
    const spikes = perUpdate.filter((bytes) => bytes >= ALLOC_GOAL).length;
    notes.push(
      `${name} allocation: mean ${formatBytes(mean)} bytes/update, from ${spikes} of ${perUpdate.length} chunks (the median chunk: ${formatBytes(steady)})`,
    );
  }
  return steady;
}

/** What a case's `update` takes, for every candle of `source`. */
function streamInput(source, kind) {
  return kind === 'candle' ? source.candles : source[kind];
}

/** Whether a result holds at least one finite number (in an array or object too). */
function hasFiniteNumber(output) {
  if (typeof output === 'number') return Number.isFinite(output);
  if (output === null || typeof output !== 'object') return false;
  const values =
    ArrayBuffer.isView(output) || Array.isArray(output) ? output : Object.values(output);
  for (const value of values) if (hasFiniteNumber(value)) return true;
  return false;
}

const PROBE_CANDLES = 2000;

/**
 * Why a contender looks wrong on the first candles, if it does: a guessed signature that does not
 * throw (a candle where a number is due) would otherwise spend minutes computing NaN.
 */
function probeProblem(probe) {
  try {
    return probe() ? undefined : `no finite output on the first ${PROBE_CANDLES} candles`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * A contender that runs a batch function, `batch(source)`, over all candles once per run. Each
 * timed run starts {@link settle}d, so the previous run's outputs are freed and their memory
 * reused: on a VM where touching fresh pages is slow, this keeps page faults from swamping the
 * computation, for ours and bare alike.
 */
function batchContender(key, label, batch, source, columns, repeats = 1) {
  const out = makeOutput(columns, source.length);
  return {
    key,
    label,
    repeats,
    run: () => {
      let result;
      for (let r = 0; r < repeats; r++) result = batch(source, out);
      return result;
    },
    probe: () => hasFiniteNumber(batch(firstCandles(source, PROBE_CANDLES), undefined)),
    // Our batch runs and the bare loops write into reused outputs: nothing to collect between
    // runs. technicalindicators allocates its outputs, so its runs start collected.
    collect: columns === 'allocates',
  };
}

/**
 * The output a batch contender writes into, made once and reused by every run: one Float64Array,
 * or for a multi-output indicator its columns (an array of them for a bare loop, given their
 * count; an object for ours, given their names).
 */
function makeOutput(columns, length) {
  if (columns === 'allocates') return undefined;
  if (columns === undefined) return new Float64Array(length);
  if (typeof columns === 'number') return bareColumns(length, columns);
  return Object.fromEntries(columns.map((name) => [name, new Float64Array(length)]));
}

/** The first `count` candles of `source`, as views where possible. */
function firstCandles(source, count) {
  const slice = {};
  for (const [key, value] of Object.entries(source)) {
    slice[key] = ArrayBuffer.isView(value)
      ? value.subarray(0, count)
      : Array.isArray(value)
        ? value.slice(0, count)
        : value;
  }
  slice.length = Math.min(count, source.length);
  return slice;
}

/**
 * A contender that streams `input` through a fresh indicator per run, with `method`. No forced
 * collection before its runs, as in a live strategy (a full collection shrinks the young
 * generation, and the run would then pay to grow it again).
 */
function streamContender(key, label, method, make, input, repeats = 1) {
  const loop = streamLoop(label, method);
  const probe = () => {
    const indicator = make();
    const count = Math.min(PROBE_CANDLES, input.length);
    for (let i = 0; i < count; i++) if (hasFiniteNumber(indicator[method](input[i]))) return true;
    return false;
  };
  const run = () => {
    let produced = 0;
    for (let r = 0; r < repeats; r++) produced += loop(make(), input, input.length);
    return produced;
  };
  return { key, label, repeats, run, probe, collect: false };
}

/**
 * Median ns per candle of each contender over `runs` timed runs after `warmup` untimed ones. The
 * contenders take turns run by run, so a slow spell of the machine (other processes, page faults)
 * falls on all of them rather than on one. A contender that throws is dropped with a note (the
 * signatures of new indicators may differ from the case table's guesses).
 */
function measureTogether(contenders, candles, runs, warmup, notes) {
  const live = contenders.filter((contender) => {
    const problem = probeProblem(contender.probe);
    if (problem !== undefined) {
      notes.push(`${contender.label}: ${problem}; check the case's signature`);
      return false;
    }
    try {
      for (let i = 0; i < warmup; i++) sink.value = contender.run();
      return true;
    } catch (error) {
      notes.push(`${contender.label}: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    }
  });
  const times = new Map(live.map((contender) => [contender, []]));
  for (let i = 0; i < runs; i++) {
    for (const contender of live) {
      if (contender.collect) settle();
      const start = process.hrtime.bigint();
      sink.value = contender.run();
      times.get(contender).push(Number(process.hrtime.bigint() - start));
    }
  }
  const results = {};
  for (const contender of live) {
    results[contender.key] = median(times.get(contender)) / (candles * contender.repeats);
    results[`${contender.key}Times`] = times.get(contender);
  }
  return results;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

/**
 * The median over runs of `reference / ours`, each pair timed in the same round: robust to the
 * machine slowing down for a while, which would skew a ratio of two separate medians.
 */
function pairedSpeed(referenceTimes, oursTimes) {
  if (referenceTimes === undefined || oursTimes === undefined) return undefined;
  return median(oursTimes.map((ours, i) => referenceTimes[i] / ours));
}

/** The largest relative difference between two series, or where their NaN positions differ. */
function compareSeries(ours, bare) {
  if (!(ours instanceof Float64Array) || ours.length !== bare.length) return undefined;
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i];
    const b = bare[i];
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) return { worst: Infinity, at: i };
      continue;
    }
    const difference = Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
    if (difference > worst) worst = difference;
  }
  return { worst, at: -1 };
}

// ---------------------------------------------------------------------------------------------
// Run.
// ---------------------------------------------------------------------------------------------

const startedAt = process.hrtime.bigint();
const loadAtStart = loadavg();
const elapsed = () => `${(Number(process.hrtime.bigint() - startedAt) / 1e9).toFixed(1)}s`;
const progress = (text) => process.stderr.write(`${text}\n`);

if (typeof globalThis.gc !== 'function') {
  progress('note: run with --expose-gc (pnpm bench does) to collect garbage between runs');
}
progress(`generating ${CANDLES.toLocaleString('en-US')} candles (seed ${SEED})...`);
const data = generateCandles(CANDLES, SEED);
const tiData = plainSlice(data, TI_CANDLES);
progress(`generated in ${elapsed()}`);

/**
 * What memory costs on this machine, per entry of one batch output (a Float64Array over every
 * candle): filling it on fresh pages (earlier arrays kept alive, so no page can be reused), on
 * pages just freed (as batch runs are, after {@link settle}), and refilling it in place.
 */
function memoryCost() {
  const fresh = [];
  const reused = [];
  const inPlace = [];
  const kept = [];
  const time = (fill) => {
    const start = process.hrtime.bigint();
    fill();
    return Number(process.hrtime.bigint() - start) / CANDLES;
  };
  for (let i = 0; i < 5; i++) {
    fresh.push(time(() => kept.push(new Float64Array(CANDLES).fill(1))));
    inPlace.push(time(() => kept[0].fill(i)));
  }
  kept.length = 0;
  for (let i = 0; i < 5; i++) {
    settle();
    reused.push(time(() => (sink.value = new Float64Array(CANDLES).fill(1))));
  }
  return { fresh: median(fresh), reused: median(reused), inPlace: median(inPlace) };
}
const memory = memoryCost();

const selected = ONLY ? cases.filter((c) => ONLY.includes(c.name.toLowerCase())) : cases;
const rows = [];
const notes = [];
const goals = [];
/** Correctness checks, printed as `CHECK` lines: ours against the bare loop's output. */
const checks = [];

for (const [index, testCase] of selected.entries()) {
  const { name } = testCase;
  const prefix = `[${index + 1}/${selected.length}] ${name}`;
  const [classExport, batchExport] = testCase.exports;
  const missing = testCase.exports.filter((exported) => !(exported in lib));
  const row = { name, skipped: missing.length === testCase.exports.length };
  rows.push(row);
  for (const exported of missing) {
    const similar = Object.keys(lib).find((key) => key.toLowerCase() === exported.toLowerCase());
    if (similar)
      notes.push(`${name}: no export ${exported}, but there is ${similar}: fix the case`);
  }
  if (row.skipped) {
    progress(`${prefix}: skipped, not exported yet (${missing.join(', ')})`);
    continue;
  }
  if (missing.length > 0) notes.push(`${name}: ${missing.join(', ')} not exported yet`);
  const input = streamInput(data, testCase.input);
  const tiInput = streamInput(tiData, testCase.input);

  // Batch contenders take turns with each other, then streaming ones with each other.
  const batches = [];
  const streams = [];
  if (!missing.includes(batchExport)) {
    const batch = (source, out) => testCase.batch(lib, source, out);
    batches.push(batchContender('batch', `${name} batch`, batch, data, testCase.columns, REPEATS));
  }
  if (!missing.includes(classExport)) {
    const make = () => testCase.stream(lib);
    streams.push(streamContender('stream', `${name} streaming`, 'update', make, input, REPEATS));
  }
  if (testCase.bare) {
    const { bare } = testCase;
    batches.push(
      batchContender('bareBatch', `${name} bare batch`, bare.batch, data, bare.columns, REPEATS),
    );
    streams.push(
      streamContender(
        'bareStream',
        `${name} bare streaming`,
        'update',
        bare.stream,
        input,
        REPEATS,
      ),
    );
  }
  const against = testCase.bare ? ' and the bare baseline' : '';
  if (ALLOC_ONLY) {
    batches.length = 0;
    streams.length = 0;
  }
  collectGarbage();
  progress(`${prefix}: batch${against}...`);
  Object.assign(row, measureTogether(batches, CANDLES, RUNS, WARMUP, notes));
  progress(`${prefix}: streaming${against}...`);
  Object.assign(row, measureTogether(streams, CANDLES, RUNS, WARMUP, notes));

  if (testCase.ti && !ALLOC_ONLY) {
    progress(`${prefix}: technicalindicators on ${TI_CANDLES.toLocaleString('en-US')} candles...`);
    const { ti: reference } = testCase;
    const tiBatch = batchContender(
      'tiBatch',
      `${name} technicalindicators batch`,
      reference.batch,
      tiData,
      'allocates',
    );
    const tiStream = streamContender(
      'tiStream',
      `${name} technicalindicators streaming`,
      'nextValue',
      reference.stream,
      tiInput,
    );
    collectGarbage();
    Object.assign(row, measureTogether([tiBatch], TI_CANDLES, TI_RUNS, TI_WARMUP, notes));
    Object.assign(row, measureTogether([tiStream], TI_CANDLES, TI_RUNS, TI_WARMUP, notes));
  }

  if (testCase.bare && row.batch !== undefined) {
    const ours = testCase.batch(lib, data, undefined);
    const bare = testCase.bare.batch(data, undefined);
    // A multi-output bare loop's columns are ours in order; `compare` limits the check to the
    // first few where the bare formula is too imprecise for the rest to agree.
    const pairs = Array.isArray(bare)
      ? bare
          .slice(0, testCase.bare.compare ?? bare.length)
          .map((column, i) => [Object.values(ours)[i], column])
      : [[ours, bare]];
    const compared = pairs.map(([a, b]) => compareSeries(a, b));
    const check = compared.includes(undefined)
      ? undefined
      : compared.reduce((a, b) => (b.worst > a.worst ? b : a));
    if (check === undefined) {
      checks.push(`FAIL ${name} batch agrees with the bare loop: could not compare`);
    } else if (check.worst > 1e-6) {
      const where = check.at >= 0 ? `NaN mismatch at index ${check.at}` : 'max relative difference';
      checks.push(
        `FAIL ${name} batch agrees with the bare loop: ${where} ${check.worst.toExponential(2)}`,
      );
    } else {
      checks.push(
        `PASS ${name} batch agrees with the bare loop: max relative difference ${check.worst.toExponential(2)}`,
      );
    }
  }
  if (!missing.includes(classExport)) {
    progress(`${prefix}: allocation per streaming update...`);
    collectGarbage();
    row.allocation = allocationPerUpdate(name, () => testCase.stream(lib), input, notes);
  }
  progress(
    `${prefix}: batch ${format(row.batch)} ns, streaming ${format(row.stream)} ns per candle, ${formatBytes(row.allocation)} B/update (${elapsed()})`,
  );

  if (testCase.bare) {
    row.batchSpeed = pairedSpeed(row.bareBatchTimes, row.batchTimes);
    row.streamSpeed = pairedSpeed(row.bareStreamTimes, row.streamTimes);
    for (const [kind, speed] of [
      ['batch', row.batchSpeed],
      ['streaming', row.streamSpeed],
    ]) {
      if (speed === undefined) {
        goals.push(`SKIP ${name} ${kind}: not measured`);
        continue;
      }
      const baseline = kind === 'batch' ? 'loop' : 'class';
      goals.push(
        `${speed >= GOAL ? 'PASS' : 'FAIL'} ${name} ${kind}: ${speed.toFixed(2)}x the speed of the bare ${baseline} (goal >= ${GOAL}x)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report.
// ---------------------------------------------------------------------------------------------

function format(ns) {
  if (ns === undefined) return '-';
  return ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : ns.toFixed(0);
}

function formatBytes(bytes) {
  if (bytes === undefined) return '-';
  return bytes < 10 ? bytes.toFixed(2) : bytes.toFixed(1);
}

function ratio(reference, ours) {
  return reference === undefined || ours === undefined ? '-' : speedText(reference / ours);
}

function speedText(speed) {
  return speed === undefined ? '-' : `${speed.toFixed(2)}x`;
}

function versusTi(row) {
  if (row.tiBatch === undefined && row.tiStream === undefined) return 'n/a';
  const speedups = `${ratio(row.tiBatch, row.batch)} / ${ratio(row.tiStream, row.stream)}`;
  return `${speedups} (TI ${format(row.tiBatch)} / ${format(row.tiStream)} ns)`;
}

const header = [
  'indicator',
  'batch ns/candle',
  'streaming ns/candle',
  'bytes/update',
  'bare batch',
  'bare stream',
  'batch/bare',
  'stream/bare',
  'vs technicalindicators',
];
const body = rows.map((row) =>
  row.skipped
    ? [row.name, 'not exported yet', '-', '-', '-', '-', '-', '-', '-']
    : [
        row.name,
        format(row.batch),
        format(row.stream),
        formatBytes(row.allocation),
        format(row.bareBatch),
        format(row.bareStream),
        speedText(row.batchSpeed),
        speedText(row.streamSpeed),
        versusTi(row),
      ],
);

const table = markdownTable(header, body);
const cpu = cpus();
const loadAtEnd = loadavg();
const formatLoad = (load) => load.map((value) => value.toFixed(2)).join(', ');
const summary = [
  `Load average (1, 5, 15 min) at the start ${formatLoad(loadAtStart)}, at the end ${formatLoad(loadAtEnd)}${QUICK ? '; --quick run' : ''}.`,
  `${CANDLES.toLocaleString('en-US')} candles (seeded random walk, seed ${SEED}); median of ${RUNS} runs (each ${REPEATS} passes over the candles) after ${WARMUP} warm-up runs; Node ${process.version}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}.`,
  `technicalindicators on the first ${TI_CANDLES.toLocaleString('en-US')} candles (median of ${TI_RUNS}), scaled per candle. Ratios are speeds relative to ours, above 1x when we are faster: batch/bare and stream/bare are the median over runs of the bare time / our time, both timed in the same round (goal >= ${GOAL}x); vs technicalindicators is its ns / our ns (batch / streaming).`,
  `bytes/update: heap allocated per streaming update at a monomorphic call site (a loop compiled per indicator with new Function, as a strategy calls one indicator; numbers fed with addFrom(column, index), candles with update(candle)), the median over chunks of ${ALLOC_CHUNK.toLocaleString('en-US')} updates (${ALLOC_UPDATES.toLocaleString('en-US')} in all, after ${ALLOC_WARMUP.toLocaleString('en-US')} warm-up ones) of the heapUsed growth over the chunk, each after a minor collection, less the cost of reading it; a mean lifted by a chunk that re-optimized is given in the notes; goal < ${ALLOC_GOAL} byte/update.`,
  `Memory: a new ${CANDLES.toLocaleString('en-US')}-entry Float64Array, filled, costs ${format(memory.fresh)} ns per entry on fresh pages, ${format(memory.reused)} ns on just-freed ones (as batch runs get: each starts after a collection and a 10 ms pause); refilling in place costs ${format(memory.inPlace)} ns. Batch runs (ours and bare) write into outputs allocated once and reused, so they pay the in-place cost.`,
];
const measured = rows.filter((row) => row.allocation !== undefined);
if (measured.length === 0) {
  goals.push('SKIP allocation-free streaming: not measured (run with --expose-gc)');
} else {
  const worst = measured.reduce((a, b) => (b.allocation > a.allocation ? b : a));
  const over = measured.filter((row) => row.allocation >= ALLOC_GOAL);
  goals.push(
    over.length === 0
      ? `PASS allocation-free streaming: all ${measured.length} streaming indicators under ${ALLOC_GOAL} byte/update (worst ${worst.name}, ${formatBytes(worst.allocation)})`
      : `FAIL allocation-free streaming: ${over.map((row) => `${row.name} ${formatBytes(row.allocation)}`).join(', ')} bytes/update (goal < ${ALLOC_GOAL})`,
  );
}
const goalLines =
  goals.length > 0 ? goals : ['No goal could be checked: SMA, EMA, RSI and ATR are not exported.'];

const methodLines = [
  'Bare baselines: the least code that computes the same outputs at the same conventions (SMA-seeded EMA, Wilder RSI and ATR, population σ, SMA-seeded MACD EMAs; the stochastic scans its window for the extremes), as a loop over Float64Array columns writing into outputs allocated once and reused run after run, and as a plain class with an `update` method. Ours run the same way: batch functions get the same reused outputs through their `out` argument.',
  `Timing: contenders of one case take turns run by run (${RUNS} timed runs after ${WARMUP} warm-up ones, each ${REPEATS} passes over the candles, a fresh streaming instance per pass); a ratio is the median over runs of bare time / our time within the same round, so a slow spell of the shared machine hits both.`,
  'Allocation: for each streaming indicator a loop function of its own is compiled with `new Function` (distinct source, so V8 keeps separate type feedback and the call site stays monomorphic, as in a strategy that holds the indicator in a field); indicators of numbers are fed with `addFrom(column, index)`, since `update(number)` boxes its argument (16 bytes) whenever V8 does not inline the call, a cost of the call site, not of the indicator, run over 500,000 updates on a throwaway instance, then on a fresh instance for the warm-up and the measured chunks. Each chunk starts right after a minor collection (`gc({ type: "minor" })`); the growth of `heapUsed` over it, less that of an empty chunk, is what the updates allocated. The figure is the median chunk, the steady state; a chunk in which V8 re-optimizes after a deoptimization elsewhere in the process runs unoptimized code for a while and allocates, and when such chunks lift the mean to 1 byte or more the mean is given in the notes.',
  'Why it reaches 0 bytes in V8: a double returned from (or passed to) a call that is not inlined is boxed in a 16-byte HeapNumber, so `update` is a few bytes that store the input in a field and call a method that returns nothing, and composites read the fields of their parts rather than returned doubles; result objects and batch scratch candles are instances of small classes, since object literals share hidden-class transitions with unrelated literals whose fields may hold anything; fields that will hold fractions start as -0, a heap number, so their representation is a double from the start and never changes (a change throws away the optimized code of earlier instances).',
];

const markdown = [
  '# @lumenlink/indicators benchmark',
  '',
  ...summary.flatMap((line) => [line, '']),
  table,
  '',
  '## Goals',
  '',
  ...goalLines.map((line) => `- ${line}`),
  ...checks.map((line) => `- CHECK ${line}`),
  '',
  '## Method',
  '',
  ...methodLines.map((line) => `- ${line}`),
  ...(notes.length > 0 ? ['', '## Notes', '', ...notes.map((line) => `- ${line}`)] : []),
  '',
].join('\n');

// Only a full run of every case replaces the recorded results: a quick, partial or
// allocation-only run leaves them in place.
const isFullRun = !ALLOC_ONLY && !QUICK && ONLY === undefined;
if (isFullRun) writeFileSync(new URL('./results.md', import.meta.url), markdown);
process.stdout.write(
  `${summary.join('\n')}\n\n${table}\n\n${goalLines.map((line) => `GOAL ${line}`).join('\n')}\n${checks.map((line) => `CHECK ${line}\n`).join('')}`,
);
if (notes.length > 0)
  process.stdout.write(`\n${notes.map((line) => `note: ${line}`).join('\n')}\n`);
progress(`done in ${elapsed()}${isFullRun ? '; wrote bench/results.md' : ''}`);
