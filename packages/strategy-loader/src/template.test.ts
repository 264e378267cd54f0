import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ValidationError, type Candle } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userFolder } from './__fixtures__/workspace.js';
import { loadStrategy } from './load-strategy.js';
import { resolveStrategyParams } from './params.js';
import { strategyNames, strategyTemplate, writeStrategyTemplate } from './template.js';

const run = promisify(execFile);

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder(['core', 'strategies', 'indicators']);
});
afterEach(() => folder.remove());

function validationMessage(make: () => unknown): string {
  try {
    make();
  } catch (error) {
    if (ValidationError.isInstance(error)) return error.message;
    throw error;
  }
  throw new Error('no error');
}

describe('strategyNames', () => {
  it('turns any spelling of a name into a snake case key and a kebab case file name', () => {
    for (const name of ['my_idea', 'my-idea', 'myIdea', 'My Idea', ' my  idea ']) {
      expect(strategyNames(name)).toEqual({ key: 'my_idea', fileBase: 'my-idea' });
    }
    expect(strategyNames('rsi2 dip')).toEqual({ key: 'rsi2_dip', fileBase: 'rsi2-dip' });
  });

  it('refuses a name without a leading letter, and a built-in key', () => {
    expect(validationMessage(() => strategyNames('--'))).toMatch(
      /^"--" is not a strategy name: give words starting with a letter/,
    );
    expect(validationMessage(() => strategyNames('2fast'))).toMatch(/not a strategy name/);
    expect(validationMessage(() => strategyNames('ema-crossover'))).toMatch(
      /^ema_crossover is a built-in strategy's key.*name of its own$/,
    );
  });
});

describe('strategyTemplate', () => {
  it('fills the key and file name into a commented strategy and its test', () => {
    const template = strategyTemplate('trend pullback');
    expect(template.key).toBe('trend_pullback');
    expect(template.strategy).toContain("key: 'trend_pullback'");
    expect(template.strategy).toContain(
      "import { defineStrategy, z } from '@lumenlink/strategies'",
    );
    expect(template.strategy).toMatch(/from '@lumenlink\/indicators'/);
    for (const topic of [
      'stopLoss',
      'takeProfit',
      'portion',
      'MultiTimeframeAnalyzer',
      'context.market',
      'warmup',
    ]) {
      expect(template.strategy).toContain(topic);
    }
    expect(template.strategy).toContain(
      ' *   pnpm backtest --strategy strategies/trend-pullback.ts\n',
    );
    expect(strategyTemplate('x', { dir: 'research/ideas/' }).strategy).toContain(
      ' *   pnpm strategy-test research/ideas/x.test.ts\n',
    );
    expect(template.test).toContain("import strategy from './trend-pullback.ts'");
    expect(template.test).toContain("from 'node:test'");
    expect(`${template.strategy}${template.test}`).not.toMatch(/__KEY__|__FILE__/);
  });
});

describe('writeStrategyTemplate', () => {
  it('writes a strategy that loads with its defaults and a test that passes on node --test', async () => {
    const written = await writeStrategyTemplate('my idea', { dir: 'strategies', cwd: folder.dir });
    expect(written).toEqual({
      key: 'my_idea',
      strategyFile: join(folder.dir, 'strategies', 'my-idea.ts'),
      testFile: join(folder.dir, 'strategies', 'my-idea.test.ts'),
      commands: [
        'pnpm strategy-test strategies/my-idea.test.ts',
        'pnpm backtest --strategy strategies/my-idea.ts',
        'pnpm optimize --strategy strategies/my-idea.ts --range fastPeriod=10:30:5 --range slowPeriod=40:80:10',
        'STRATEGY=strategies/my-idea.ts pnpm demo',
      ],
    });
    const loaded = await loadStrategy('strategies/my-idea.ts', { cwd: folder.dir });
    expect(loaded.provenance).toMatchObject({ kind: 'file', key: 'my_idea' });
    const { params } = await resolveStrategyParams(loaded, { assignments: ['portion=0.25'] });
    expect(params).toMatchObject({ fastPeriod: 20, slowPeriod: 50, portion: 0.25 });
    const strategy = loaded.definition.create(params, { interval: '1h' });
    const candle: Candle = { time: 0, open: 1, high: 1, low: 1, close: 1, volume: 1 };
    expect(strategy.onCandle(candle, { symbol: 'BTC-USDT', time: 1, position: null })).toEqual({
      action: 'hold',
      confidence: 0,
      reason: 'indicators warming up',
    });

    const result = await run(process.execPath, ['--test', written.testFile], { cwd: folder.dir });
    expect(result.stdout).toMatch(/# pass 5\n# fail 0|ℹ pass 5[\s\S]*ℹ fail 0/);
  });

  it('makes a test that fails when the strategy breaks its rules', async () => {
    const written = await writeStrategyTemplate('my idea', { dir: 'strategies', cwd: folder.dir });
    const source = readFileSync(written.strategyFile, 'utf8');
    writeFileSync(written.strategyFile, source.replace('portion: params.portion,', ''));
    await expect(
      run(process.execPath, ['--test', written.testFile], { cwd: folder.dir }),
    ).rejects.toMatchObject({ code: 1 });
  });

  it('never overwrites: names the existing file and writes neither', async () => {
    const test = folder.write('strategies/my-idea.test.ts', 'mine');
    const message = await writeStrategyTemplate('my_idea', {
      dir: 'strategies',
      cwd: folder.dir,
    }).then(
      () => 'written',
      (error: unknown) => (error as Error).message,
    );
    expect(message).toBe(
      `${test} already exists, and new-strategy never overwrites a file. Choose another name, or move that file away first`,
    );
    expect(readFileSync(test, 'utf8')).toBe('mine');
    expect(existsSync(join(folder.dir, 'strategies', 'my-idea.ts'))).toBe(false);
  });
});
