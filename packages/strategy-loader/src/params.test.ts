import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StrategyParamsError, strategyDefinitions } from '@lumenlink/strategies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { strategySource, userFolder } from './__fixtures__/workspace.js';
import { StrategyLoadError } from './errors.js';
import { loadStrategy } from './load-strategy.js';
import {
  formatParamsFile,
  resolveStrategyParams,
  writeParamsFile,
  type StrategyParamsSources,
} from './params.js';

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder();
});
afterEach(() => folder.remove());

const ema = strategyDefinitions.ema_crossover.defaults;

async function resolveWith(spec: string, sources: StrategyParamsSources) {
  const loaded = await loadStrategy(spec, { cwd: folder.dir });
  return resolveStrategyParams(loaded, { cwd: folder.dir, ...sources });
}

async function failure(spec: string, sources: StrategyParamsSources): Promise<Error> {
  try {
    await resolveWith(spec, sources);
  } catch (error) {
    return error as Error;
  }
  throw new Error('resolved');
}

describe('resolveStrategyParams', () => {
  it('gives the defaults when nothing is set', async () => {
    expect(await resolveWith('ema_crossover', {})).toEqual({
      params: ema,
      sources: ['defaults'],
      warnings: [],
    });
  });

  it('layers STRATEGY_PARAMS (inline or a file), a params file and --param', async () => {
    const inline = await resolveWith('ema_crossover', {
      params: ' {"fastPeriod": 8} ',
      assignments: ['slowPeriod=30'],
    });
    expect(inline.params).toEqual({ ...ema, fastPeriod: 8, slowPeriod: 30 });
    expect(inline.sources).toEqual(['defaults', 'STRATEGY_PARAMS', '--param']);

    folder.write('p/env.json', '{"fastPeriod": 5, "slowPeriod": 50}');
    const fromFile = await resolveWith('ema_crossover', { params: 'p/env.json' });
    expect(fromFile.params).toEqual({ ...ema, fastPeriod: 5, slowPeriod: 50 });
    expect(fromFile.sources).toEqual(['defaults', 'p/env.json']);

    // --params-file replaces STRATEGY_PARAMS (no merge), --param overrides one parameter.
    folder.write('p/best.json', '{"slowPeriod": 40}');
    const flags = await resolveWith('ema_crossover', {
      params: 'p/env.json',
      paramsFile: 'p/best.json',
      assignments: ['fastPeriod=9'],
    });
    expect(flags.params).toEqual({ ...ema, fastPeriod: 9, slowPeriod: 40 });
    expect(flags.sources).toEqual(['defaults', 'p/best.json', '--param']);
    expect(flags.warnings).toEqual([
      '--params-file p/best.json replaces STRATEGY_PARAMS: its parameters are not used',
    ]);
  });

  it('lists every bad parameter from every source at once', async () => {
    const error = await failure('ema_crossover', {
      params: '{"fastPeriod": -3, "slowPeriodd": 20}',
      assignments: ['confidence=2'],
    });
    expect(StrategyParamsError.isInstance(error)).toBe(true);
    expect((error as StrategyParamsError).issues.map((issue) => issue.param).sort()).toEqual([
      'confidence',
      'fastPeriod',
      'slowPeriodd',
    ]);
    expect(error.message).toMatch(/^Invalid parameters for strategy ema_crossover \(3 problems\)/);
  });

  it('names the source and the fix for JSON that is bad, missing or not an object', async () => {
    const bad = await failure('ema_crossover', { params: '{fastPeriod: 8}' });
    expect(StrategyLoadError.isInstance(bad)).toBe(true);
    expect(bad.message).toMatch(
      /^STRATEGY_PARAMS: is not valid JSON \(.*\)\. Write an object of parameters/,
    );
    expect((await failure('ema_crossover', { params: '[1, 2]' })).message).toMatch(
      /^STRATEGY_PARAMS: holds a list, not an object of parameters/,
    );
    expect((await failure('ema_crossover', { params: 'nope.json' })).message).toMatch(
      /^STRATEGY_PARAMS file nope\.json: no such file \(.*nope\.json\)\. Give the path of a JSON file/,
    );
    folder.write('bad.json', '{"fastPeriod": ');
    expect((await failure('ema_crossover', { paramsFile: 'bad.json' })).message).toMatch(
      /^--params-file bad\.json: is not valid JSON/,
    );
  });

  it('reads the params file optimize writes, and refuses one of another strategy', async () => {
    folder.write('strategies/my-idea.ts', strategySource());
    const loaded = await loadStrategy('strategies/my-idea.ts', { cwd: folder.dir });
    const path = join(folder.dir, 'reports', 'my-idea.params.json');
    await writeParamsFile(path, {
      strategy: loaded.provenance,
      params: { minRise: 0.02, label: 'b' },
      note: 'best Sharpe',
    });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      strategy: 'strategies/my-idea.ts',
      key: 'my_idea',
      sha256: loaded.provenance.sha256,
      params: { label: 'b', minRise: 0.02 },
      note: 'best Sharpe',
    });
    const resolved = await resolveWith('strategies/my-idea.ts', {
      paramsFile: 'reports/my-idea.params.json',
    });
    expect(resolved).toEqual({
      params: { minRise: 0.02, label: 'b' },
      sources: ['defaults', 'reports/my-idea.params.json'],
      warnings: [],
    });

    const other = await failure('ema_crossover', { paramsFile: 'reports/my-idea.params.json' });
    expect(other.message).toBe(
      "--params-file reports/my-idea.params.json: holds parameters of strategy my_idea (strategies/my-idea.ts), but the strategy run is ema_crossover. Run that strategy (STRATEGY=strategies/my-idea.ts) or give this strategy's parameters",
    );
  });

  it('warns when the strategy file changed since its params file was written', async () => {
    folder.write('s.ts', strategySource());
    const before = await loadStrategy('s.ts', { cwd: folder.dir });
    folder.write(
      'p.json',
      formatParamsFile({ strategy: before.provenance, params: { minRise: 0.5 } }),
    );
    folder.write('s.ts', `${strategySource()}\n// tuned\n`);
    const resolved = await resolveWith('s.ts', { params: 'p.json' });
    expect(resolved.params).toEqual({ minRise: 0.5, label: 'x' });
    expect(resolved.warnings).toHaveLength(1);
    expect(resolved.warnings[0]).toMatch(
      /^STRATEGY_PARAMS file p\.json was written for an earlier version of my_idea \(s\.ts\) \(sha256 [0-9a-f]{12}…, now [0-9a-f]{12}…\)/,
    );
  });
});

describe('StrategyLoadError.source', () => {
  it('says where the failing input was given', async () => {
    const sourceOf = async (sources: StrategyParamsSources): Promise<unknown> =>
      ((await failure('ema_crossover', sources)) as StrategyLoadError).source;
    expect(await sourceOf({ params: '{bad' })).toBe('STRATEGY_PARAMS');
    expect(await sourceOf({ params: 'missing.json' })).toBe('STRATEGY_PARAMS');
    expect(await sourceOf({ paramsFile: 'missing.json' })).toBe('--params-file');
    const loadFailure = (await loadStrategy('nope.ts', { cwd: folder.dir }).then(
      () => null,
      (error: unknown) => error,
    )) as StrategyLoadError;
    expect(loadFailure.source).toBe('strategy');
  });
});
