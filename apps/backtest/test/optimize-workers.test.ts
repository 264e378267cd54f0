/**
 * The optimizer on real worker threads: the pool runs the compiled worker (dist/), so the app is
 * built first (incremental: quick when dist is current).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle, SymbolId } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { runOptimizeCommand } from '../src/optimize/command.js';
import type { BacktestSettings, EvaluationJob } from '../src/optimize/evaluate.js';
import { createLocalEvaluator, type JobOutcome } from '../src/optimize/evaluator.js';
import {
  defaultWorkerUrl,
  WorkerPool,
  WorkerSetupError,
  type WorkerCrash,
} from '../src/optimize/pool.js';
import type { WorkerSetup } from '../src/optimize/worker-protocol.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: appDir,
    stdio: 'pipe',
  });
}, 120_000);

const settings: BacktestSettings = {
  startingCash: 10_000,
  feeBps: 10,
  slippageBps: 5,
  fillMode: 'next-open',
  risk: { maxPositionUsd: 5_000 },
  protections: true,
  atrPeriod: 14,
  trailingStopAtrMultiple: 2,
  closeAtEnd: false,
};
const setup: WorkerSetup = {
  strategy: 'ema_crossover',
  source: { kind: 'bundled' },
  symbols: ['BTC-USDT'],
  interval: '1h',
  settings,
};
const from = Date.UTC(2024, 2, 1);
const to = Date.UTC(2024, 2, 21);
const jobs: EvaluationJob[] = [5, 8, 10, 12, 15].map((fastPeriod) => ({
  params: { fastPeriod, slowPeriod: 30, confidence: 1 },
  from,
  to,
}));

function evaluations(outcomes: readonly JobOutcome[]): unknown[] {
  return outcomes.map((outcome) => (outcome.ok ? outcome.evaluation : outcome.error));
}

async function withPool<T>(
  options: Partial<Parameters<typeof WorkerPool.start>[0]>,
  use: (pool: WorkerPool) => Promise<T>,
): Promise<T> {
  const pool = await WorkerPool.start({ size: 2, setup, ...options });
  try {
    return await use(pool);
  } finally {
    await pool.close();
  }
}

describe('WorkerPool', { timeout: 120_000 }, () => {
  it('runs the compiled worker from dist, whatever module starts it', () => {
    expect(fileURLToPath(defaultWorkerUrl())).toBe(join(appDir, 'dist', 'optimize', 'worker.js'));
  });

  it('gives the same evaluations as the calling thread, on 1 worker and on 2', async () => {
    const candles = new Map<SymbolId, readonly Candle[]>([
      ['BTC-USDT', loadBundledCandles('BTC-USDT')],
    ]);
    const local = await createLocalEvaluator({ ...setup, candles }).evaluate(jobs);
    const settled: number[] = [];
    const one = await withPool({ size: 1 }, (pool) =>
      pool.evaluate(jobs, (index) => settled.push(index)),
    );
    let threadCpu: number[] = [];
    const two = await withPool({ size: 2 }, async (pool) => {
      const outcomes = await pool.evaluate(jobs);
      threadCpu = await pool.threadCpuMs();
      return outcomes;
    });
    // Both threads worked (each loaded the candles and ran some of the jobs).
    expect(threadCpu).toHaveLength(2);
    expect(threadCpu.every((ms) => ms > 0)).toBe(true);
    expect(local.every((outcome) => outcome.ok)).toBe(true);
    expect(evaluations(one)).toEqual(evaluations(local));
    expect(evaluations(two)).toEqual(evaluations(local));
    expect([...settled].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports a worker that exits on a job, replaces it, and the sweep goes on', async () => {
    const crashes: WorkerCrash[] = [];
    await withPool(
      {
        faultInjection: { params: { fastPeriod: 10 }, mode: 'exit' },
        onCrash: (crash) => crashes.push(crash),
      },
      async (pool) => {
        const outcomes = await pool.evaluate(jobs);
        expect(outcomes[2]).toEqual({
          ok: false,
          error: 'the worker exited with code 70',
          crashed: true,
        });
        expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(4);
        expect(crashes).toHaveLength(1);
        expect(crashes[0]?.job.params).toEqual({ fastPeriod: 10, slowPeriod: 30, confidence: 1 });
        expect(pool.crashes).toEqual(crashes);
        // The replacement works: both workers take jobs again, and the poison still crashes.
        const again = await pool.evaluate([jobs[0]!, jobs[2]!, jobs[1]!, jobs[3]!]);
        expect(again.map((outcome) => outcome.ok)).toEqual([true, false, true, true]);
        expect(pool.size).toBe(2);
        expect(crashes).toHaveLength(2);
      },
    );
  });

  it('reports a worker killed by an uncaught exception with its message', async () => {
    await withPool(
      { faultInjection: { params: { fastPeriod: 5 }, mode: 'throw' } },
      async (pool) => {
        const outcomes = await pool.evaluate(jobs.slice(0, 3));
        expect(outcomes[0]).toMatchObject({ ok: false, crashed: true });
        expect(outcomes[0]?.ok === false && outcomes[0].error).toBe(
          'injected fault on {"fastPeriod":5}',
        );
        expect(outcomes.slice(1).every((outcome) => outcome.ok)).toBe(true);
      },
    );
  });

  it('fails to start when a worker cannot load its candles, naming the problem', async () => {
    const missing: WorkerSetup = {
      ...setup,
      source: { kind: 'csv', files: ['/no/such/btc.csv'] },
      symbols: undefined,
    };
    await expect(WorkerPool.start({ size: 2, setup: missing })).rejects.toThrow(WorkerSetupError);
    await expect(WorkerPool.start({ size: 1, setup: missing })).rejects.toThrow(
      'a worker could not start: --data: /no/such/btc.csv: no such file',
    );
  });
});

/** Runs the command, collecting what it writes. */
async function command(
  argv: readonly string[],
  hooks: Parameters<typeof runOptimizeCommand>[2] = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runOptimizeCommand(
    argv,
    {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      cwd: mkdtempSync(join(tmpdir(), 'lumenlink-optimize-')),
    },
    hooks,
  );
  return { code, stdout, stderr };
}

describe('pnpm optimize', { timeout: 120_000 }, () => {
  const argv = [
    '--strategy',
    'ema_crossover',
    '--range',
    'fastPeriod=5:15:5',
    '--range',
    'slowPeriod=30,40',
    '--symbol',
    'BTC-USDT',
    '--from',
    '2024-03-01',
    '--to',
    '2024-03-21',
    '--mc-runs',
    '100',
  ];

  it('gives the same results on 1 worker and on 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-json-'));
    const one = await command([...argv, '--workers', '1', '--json', join(dir, 'one.json')]);
    const two = await command([...argv, '--workers', '2', '--json', join(dir, 'two.json')]);
    expect(one.code).toBe(0);
    expect(two.code).toBe(0);
    expect(one.stderr).toContain(
      'Optimizing ema_crossover: 6 backtest run(s) on 1 worker thread(s)',
    );
    expect(two.stderr).toContain('on 2 worker thread(s)');
    expect(one.stderr).toContain('Optimize 100% (6/6 runs, done in');
    expect(readFileSync(join(dir, 'two.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'one.json'), 'utf8'),
    );
    expect(two.stdout).toBe(one.stdout.replace(join(dir, 'one.json'), join(dir, 'two.json')));
  });

  it('reports a worker crash with its parameters and finishes the sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-crash-'));
    const result = await command([...argv, '--workers', '2', '--json', join(dir, 'out.json')], {
      faultInjection: { params: { fastPeriod: 10, slowPeriod: 40 }, mode: 'exit' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'A worker crashed running fastPeriod=10 slowPeriod=40: the worker exited with code 70. It was replaced; the sweep goes on.',
    );
    expect(result.stderr).toContain('Optimize 100% (6/6 runs, 1 failed, done in');
    expect(result.stdout).toContain('Failed runs: 1 (1 worker crash, replaced)');
    const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
      results: { rank: number | null }[];
      failures: { point: unknown; crashed: boolean }[];
    };
    expect(json.results.filter((row) => row.rank !== null)).toHaveLength(5);
    expect(json.failures).toEqual([
      expect.objectContaining({ point: { fastPeriod: 10, slowPeriod: 40 }, crashed: true }),
    ]);
  });

  it('exits 2 with the flag at fault on a bad command line', async () => {
    const result = await command(['--strategy', 'ema_crossover', '--range', 'fastPeriod=0:5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Error: --range: fastPeriod: min 0 is out of bounds');
    expect(result.stderr).toContain('Run pnpm optimize -- --help for every flag.');
  });
});
