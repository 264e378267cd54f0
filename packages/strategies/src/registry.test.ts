import { readFileSync } from 'node:fs';
import { ValidationError, type StrategyDefinition } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { StrategyParamsError } from './params.js';
import {
  createStrategy,
  getStrategyDefinition,
  isStrategyKey,
  strategyDefinitions,
  strategyKeys,
  type StrategyParams,
} from './registry.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('strategy registry', () => {
  it('lists the six built-in strategies, each definition under its own key', () => {
    expect(strategyKeys).toEqual([
      'rsi_mean_reversion',
      'ema_crossover',
      'composite',
      'advanced_composite',
      'grid_trading',
      'smart_dca',
    ]);
    expect(Object.keys(strategyDefinitions).sort()).toEqual([...strategyKeys].sort());
    for (const key of strategyKeys) {
      const definition = strategyDefinitions[key];
      expect(definition.key).toBe(key);
      expect(getStrategyDefinition(key)).toBe(definition);
      expect(isStrategyKey(key)).toBe(true);
      expect(definition.description.length).toBeGreaterThan(20);
      expect(createStrategy(key, undefined, { interval: '1h' }).params).toEqual(
        definition.defaults,
      );
    }
    expect(isStrategyKey('toString')).toBe(false);
  });

  it('documents every parameter of every schema, with the default the schema fills', () => {
    for (const key of strategyKeys) {
      const definition = strategyDefinitions[key];
      const documented = definition.parameters.map((row) => row.name.split('.')[0]);
      // Every parameter with a default is documented (grid_trading's lower/upper have none).
      expect(new Set(documented), key).toEqual(
        new Set([...Object.keys(definition.defaults), ...documented]),
      );
      for (const row of definition.parameters) {
        const value = row.name
          .split('.')
          .reduce<unknown>(
            (object, name) => (object as Record<string, unknown>)[name],
            definition.defaults,
          );
        expect(row.default, `${key}.${row.name}`).toEqual(value);
        expect(row.description.length).toBeGreaterThan(5);
        expect(row.accepted.length).toBeGreaterThan(5);
      }
    }
  });

  it('lists every parameter in the README with its default', () => {
    for (const key of strategyKeys) {
      expect(readme).toContain(`### \`${key}\``);
      for (const row of strategyDefinitions[key].parameters) {
        const shown = row.default === undefined ? '—' : `\`${JSON.stringify(row.default)}\``;
        const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const cell = new RegExp(`\\|\\s*\`${escape(row.name)}\`\\s*\\|\\s*${escape(shown)}\\s*\\|`);
        expect(readme, `${key}.${row.name}`).toMatch(cell);
      }
    }
  });

  it('rejects an unknown strategy key, listing the keys', () => {
    const error = thrown(() => createStrategy('macd_magic'));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      'Unknown strategy "macd_magic": expected one of rsi_mean_reversion, ema_crossover, composite, advanced_composite, grid_trading, smart_dca',
    );
  });

  it('rejects bad parameters with one error naming the strategy, each bad parameter and what it accepts', () => {
    const error = thrown(() =>
      createStrategy('rsi_mean_reversion', {
        period: 1.5,
        oversold: 'low',
        colour: 'red',
      } as never),
    );
    expect(error).toBeInstanceOf(StrategyParamsError);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe(
      [
        'Invalid parameters for strategy rsi_mean_reversion (3 problems):',
        '  - period: got 1.5. Accepted: an integer from 2 to 500 (default 14)',
        '  - oversold: got "low". Accepted: a number > 0 and <= 100 (default 30)',
        '  - colour: unknown parameter. Accepted: one of period, oversold, overbought',
      ].join('\n'),
    );
    const paramsError = error as StrategyParamsError;
    expect(paramsError.strategy).toBe('rsi_mean_reversion');
    expect(paramsError.issues.map((issue) => issue.param)).toEqual([
      'period',
      'oversold',
      'colour',
    ]);
  });

  it('rejects parameters that are not an object', () => {
    expect(thrown(() => createStrategy('ema_crossover', 5 as never)).message).toBe(
      [
        'Invalid parameters for strategy ema_crossover (1 problem):',
        '  - (parameters): expected an object of parameters, got 5. Accepted: an object; every parameter may be left out',
      ].join('\n'),
    );
  });

  it('exposes schemas and defaults for other bots to inspect', () => {
    expect(strategyDefinitions.ema_crossover.defaults).toEqual({
      fastPeriod: 9,
      slowPeriod: 21,
      confidence: 1,
    });
    expect(strategyDefinitions.grid_trading.paramsSchema.parse({ range: 'atr' }).levels).toBe(10);
    expect(Object.isFrozen(strategyDefinitions)).toBe(true);
    // Each definition is core's StrategyDefinition, for code that knows only core's contract.
    const asCore: StrategyDefinition<StrategyParams<'grid_trading'>> =
      strategyDefinitions.grid_trading;
    expect(asCore.create({ ...asCore.paramsSchema.parse({}) }, { interval: '4h' }).warmup).toBe(49);
    expect(Object.isFrozen(strategyDefinitions.advanced_composite.defaults.weights)).toBe(true);
  });
});
