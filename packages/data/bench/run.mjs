/**
 * `pnpm bench`: the store's candle writes and range reads on a file database, next to a bare
 * better-sqlite3 prepared-statement loop on another file with the same schema and pragmas, in the
 * same run (the limit). Goal: at least 0.5x the bare loop's speed for both.
 *
 * - upserts: BENCH_CANDLES (default 200,000) 1h candles saved in batches of 1,000 into a fresh
 *   file: `store.candles.saveCandles` vs a prepared `INSERT ... ON CONFLICT DO UPDATE` run per
 *   candle inside one transaction per batch;
 * - range reads: BENCH_READS (default 300) reads of 1,000 consecutive candles at seeded random
 *   places: `store.candles.getCandles` vs a prepared `SELECT ... ORDER BY time`.
 *
 * Median of BENCH_RUNS (default 7) runs after one warm-up run; ours and bare alternate which goes
 * first. Reads the BUILT package: `pnpm build` first. Prints a markdown table to stdout, writes
 * it to bench/results.md, shows progress on stderr, and exits 1 when a goal is missed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { seededRandom } from '@lumenlink/core';
import { markdownTable, median } from '../../../scripts/lib/bench-report.mjs';

const CANDLES = Number(process.env.BENCH_CANDLES ?? 200_000);
const BATCH = 1_000;
const READS = Number(process.env.BENCH_READS ?? 300);
const READ_SIZE = 1_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const WARMUP = 1;
const GOAL = 0.5;
const SEED = 20240101;
const SYMBOL = 'BTC-USD';
const TIMEFRAME = '1h';
const HOUR = 3_600_000;

let lib;
try {
  lib = await import('../dist/index.js');
} catch (error) {
  console.error(`Cannot load ../dist/index.js (run \`pnpm build\` first): ${String(error)}`);
  process.exit(1);
}

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const progress = (message) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);

/** A seeded random walk of valid 1h candles from 2000-01-01. */
function generateCandles(count, random) {
  const candles = new Array(count);
  const start = Date.UTC(2000, 0, 1);
  let price = 40_000;
  for (let i = 0; i < count; i++) {
    const open = price;
    const close = open * (1 + (random() - 0.5) * 0.02);
    const high = Math.max(open, close) * (1 + random() * 0.005);
    const low = Math.min(open, close) * (1 - random() * 0.005);
    const volume = 100 + random() * 900;
    candles[i] = { time: start + i * HOUR, open, high, low, close, volume };
    price = close;
  }
  return candles;
}

const random = seededRandom(SEED);
const candles = generateCandles(CANDLES, random);
const batches = [];
for (let i = 0; i < CANDLES; i += BATCH) batches.push(candles.slice(i, i + BATCH));
const readStarts = Array.from(
  { length: READS },
  () => candles[Math.floor(random() * (CANDLES - READ_SIZE))].time,
);

const upsertSql = `INSERT INTO candles (symbol, interval, time, open, high, low, close, volume)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (symbol, interval, time) DO UPDATE SET open = excluded.open, high = excluded.high,
    low = excluded.low, close = excluded.close, volume = excluded.volume`;
const rangeSql = `SELECT time, open, high, low, close, volume FROM candles
  WHERE symbol = ? AND interval = ? AND time >= ? AND time <= ? ORDER BY time`;

/** Ours: `openStore` on a fresh file, `saveCandles` per batch, `getCandles` per range. */
async function runOurs(file) {
  const store = await lib.openStore({ path: file });
  try {
    let begin = performance.now();
    for (const batch of batches) await store.candles.saveCandles(SYMBOL, TIMEFRAME, batch);
    const upsertSeconds = (performance.now() - begin) / 1000;
    begin = performance.now();
    let rows = 0;
    for (const from of readStarts) {
      rows += (
        await store.candles.getCandles(SYMBOL, TIMEFRAME, from, from + (READ_SIZE - 1) * HOUR)
      ).length;
    }
    const readSeconds = (performance.now() - begin) / 1000;
    if (rows !== READS * READ_SIZE) throw new Error(`ours read ${rows} rows`);
    return { upserts: CANDLES / upsertSeconds, reads: READS / readSeconds };
  } finally {
    await store.close();
  }
}

/**
 * Bare: the same schema (created by the store's migrations, then closed) and the store's pragmas
 * on a raw better-sqlite3 handle; one prepared statement per row inside a transaction per batch.
 */
async function runBare(file) {
  await (await lib.openStore({ path: file })).close();
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const upsert = db.prepare(upsertSql);
    const range = db.prepare(rangeSql);
    const saveBatch = db.transaction((batch) => {
      for (const c of batch) {
        upsert.run(SYMBOL, TIMEFRAME, c.time, c.open, c.high, c.low, c.close, c.volume);
      }
    });
    let begin = performance.now();
    for (const batch of batches) saveBatch(batch);
    const upsertSeconds = (performance.now() - begin) / 1000;
    begin = performance.now();
    let rows = 0;
    for (const from of readStarts) {
      rows += range.all(SYMBOL, TIMEFRAME, from, from + (READ_SIZE - 1) * HOUR).length;
    }
    const readSeconds = (performance.now() - begin) / 1000;
    if (rows !== READS * READ_SIZE) throw new Error(`bare read ${rows} rows`);
    return { upserts: CANDLES / upsertSeconds, reads: READS / readSeconds };
  } finally {
    db.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'lumenlink-data-bench-'));
const measured = { ours: [], bare: [] };
try {
  progress(
    `${CANDLES.toLocaleString('en-US')} candles in batches of ${BATCH.toLocaleString('en-US')}, ${READS} reads of ${READ_SIZE.toLocaleString('en-US')}; ${WARMUP} warm-up + ${RUNS} runs in ${dir}`,
  );
  for (let run = 0; run < WARMUP + RUNS; run++) {
    const order = run % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
    const results = {};
    for (const side of order) {
      const file = path.join(dir, `${side}-${run}.db`);
      results[side] = side === 'ours' ? await runOurs(file) : await runBare(file);
      rmSync(file, { force: true });
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
    }
    const label = run < WARMUP ? `warm-up ${run + 1}` : `run ${run - WARMUP + 1}/${RUNS}`;
    progress(
      `${label}: upserts/s ours ${Math.round(results.ours.upserts)} bare ${Math.round(results.bare.upserts)}; reads/s ours ${Math.round(results.ours.reads)} bare ${Math.round(results.bare.reads)}`,
    );
    if (run >= WARMUP) {
      measured.ours.push(results.ours);
      measured.bare.push(results.bare);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const operations = [
  {
    name: `candle upserts, batches of ${BATCH.toLocaleString('en-US')} (candles/s)`,
    key: 'upserts',
  },
  { name: `range reads of ${READ_SIZE.toLocaleString('en-US')} candles (reads/s)`, key: 'reads' },
];
const number = (value) => Math.round(value).toLocaleString('en-US');
let failed = false;
const body = operations.map(({ name, key }) => {
  const ours = median(measured.ours.map((result) => result[key]));
  const bare = median(measured.bare.map((result) => result[key]));
  // Each run times both sides back to back, so the per-run ratio cancels machine-wide noise.
  const ratio = median(measured.ours.map((result, run) => result[key] / measured.bare[run][key]));
  const pass = ratio >= GOAL;
  failed ||= !pass;
  console.log(`GOAL ${pass ? 'PASS' : 'FAIL'} ${name}: ${ratio.toFixed(2)}x (goal >= ${GOAL}x)`);
  return [
    name,
    number(ours),
    number(bare),
    `${ratio.toFixed(2)}x`,
    `>= ${GOAL}x ${pass ? 'PASS' : 'FAIL'}`,
  ];
});

const table = markdownTable(['operation', 'ours/s', 'bare/s', 'ratio', 'goal'], body);
const cpu = cpus();
const summary = `${CANDLES.toLocaleString('en-US')} seeded 1h candles into a fresh WAL file database per run; ${READS} range reads per run; median of ${RUNS} runs after ${WARMUP} warm-up (ratio: median of the per-run ratios); Node ${process.version}; ${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}.`;
const verdict = failed
  ? 'FAIL: a goal was missed.'
  : `PASS: every operation at least ${GOAL}x the bare loop.`;
writeFileSync(
  new URL('./results.md', import.meta.url),
  ['# @lumenlink/data benchmark', '', summary, '', table, '', verdict, ''].join('\n'),
);
process.stdout.write(`${summary}\n\n${table}\n\n${verdict}\n`);
progress(`done; wrote bench/results.md`);
if (failed) process.exitCode = 1;
