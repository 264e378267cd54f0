/**
 * `pnpm bench:optimize`: the optimizer's worker pool, the same sweep on 1 and on 2 worker
 * threads. 16 parameter sets of `ema_crossover` (fastPeriod 5, 8, 12, 16 x slowPeriod 30, 40,
 * 50, 60; BENCH_SETS for more) over the bundled Binance BTC-USDT 1h candles of 2024, each a full
 * engine backtest. Goal: at least 1.7x faster on 2 workers than on 1.
 *
 * Each configuration starts its pool (workers load the candles once), then runs the sweep; the
 * sweep is timed, the start-up shown beside it, and the CPU the process used during the sweep
 * (cores busy = CPU time / wall time: below 2 on 2 workers, other processes had the cores),
 * and the CPU time of the busiest worker thread, about the sweep's wall time on free cores.
 * BENCH_ROUNDS (default 3) sweeps per
 * configuration, alternating 1 and 2 workers; the fastest of each counts, which keeps other
 * processes on a shared machine from deciding the result. Results are checked equal across the
 * two configurations. Reads the BUILT @lumenlink/optimize (`pnpm bench:optimize` builds the
 * app and its packages first). Exits 1 when the goal is missed on a machine with 2 cores or more.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';

const GOAL = 1.7;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));

let pool;
let data;
try {
  pool = await import('@lumenlink/optimize');
  data = await import('@lumenlink/data');
} catch (error) {
  console.error(
    `Cannot load the built packages (run pnpm turbo run build --filter=@lumenlink/backtest...): ${String(error)}`,
  );
  process.exit(1);
}

const setup = {
  strategy: 'ema_crossover',
  source: { kind: 'bundled' },
  symbols: ['BTC-USDT'],
  interval: '1h',
  settings: {
    startingCash: 10_000,
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'next-open',
    risk: {},
    protections: true,
    atrPeriod: 14,
    trailingStopAtrMultiple: 2,
    closeAtEnd: false,
  },
};
// fastPeriod 5, 8, 12, 16 x slowPeriod 30, 40, ...: 16 sets by default, BENCH_SETS (a multiple
// of 4) for a larger sweep.
const SETS = Math.max(4, 4 * Math.round(Number(process.env.BENCH_SETS ?? 16) / 4));
const jobs = [];
for (const fastPeriod of [5, 8, 12, 16]) {
  for (let index = 0; index < SETS / 4; index++) {
    jobs.push({ params: { fastPeriod, slowPeriod: 30 + 10 * index, confidence: 1 } });
  }
}
const candles = data.loadBundledCandles('BTC-USDT').length;

/** Starts a pool of `size` workers, runs the sweep, and returns both times in seconds. */
async function sweep(size) {
  const started = performance.now();
  const workers = await pool.WorkerPool.start({ size, setup });
  const ready = performance.now();
  const cpu = process.cpuUsage();
  const threadsBefore = await workers.threadCpuMs();
  try {
    const outcomes = await workers.evaluate(jobs);
    const done = performance.now();
    const used = process.cpuUsage(cpu);
    const threadsAfter = await workers.threadCpuMs();
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (failed.length > 0) throw new Error(`${failed.length} run(s) failed: ${failed[0].error}`);
    return {
      start: (ready - started) / 1000,
      sweep: (done - ready) / 1000,
      cores: (used.user + used.system) / 1000 / (done - ready),
      // The busiest worker thread's CPU time in the sweep: its wall time on free cores.
      threadCpu:
        threadsAfter.length === threadsBefore.length && threadsAfter.length > 0
          ? Math.max(...threadsAfter.map((after, index) => after - threadsBefore[index])) / 1000
          : Number.NaN,
      results: outcomes.map((outcome) => outcome.evaluation.metrics.finalEquity),
    };
  } finally {
    await workers.close();
  }
}

const cores = availableParallelism();
process.stderr.write(
  `[bench] ${jobs.length} ema_crossover parameter sets on BTC-USDT 1h (${candles.toLocaleString('en-US')} candles), ${ROUNDS} round(s), ${cores} core(s)\n`,
);
const best = { 1: undefined, 2: undefined };
const leastCpu = { 1: Number.NaN, 2: Number.NaN };
let reference;
for (let round = 1; round <= ROUNDS; round++) {
  for (const size of [1, 2]) {
    const result = await sweep(size);
    process.stderr.write(
      `[bench] round ${round}, ${size} worker(s): start ${result.start.toFixed(2)} s, sweep ${result.sweep.toFixed(2)} s, ${result.cores.toFixed(2)} cores busy, busiest worker thread ${result.threadCpu.toFixed(2)} s CPU\n`,
    );
    reference ??= result.results;
    if (!isDeepStrictEqual(result.results, reference)) {
      console.error('FAIL: the sweep gave different results on different worker counts');
      process.exit(1);
    }
    if (best[size] === undefined || result.sweep < best[size].sweep) best[size] = result;
    if (!(leastCpu[size] <= result.threadCpu)) leastCpu[size] = result.threadCpu;
  }
}

const speedUp = best[1].sweep / best[2].sweep;
const measurable = cores >= 2;
const pass = speedUp >= GOAL;
const row = (label, result) =>
  `| ${label} | ${result.start.toFixed(2)} | ${result.sweep.toFixed(2)} | ${(jobs.length / result.sweep).toFixed(1)} | ${result.cores.toFixed(2)} |`;
console.log(
  [
    `## Optimizer: ${jobs.length} ema_crossover backtests on BTC-USDT 1h (${candles.toLocaleString('en-US')} candles)`,
    '',
    `Node ${process.version}; ${cores} core(s) available (${cpus()[0]?.model.trim() ?? 'unknown CPU'}); fastest of ${ROUNDS} round(s).`,
    '',
    '| workers | start (s) | sweep (s) | backtests/s | cores busy |',
    '| ------- | --------- | --------- | ----------- | ---------- |',
    row('1', best[1]),
    row('2', best[2]),
    '',
    `Speed-up on 2 workers: ${speedUp.toFixed(2)}x (goal >= ${GOAL}x): ${measurable ? (pass ? 'PASS' : 'FAIL') : 'not measurable on 1 core'}`,
    '',
    `Estimate with free cores, by the CPU time of the busiest worker thread (GC and compiler helper threads not counted; not the goal): ${leastCpu[1].toFixed(2)} s on 1 worker, ${leastCpu[2].toFixed(2)} s on 2: ${(leastCpu[1] / leastCpu[2]).toFixed(2)}x.`,
  ].join('\n'),
);
if (measurable && !pass) process.exitCode = 1;
