/**
 * `optimize` with a strategy file of the user's own, outside the workspace, on real worker
 * threads: each worker loads the file from its provenance. Runs the compiled worker (dist/), so
 * the package is built first (incremental: quick when dist is current).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadStrategy, type LoadedStrategy } from '@lumenlink/strategy-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalEvaluator } from '../src/evaluator.js';
import { formatOptimizeJson } from '../src/json.js';
import { WorkerSetupError } from '../src/pool.js';
import { formatOptimizeTable } from '../src/table.js';
import { optimize, type OptimizeRequest } from '../src/run.js';
import { buildSpace } from '../src/space.js';
import { userFolder, userStrategySource } from './user-strategy.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let user: ReturnType<typeof userFolder>;

beforeAll(() => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: packageDir,
    stdio: 'pipe',
  });
  user = userFolder();
}, 120_000);

afterAll(() => user.remove());

/** Three weeks of bundled BTC-USDT 1h: a few hundred candles traded, a few thousand loaded. */
function request(strategy: LoadedStrategy, workers: number): OptimizeRequest {
  return {
    strategy,
    source: { kind: 'bundled' },
    symbols: ['BTC-USDT'],
    from: Date.UTC(2024, 2, 1),
    to: Date.UTC(2024, 2, 21),
    dimensions: buildSpace(strategy, ['minRise=0.002,0.005,0.01', 'maxFall=0.005,0.01']),
    workers,
    monteCarloRuns: 50,
  };
}

describe('optimize with a strategy file of your own', { timeout: 120_000 }, () => {
  it('runs it on 2 worker threads with the ranking of 1 and of this thread, and records its source', async () => {
    const loaded = await loadStrategy('strategies/my-idea.ts', { cwd: user.dir });
    const one = await optimize(request(loaded, 1));
    let threadCpuMs: readonly number[] = [];
    const two = await optimize(request(loaded, 2), {
      onWorkerCpu: (used) => (threadCpuMs = used),
    });
    const here = await optimize(request(loaded, 1), {
      evaluator: (context) => createLocalEvaluator(context),
    });
    expect(one.rows.map((row) => row.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(one.rows.every((row) => row.error === null)).toBe(true);
    expect(one.rows.some((row) => row.metrics!.trades.total > 0)).toBe(true);
    expect(two.rows.map((row) => row.point)).toEqual(one.rows.map((row) => row.point));
    expect(formatOptimizeJson(two)).toBe(formatOptimizeJson(one));
    expect(formatOptimizeJson(here)).toBe(formatOptimizeJson(one));
    // Both workers loaded the file and ran jobs.
    expect(threadCpuMs).toHaveLength(2);
    expect(threadCpuMs.every((ms) => ms > 0)).toBe(true);

    expect(one.strategy).toBe('my_idea');
    expect(one.provenance.strategy).toEqual({
      spec: 'strategies/my-idea.ts',
      kind: 'file',
      key: 'my_idea',
      path: user.strategyFile,
      exportName: 'default',
      sha256: createHash('sha256').update(readFileSync(user.strategyFile)).digest('hex'),
    });
    expect(one.provenance.params).toEqual({ minRise: 0.01, maxFall: 0.01 });
    expect(formatOptimizeTable(one).split('\n')[1]).toBe(
      `Strategy: my_idea from file ${user.strategyFile} (sha256 ${one.provenance.strategy.sha256})`,
    );
    const json = JSON.parse(formatOptimizeJson(one)) as {
      provenance: {
        strategy: { path: string };
        data: { candles: number; symbols: string[]; sha256: string };
      };
    };
    expect(json.provenance.strategy.path).toBe(user.strategyFile);
    expect(json.provenance.data.symbols).toEqual(['BTC-USDT']);
    expect(json.provenance.data.candles).toBeGreaterThan(1000);
    expect(json.provenance.data.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to start when the file changed between loading it and the workers starting', async () => {
    user.write('strategies/changing.ts', userStrategySource);
    const loaded = await loadStrategy('strategies/changing.ts', { cwd: user.dir });
    user.write(
      'strategies/changing.ts',
      userStrategySource.replace('last = candle.close', 'last = candle.open'),
    );
    const started = optimize(request(loaded, 2));
    await expect(started).rejects.toSatisfy((error) => WorkerSetupError.isInstance(error));
    await expect(started).rejects.toThrow(
      /^a worker could not start: .*changing\.ts: changed while the run was going \(sha256 [0-9a-f]{12}… → [0-9a-f]{12}…\)\. Run again$/,
    );
  });
});
