/**
 * The optimizer's pool on real worker threads: it runs the compiled worker (dist/), so the
 * package is built first (incremental: quick when dist is current).
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle, SymbolId } from '@lumenlink/core';
import { loadBundledCandles } from '@lumenlink/data';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestSettings, EvaluationJob } from '../src/evaluate.js';
import { createLocalEvaluator, type JobOutcome } from '../src/evaluator.js';
import { defaultWorkerUrl, WorkerPool, WorkerSetupError, type WorkerCrash } from '../src/pool.js';
import { shareCandles } from '../src/shared-candles.js';
import type { WorkerSetup } from '../src/worker-protocol.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: packageDir,
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
const candles = new Map<SymbolId, readonly Candle[]>([
  ['BTC-USDT', loadBundledCandles('BTC-USDT')],
]);
const setup: WorkerSetup = {
  strategy: 'ema_crossover',
  candles: shareCandles(candles),
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
    expect(fileURLToPath(defaultWorkerUrl())).toBe(join(packageDir, 'dist', 'worker.js'));
  });

  it('gives the same evaluations on the shared candles as the calling thread on the loaded ones, on 1 worker and on 2', async () => {
    const local = await createLocalEvaluator({
      strategy: 'ema_crossover',
      candles,
      interval: '1h',
      settings,
    }).evaluate(jobs);
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
    // Both threads worked (each made its candles and ran some of the jobs).
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

  it('runs the job posted behind the one a worker dies on, on its replacement', async () => {
    // One worker holds two jobs at a time: the fault and the job after it.
    const order = [jobs[0]!, jobs[2]!, jobs[1]!, jobs[3]!];
    const local = await createLocalEvaluator({
      strategy: 'ema_crossover',
      candles,
      interval: '1h',
      settings,
    }).evaluate(order);
    await withPool(
      { size: 1, faultInjection: { params: { fastPeriod: 10 }, mode: 'exit' } },
      async (pool) => {
        const outcomes = await pool.evaluate(order);
        expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, false, true, true]);
        expect(outcomes[1]).toMatchObject({ crashed: true });
        expect(evaluations([outcomes[0]!, outcomes[2]!, outcomes[3]!])).toEqual(
          evaluations([local[0]!, local[2]!, local[3]!]),
        );
        expect(pool.crashes.map((crash) => crash.job.params.fastPeriod)).toEqual([10]);
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

  it('fails to start when a worker cannot load the strategy, naming the problem', async () => {
    const missing: WorkerSetup = { ...setup, strategy: 'no_such_strategy' };
    await expect(WorkerPool.start({ size: 2, setup: missing })).rejects.toThrow(WorkerSetupError);
    await expect(WorkerPool.start({ size: 1, setup: missing })).rejects.toThrow(
      /^a worker could not start: .*no_such_strategy/,
    );
  });
});
