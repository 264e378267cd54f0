/**
 * The soak harness behind `pnpm soak` (soak/run.mjs, over the built bot) and the short soak test
 * (test/soak.test.ts, over the sources): seeded random-walk 1m candles for many symbols are
 * stored in a temporary database, and the real bot (`startBot`, paper mode, `DATA_SOURCE=replay`)
 * replays them as fast as it can. While it runs, the harness samples the heap (after a full GC
 * when node runs with --expose-gc) and the process's active handles every few candle times,
 * times every strategy-loop run and the event loop's delay, and after the replay it stops the bot
 * and checks that the handles returned to what they were before it started.
 *
 * Nothing here reaches into the bot's internals beyond its public `Bot` object: the per-run
 * durations and the candle count come from wrapping `bot.metrics.loopRun` and
 * `bot.metrics.candleProcessed`, the two calls the bot already makes after every loop run and
 * every processed candle.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSecrets, loadConfig } from '@lumenlink/config';
import { percentile as percentileOf, seededRandom } from '@lumenlink/core';
import { createLogger } from '@lumenlink/core/logging';
import { openStore } from '@lumenlink/data';

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** The 20 default symbols, in config order. `--symbols` above 20 adds `C21-USDT`, ... */
const soakSymbolBases = [
  'BTC',
  'ETH',
  'SOL',
  'XRP',
  'ADA',
  'DOGE',
  'AVAX',
  'DOT',
  'LINK',
  'LTC',
  'BCH',
  'ATOM',
  'UNI',
  'XLM',
  'ETC',
  'FIL',
  'APT',
  'ARB',
  'OP',
  'NEAR',
];

/**
 * The pass/fail thresholds:
 * - heap: growth from the end of the warm-up (the first 10% of the candle times) to the end of
 *   the run, both sampled after a full GC, at most 20% of the post-warm-up heap and at most
 *   50 MB (exceeding either fails). The replay's own candles are loaded before the warm-up ends,
 *   so what is left to grow is what the bot accumulates: orders, fills, decisions, metrics;
 * - handles other than timers (servers, sockets, files): no more at the end of the run than
 *   after the warm-up;
 * - timers: at most {@link timerLimit} at the end of the run (the alert dispatcher's repeat
 *   windows are wall-clock timers and pile up to a bound during a replay);
 * - after `bot.stop()`: exactly the handles there were before the bot started;
 * - every stored candle processed.
 */
const defaultThresholds = Object.freeze({
  maxHeapGrowthPct: 20,
  maxHeapGrowthMb: 50,
  /** The loops' own timers (4 loops), armed or not at the moment of a sample. */
  handleSlack: 4,
});

/** The options `pnpm soak` takes; see {@link parseSoakArgs}. */
export const soakUsage = `Usage: pnpm soak [--days N] [--symbols N] [--quick] [--strategy KEY] [--samples N] [--keep-db] [--json]

Replays N days of seeded random-walk 1m candles for N symbols through the bot (paper mode,
DATA_SOURCE=replay, as fast as it goes) and reports heap, open handles, loop latencies as
percentiles and throughput. Defaults: 30 days, 20 symbols (43,200 candle times, 864,000
candles), strategy composite (it trades on these candles: about 25 orders per symbol and day),
60 samples. --quick: 2 days. Run node with --expose-gc (the pnpm script does) so each heap
sample follows a full GC.

Exit 0 when it passes; 1 when the heap grows more than ${defaultThresholds.maxHeapGrowthPct}% or ${defaultThresholds.maxHeapGrowthMb} MB after
the warm-up (the first 10% of the candle times), handles grow, the handles after stop differ
from those before start, or the bot fails; 2 for a bad flag.
`;

/**
 * Parses `pnpm soak` flags.
 *
 * @throws {Error} with a message naming the bad flag.
 */
export function parseSoakArgs(argv) {
  const options = {
    days: 30,
    symbols: 20,
    strategy: 'composite',
    samples: 60,
    keepDb: false,
    json: false,
    help: false,
  };
  let quick = false;
  let daysGiven = false;
  const positive = (flag, text, { integer = false } = {}) => {
    const value = Number(text);
    if (
      text === undefined ||
      !Number.isFinite(value) ||
      value <= 0 ||
      (integer && !Number.isInteger(value))
    ) {
      throw new Error(
        `${flag} needs a ${integer ? 'whole ' : ''}number > 0, got ${JSON.stringify(text ?? null)}`,
      );
    }
    return value;
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => inline ?? argv[++index];
    switch (flag) {
      case '--':
        break;
      case '--days':
        options.days = positive('--days', value());
        daysGiven = true;
        break;
      case '--symbols':
        options.symbols = positive('--symbols', value(), { integer: true });
        break;
      case '--strategy':
        options.strategy = value() ?? '';
        if (!/^[a-z][a-z0-9_]*$/.test(options.strategy)) {
          throw new Error(
            `--strategy needs a strategy key, got ${JSON.stringify(options.strategy)}`,
          );
        }
        break;
      case '--samples':
        options.samples = positive('--samples', value(), { integer: true });
        break;
      case '--quick':
        quick = true;
        break;
      case '--keep-db':
        options.keepDb = true;
        break;
      case '--json':
        options.json = true;
        break;
      case '--help':
      case '-h':
        options.help = true;
        break;
      default:
        throw new Error(`unknown flag ${JSON.stringify(arg)}`);
    }
  }
  if (quick && !daysGiven) options.days = 2;
  return options;
}

/** The symbols of a soak: the 20 defaults, then `C21-USDT`, `C22-USDT`, ... */
export function soakSymbols(count) {
  return Array.from(
    { length: count },
    (_, index) => `${soakSymbolBases[index] ?? `C${index + 1}`}-USDT`,
  );
}

/** A standard normal draw (Box-Muller) from a uniform source. */
function gaussian(random) {
  const u = Math.max(random(), Number.EPSILON);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/**
 * `count` 1m candles of a seeded geometric random walk with slowly drifting trends (so the
 * strategies trade), wicks and volume, starting at `start`. The same seed gives the same candles.
 */
function randomWalkCandles({ seed, count, start, price }) {
  const random = seededRandom(seed);
  const candles = new Array(count);
  let close = price;
  let drift = 0;
  for (let index = 0; index < count; index++) {
    // A trend that wanders over hours, and per-minute noise of about 0.1%.
    drift = drift * 0.999 + gaussian(random) * 0.000_01;
    const open = close;
    close = open * Math.exp(drift + gaussian(random) * 0.001);
    const high = Math.max(open, close) * (1 + Math.abs(gaussian(random)) * 0.0004);
    const low = Math.min(open, close) * (1 - Math.abs(gaussian(random)) * 0.0004);
    candles[index] = {
      time: start + index * minuteMs,
      open,
      high,
      low,
      close,
      volume: 10 + random() * 90,
    };
  }
  return candles;
}

/** A writable that drops every line, counting them by level and message. */
function countingSink() {
  const counts = { error: 0, warn: 0, info: 0, debug: 0 };
  const messages = new Map();
  const firstErrors = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        let record;
        try {
          record = JSON.parse(line);
        } catch {
          record = { level: 'error', msg: line };
        }
        const level = String(record.level);
        if (level in counts) counts[level] += 1;
        const key = `${level}: ${String(record.msg)}`;
        messages.set(key, (messages.get(key) ?? 0) + 1);
        if (level === 'error' && firstErrors.length < 5) firstErrors.push(line.slice(0, 500));
      }
      done();
    },
  });
  const summary = () => ({
    ...counts,
    messages: Object.fromEntries([...messages].sort((a, b) => b[1] - a[1])),
    firstErrors,
  });
  return { stream, summary };
}

/** The `percent` percentile (core's definition) of ascending `sorted`, or `null` when empty. */
export function percentile(sorted, percent) {
  return sorted.length === 0 ? null : percentileOf(sorted, percent);
}

/** A fixed-capacity log of numbers (values past the capacity are dropped and counted). */
function durationLog(capacity) {
  const values = new Float64Array(capacity);
  let length = 0;
  let dropped = 0;
  return {
    add(value) {
      if (length < capacity) values[length++] = value;
      else dropped += 1;
    },
    count: () => length + dropped,
    values: () => values.subarray(0, length),
  };
}

/** Active resources by type, e.g. `{ Timeout: 3, TCPServerWrap: 1 }`. */
function activeResources() {
  const counts = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/**
 * The most timers the running bot may hold: the scheduler's loop timers, and the alert
 * dispatcher's repeat windows, one wall-clock timer (10 minutes) per distinct repeated alert: a
 * risk block per symbol, side and check (10 checks), or an error per code. Replay runs the
 * candles far faster than the wall clock, so these windows pile up to that bound and stay
 * there; a timer per candle or per order would pass it within the first simulated day.
 */
function timerLimit(symbols, thresholds = defaultThresholds) {
  return symbols * 2 * 10 + thresholds.handleSlack + 20;
}

function timers(counts) {
  return (counts.Timeout ?? 0) + (counts.Immediate ?? 0);
}

function total(counts) {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** Active resources other than timers: servers, sockets, files, handles that must not pile up. */
function nonTimers(counts) {
  return Object.entries(counts)
    .filter(([type]) => type !== 'Timeout' && type !== 'Immediate')
    .reduce((sum, [, count]) => sum + count, 0);
}

const megabyte = 1024 * 1024;
/** The event-loop delay sampling interval; node records interval + delay, so it is subtracted. */
const delayResolutionMs = 5;

/** Heap used in bytes, after a full GC when node runs with --expose-gc. */
function heapUsed() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
  return process.memoryUsage().heapUsed;
}

/** Lets pending callbacks (socket closes, file handles) settle before counting handles. */
async function settle() {
  for (let round = 0; round < 5; round++) await sleep(20);
}

/**
 * Stores the soak's candles in a new database at `dbPath`, symbol by symbol (one symbol's
 * candles in memory at a time). Returns the number of candles stored.
 */
async function seedSoakDatabase(dbPath, { symbols, candleTimes, start, seed = 20240101 }) {
  const store = await openStore({ path: dbPath });
  let stored = 0;
  try {
    for (const [index, symbol] of symbols.entries()) {
      const candles = randomWalkCandles({
        seed: seed + index * 7919,
        count: candleTimes,
        start,
        price: 10 ** (1 + ((index * 37) % 40) / 10),
      });
      stored += await store.candles.saveCandles(symbol, '1m', candles);
    }
  } finally {
    await store.close();
  }
  return stored;
}

/**
 * Runs one soak and returns its report. `startBot` is the bot's (`dist/bot.js` for `pnpm soak`,
 * `src/bot.js` in the test). `onProgress` hears a line per sample.
 */
export async function runSoak(options, { startBot, onProgress = () => undefined }) {
  const symbols = soakSymbols(options.symbols);
  const candleTimes = Math.max(2, Math.round(options.days * (dayMs / minuteMs)));
  const samples = Math.max(2, Math.min(options.samples, candleTimes));
  const warmupCandleTimes = Math.max(1, Math.floor(candleTimes * 0.1));
  const start = Date.UTC(2024, 0, 1);
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-soak-'));
  const dbPath = join(dir, 'soak.db');
  const gcExposed = typeof globalThis.gc === 'function';

  try {
    const seedStarted = performance.now();
    const storedCandles = await seedSoakDatabase(dbPath, { symbols, candleTimes, start });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const config = loadConfig({
      MODE: 'paper',
      DATA_SOURCE: 'replay',
      EXCHANGE: 'binance',
      SYMBOLS: symbols.join(','),
      INTERVAL: '1m',
      STRATEGY: options.strategy,
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
    });
    const sink = countingSink();
    const logger = createLogger({
      level: 'warn',
      format: 'json',
      stream: sink.stream,
      secrets: configSecrets(config),
    });

    await settle();
    const handlesBefore = activeResources();
    const heapBefore = heapUsed();

    const sampleEvery = Math.max(1, Math.floor(candleTimes / samples));
    const series = [];
    // Run durations in ms, preallocated so recording them does not grow the heap being watched
    // (a run takes at most one candle time; the rest is room for empty runs).
    const strategyRuns = durationLog(2 * candleTimes + 1024);
    const marketDataRuns = durationLog(2 * candleTimes + 1024);
    let candlesProcessed = 0;
    let nextSampleAt = sampleEvery;
    let sampling = 0;
    let delayReset = false;
    const loopDelay = monitorEventLoopDelay({ resolution: delayResolutionMs });
    const replayStarted = performance.now();

    const bot = await startBot(config, {
      logger,
      replaySpeed: 0,
      externalChannels: false,
      sentiment: false,
    });
    let stopped = false;
    try {
      const metrics = bot.metrics;
      const loopRun = metrics.loopRun.bind(metrics);
      const candleProcessed = metrics.candleProcessed.bind(metrics);
      metrics.candleProcessed = (symbol, time) => {
        candlesProcessed += 1;
        candleProcessed(symbol, time);
      };
      // Called after each loop run, outside the run's measured time: the place to sample.
      metrics.loopRun = (name, seconds) => {
        loopRun(name, seconds);
        if (name === 'strategy') strategyRuns.add(seconds * 1000);
        else if (name === 'market-data') marketDataRuns.add(seconds * 1000);
        const done = Math.floor(candlesProcessed / symbols.length);
        if (name !== 'strategy' || done < nextSampleAt) return;
        nextSampleAt = done + sampleEvery;
        const sampleStarted = performance.now();
        // The forced GC is the harness's pause, not the bot's: keep it out of the delay figures.
        loopDelay.disable();
        const sample = {
          candleTimes: done,
          day: done / (dayMs / minuteMs),
          seconds: (performance.now() - replayStarted - sampling) / 1000,
          heapUsed: heapUsed(),
          rss: process.memoryUsage.rss(),
          handles: activeResources(),
          strategyRuns: strategyRuns.count(),
        };
        series.push(sample);
        sampling += performance.now() - sampleStarted;
        loopDelay.enable();
        if (done >= warmupCandleTimes && !delayReset) {
          // Event-loop delay is reported for the time after the warm-up.
          loopDelay.reset();
          delayReset = true;
        }
        onProgress(
          `day ${sample.day.toFixed(1)}/${options.days}: ${done} candle times, heap ${(sample.heapUsed / megabyte).toFixed(1)} MB, handles ${total(sample.handles)}`,
        );
      };
      loopDelay.enable();
      await bot.replay?.finished;
      const replaySeconds = (performance.now() - replayStarted - sampling) / 1000;
      loopDelay.disable();
      const done = Math.floor(candlesProcessed / symbols.length);
      series.push({
        candleTimes: done,
        day: done / (dayMs / minuteMs),
        seconds: replaySeconds,
        heapUsed: heapUsed(),
        rss: process.memoryUsage.rss(),
        handles: activeResources(),
        strategyRuns: strategyRuns.count(),
      });
      const report = await bot.report();
      await bot.stop();
      stopped = true;
      await settle();
      const handlesAfter = activeResources();
      const heapAfterStop = heapUsed();

      return summarise({
        options,
        symbols,
        candleTimes,
        storedCandles,
        seedSeconds,
        warmupCandleTimes,
        gcExposed,
        handlesBefore,
        handlesAfter,
        heapBefore,
        heapAfterStop,
        series,
        strategyRuns,
        marketDataRuns,
        loopDelay,
        candlesProcessed,
        replaySeconds,
        report,
        logs: sink.summary(),
      });
    } finally {
      if (!stopped) await bot.stop().catch(() => undefined);
      loopDelay.disable();
    }
  } finally {
    if (!options.keepDb) rmSync(dir, { recursive: true, force: true });
  }
}

function summarise(run) {
  const { series, warmupCandleTimes, candleTimes } = run;
  const afterWarmup = series.filter((sample) => sample.candleTimes >= warmupCandleTimes);
  const base = afterWarmup[0] ?? series[0];
  const end = series[series.length - 1];
  const heapGrowth = end.heapUsed - base.heapUsed;
  // Least-squares slope of the heap after the warm-up, per day of candles: a leak shows as a
  // steady slope even when the end point happens to follow a collection.
  let slopePerDay = null;
  if (afterWarmup.length >= 3) {
    const n = afterWarmup.length;
    const meanX = afterWarmup.reduce((sum, s) => sum + s.day, 0) / n;
    const meanY = afterWarmup.reduce((sum, s) => sum + s.heapUsed, 0) / n;
    let numerator = 0;
    let denominator = 0;
    for (const sample of afterWarmup) {
      numerator += (sample.day - meanX) * (sample.heapUsed - meanY);
      denominator += (sample.day - meanX) ** 2;
    }
    slopePerDay = denominator === 0 ? 0 : numerator / denominator;
  }
  const skip = (log) => {
    // The runs after the warm-up, in the proportion of candle times.
    const runs = log.values();
    const from = Math.floor(runs.length * (warmupCandleTimes / candleTimes));
    return runs.slice(from).sort();
  };
  const strategy = skip(run.strategyRuns);
  const marketData = skip(run.marketDataRuns);
  const latency = (sorted) => ({
    runs: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? null : sorted[sorted.length - 1],
  });
  const delay = run.loopDelay;
  const ns = (value) =>
    Number.isFinite(value) ? Math.max(0, value / 1e6 - delayResolutionMs) : null;
  return {
    days: run.options.days,
    symbols: run.symbols.length,
    strategy: run.options.strategy,
    candleTimes,
    candlesStored: run.storedCandles,
    candlesProcessed: run.candlesProcessed,
    seedSeconds: run.seedSeconds,
    replaySeconds: run.replaySeconds,
    candlesPerSecond: run.candlesProcessed / run.replaySeconds,
    candleTimesPerSecond: run.candlesProcessed / run.symbols.length / run.replaySeconds,
    gcExposed: run.gcExposed,
    warmupCandleTimes,
    heap: {
      beforeStart: run.heapBefore,
      afterWarmup: base.heapUsed,
      end: end.heapUsed,
      max: Math.max(...series.map((sample) => sample.heapUsed)),
      afterStop: run.heapAfterStop,
      growth: heapGrowth,
      growthPct: (heapGrowth / base.heapUsed) * 100,
      slopePerDay,
    },
    rss: { afterWarmup: base.rss, end: end.rss, max: Math.max(...series.map((s) => s.rss)) },
    handles: {
      beforeStart: run.handlesBefore,
      afterWarmup: base.handles,
      end: end.handles,
      max: Math.max(...afterWarmup.map((sample) => total(sample.handles))),
      afterStop: run.handlesAfter,
    },
    latencyMs: {
      strategyLoop: latency(strategy),
      marketDataLoop: latency(marketData),
      eventLoopDelay: {
        p50: ns(delay.percentile(50)),
        p95: ns(delay.percentile(95)),
        p99: ns(delay.percentile(99)),
        max: ns(delay.max),
      },
    },
    trading: {
      orders: run.report.orders,
      fills: run.report.fills,
      trades: run.report.trades.length,
      decisions: run.report.decisions,
    },
    logs: run.logs,
    samples: series.map((sample) => ({
      candleTimes: sample.candleTimes,
      day: Number(sample.day.toFixed(3)),
      seconds: Number(sample.seconds.toFixed(2)),
      heapMb: Number((sample.heapUsed / megabyte).toFixed(2)),
      rssMb: Number((sample.rss / megabyte).toFixed(2)),
      handles: total(sample.handles),
    })),
  };
}

/**
 * The verdict on a report: the reasons it fails (none: it passes). See
 * {@link defaultThresholds}.
 */
export function soakProblems(report, thresholds = defaultThresholds) {
  const problems = [];
  const { heap, handles } = report;
  const growthMb = heap.growth / megabyte;
  if (heap.growthPct > thresholds.maxHeapGrowthPct) {
    problems.push(
      `heap grew ${heap.growthPct.toFixed(1)}% after the warm-up (limit ${thresholds.maxHeapGrowthPct}%)`,
    );
  }
  if (growthMb > thresholds.maxHeapGrowthMb) {
    problems.push(
      `heap grew ${growthMb.toFixed(1)} MB after the warm-up (limit ${thresholds.maxHeapGrowthMb} MB)`,
    );
  }
  if (nonTimers(handles.end) > nonTimers(handles.afterWarmup)) {
    problems.push(
      `non-timer handles grew from ${nonTimers(handles.afterWarmup)} to ${nonTimers(handles.end)} during the run (${JSON.stringify(handles.end)})`,
    );
  }
  const timerBound = timerLimit(report.symbols, thresholds);
  if (timers(handles.end) > timerBound) {
    problems.push(
      `${timers(handles.end)} timers at the end of the run, over the bound of ${timerBound} (a timer per candle or order?)`,
    );
  }
  if (total(handles.afterStop) !== total(handles.beforeStart)) {
    problems.push(
      `${total(handles.afterStop)} handles after stop, ${total(handles.beforeStart)} before start (${JSON.stringify(handles.afterStop)} vs ${JSON.stringify(handles.beforeStart)})`,
    );
  }
  if (report.candlesProcessed !== report.candlesStored) {
    problems.push(`${report.candlesProcessed} candles processed of ${report.candlesStored} stored`);
  }
  return problems;
}

const mb = (bytes) => `${(bytes / megabyte).toFixed(1)} MB`;
const ms = (value) => (value === null ? 'n/a' : `${value.toFixed(2)} ms`);
const count = (value) => Math.round(value).toLocaleString('en-US');
const handleText = (counts) =>
  `${total(counts)} (${Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, n]) => `${type} ${n}`)
    .join(', ')})`;

/** The report as a markdown table, with the verdict. */
export function formatSoakReport(report, problems = soakProblems(report)) {
  const { heap, handles, latencyMs, trading } = report;
  const rows = [
    ['Replay', `${report.days} days x ${report.symbols} symbols of 1m candles, ${report.strategy}`],
    [
      'Candle times',
      `${count(report.candleTimes)} (warm-up: first ${count(report.warmupCandleTimes)})`,
    ],
    [
      'Candles processed',
      `${count(report.candlesProcessed)} of ${count(report.candlesStored)} stored`,
    ],
    [
      'Replay time',
      `${report.replaySeconds.toFixed(1)} s (seeding the DB: ${report.seedSeconds.toFixed(1)} s)`,
    ],
    [
      'Throughput',
      `${count(report.candlesPerSecond)} candles/s (${count(report.candleTimesPerSecond)} candle times/s)`,
    ],
    ['Heap before start', mb(heap.beforeStart)],
    ['Heap after warm-up', mb(heap.afterWarmup)],
    ['Heap at end', mb(heap.end)],
    ['Heap max (sampled)', mb(heap.max)],
    ['Heap growth after warm-up', `${mb(heap.growth)} (${heap.growthPct.toFixed(1)}%)`],
    [
      'Heap slope after warm-up',
      heap.slopePerDay === null ? 'n/a' : `${mb(heap.slopePerDay)} per day of candles`,
    ],
    ['Heap after stop', mb(heap.afterStop)],
    [
      'RSS after warm-up / end / max',
      `${mb(report.rss.afterWarmup)} / ${mb(report.rss.end)} / ${mb(report.rss.max)}`,
    ],
    ['Handles before start', handleText(handles.beforeStart)],
    ['Handles after warm-up', handleText(handles.afterWarmup)],
    ['Handles at end', handleText(handles.end)],
    ['Handles max (after warm-up)', String(handles.max)],
    ['Handles after stop', handleText(handles.afterStop)],
    [
      'Strategy loop run p50 / p95 / p99 / max',
      `${ms(latencyMs.strategyLoop.p50)} / ${ms(latencyMs.strategyLoop.p95)} / ${ms(latencyMs.strategyLoop.p99)} / ${ms(latencyMs.strategyLoop.max)} (${count(latencyMs.strategyLoop.runs)} runs)`,
    ],
    [
      'Market-data loop run p50 / p95 / p99 / max',
      `${ms(latencyMs.marketDataLoop.p50)} / ${ms(latencyMs.marketDataLoop.p95)} / ${ms(latencyMs.marketDataLoop.p99)} / ${ms(latencyMs.marketDataLoop.max)} (${count(latencyMs.marketDataLoop.runs)} runs)`,
    ],
    [
      'Event-loop delay p50 / p95 / p99 / max',
      `${ms(latencyMs.eventLoopDelay.p50)} / ${ms(latencyMs.eventLoopDelay.p95)} / ${ms(latencyMs.eventLoopDelay.p99)} / ${ms(latencyMs.eventLoopDelay.max)}`,
    ],
    ['Orders / fills / trades', `${trading.orders} / ${trading.fills} / ${trading.trades}`],
    ['Log lines warn / error', `${report.logs.warn} / ${report.logs.error}`],
    ['GC before samples', report.gcExposed ? 'yes (--expose-gc)' : 'no: run node with --expose-gc'],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = [
    `| ${'Measure'.padEnd(width)} | Value |`,
    `| ${'-'.repeat(width)} | ----- |`,
    ...rows.map(([name, value]) => `| ${name.padEnd(width)} | ${value} |`),
    '',
    problems.length === 0
      ? `PASS: heap growth within ${defaultThresholds.maxHeapGrowthPct}% and ${defaultThresholds.maxHeapGrowthMb} MB after the warm-up; no server, socket or file handle added during the run; timers within their bound (${timerLimit(report.symbols)}); after stop, the handles of before the start.`
      : `FAIL:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
  ];
  return lines.join('\n');
}
