import { ConfigError } from '@lumenlink/core';
import { strategyDefinitions } from '@lumenlink/strategies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfiguredStrategy } from './configured.js';
import { strategySource, userFolder } from './__fixtures__/workspace.js';

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder();
});
afterEach(() => folder.remove());

async function configError(run: () => Promise<unknown>): Promise<ConfigError> {
  try {
    await run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('loadConfiguredStrategy', () => {
  it('loads STRATEGY with STRATEGY_PARAMS, then --params-file and --param', async () => {
    const strategy = await loadConfiguredStrategy(
      { strategy: 'ema_crossover', strategyParams: '{"fastPeriod": 8}', interval: '1h' },
      { assignments: ['slowPeriod=40'] },
    );
    expect(strategy.params).toEqual({
      ...strategyDefinitions.ema_crossover.defaults,
      fastPeriod: 8,
      slowPeriod: 40,
    });
    expect(strategy.sources).toEqual(['defaults', 'STRATEGY_PARAMS', '--param']);
  });

  it('names the key or flag of each mistake, as a config error', async () => {
    const missing = await configError(() =>
      loadConfiguredStrategy({ strategy: `${folder.dir}/nope.ts` }),
    );
    expect(missing.issues[0]?.key).toBe('STRATEGY');
    expect(missing.message).toMatch(/nope\.ts: no such file/);

    const json = await configError(() =>
      loadConfiguredStrategy({ strategy: 'ema_crossover', strategyParams: '{bad' }),
    );
    expect(json.issues[0]?.key).toBe('STRATEGY_PARAMS');

    const file = await configError(() =>
      loadConfiguredStrategy({ strategy: 'ema_crossover' }, { paramsFile: `${folder.dir}/x.json` }),
    );
    expect(file.issues[0]?.key).toBe('--params-file');

    const params = await configError(() =>
      loadConfiguredStrategy(
        { strategy: 'ema_crossover', strategyParams: '{"fastPeriod": -1}' },
        { assignments: ['slowPeriodd=3'] },
      ),
    );
    expect(params.issues.map((issue) => issue.key)).toEqual([
      'parameter fastPeriod',
      'parameter slowPeriodd',
    ]);
    expect(params.message).toMatch(/^Invalid parameters for strategy ema_crossover/);
  });

  it('refuses, before anything is opened, parameters that fail only with INTERVAL', async () => {
    const error = await configError(() =>
      loadConfiguredStrategy({ strategy: 'advanced_composite', interval: '1d' }),
    );
    expect(error.issues[0]?.key).toBe('STRATEGY_PARAMS');
    expect(error.message).toMatch(
      /advanced_composite refuses its parameters with INTERVAL=1d: .*higherTimeframes must be above the interval 1d/,
    );
    // Without an interval, nothing is built.
    await expect(loadConfiguredStrategy({ strategy: 'advanced_composite' })).resolves.toBeTruthy();
  });

  it('loads a strategy file of the user with its label', async () => {
    const file = folder.write('s.ts', strategySource());
    const strategy = await loadConfiguredStrategy({
      strategy: file,
      strategyParams: '{"minRise": 0.2}',
      interval: '4h',
    });
    expect(strategy.params).toEqual({ minRise: 0.2, label: 'x' });
    expect(strategy.loaded.provenance.kind).toBe('file');
  });
});
