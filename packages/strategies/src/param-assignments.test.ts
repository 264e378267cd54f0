import { ValidationError } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { checkStrategyKey, parseParamAssignments } from './param-assignments.js';
import { strategyDefinitions } from './registry.js';

function failure(strategy: string, entries: string[]): string {
  try {
    parseParamAssignments(strategy, entries);
  } catch (error) {
    if (error instanceof ValidationError) return error.message;
    throw error;
  }
  throw new Error('parseParamAssignments did not throw');
}

describe('parseParamAssignments', () => {
  it('fills every default when no parameter is given', () => {
    for (const [key, definition] of Object.entries(strategyDefinitions)) {
      expect(parseParamAssignments(key, [])).toEqual(definition.defaults);
    }
  });

  it('types values by the parameter: numbers, lists and dotted group members', () => {
    expect(
      parseParamAssignments('advanced_composite', [
        'buyThreshold=0.45',
        'emaSlow=30',
        'higherTimeframes=4h, 1d',
        'weights.macd=2',
        'weights.sentiment=0',
      ]),
    ).toEqual({
      ...strategyDefinitions.advanced_composite.defaults,
      buyThreshold: 0.45,
      emaSlow: 30,
      higherTimeframes: ['4h', '1d'],
      weights: {
        ...strategyDefinitions.advanced_composite.defaults.weights,
        macd: 2,
        sentiment: 0,
      },
    });
    expect(parseParamAssignments('advanced_composite', ['higherTimeframes='])).toMatchObject({
      higherTimeframes: [],
    });
  });

  it('lets the strategy schema reject bad values, listing every problem with what is accepted', () => {
    expect(failure('ema_crossover', ['fastPeriod=abc', 'confidence=2'])).toBe(
      [
        'Invalid parameters for strategy ema_crossover (2 problems):',
        '  - fastPeriod: got "abc". Accepted: an integer from 1 to 500 (default 9)',
        '  - confidence: got 2. Accepted: a number > 0 and <= 1 (default 1)',
      ].join('\n'),
    );
    expect(failure('ema_crossover', ['fastPeriod=30'])).toContain(
      'slowPeriod: must be above fastPeriod (30)',
    );
    expect(failure('rsi_mean_reversion', ['rsiPeriod=14'])).toContain(
      '  - rsiPeriod: unknown parameter. Accepted: one of period, oversold, overbought',
    );
    expect(failure('advanced_composite', ['weights.magic=1'])).toContain(
      '  - weights.magic: unknown parameter. Accepted: one of emaTrend, macd,',
    );
    expect(failure('advanced_composite', ['higherTimeframes=4h,1month'])).toContain(
      'higherTimeframes.1',
    );
  });

  it('rejects text that is not key=value, and a parameter given twice', () => {
    expect(failure('ema_crossover', ['=5'])).toBe(
      '"=5" is not key=value, such as fastPeriod=9; ema_crossover takes fastPeriod, slowPeriod, confidence',
    );
    expect(failure('ema_crossover', ['fastPeriod=5', 'fastPeriod=6'])).toBe(
      'fastPeriod is given more than once; give it once',
    );
  });
});

describe('checkStrategyKey', () => {
  it('accepts the built-in keys and lists them for anything else', () => {
    expect(checkStrategyKey('smart_dca')).toBe('smart_dca');
    expect(() => checkStrategyKey('toString')).toThrow(
      'unknown strategy "toString". Accepted: rsi_mean_reversion, ema_crossover, composite, advanced_composite, grid_trading, smart_dca',
    );
  });
});

describe('parseParamAssignments with a definition and a base', () => {
  it('takes a definition (a module strategy) and layers the texts over a base', () => {
    const definition = strategyDefinitions.ema_crossover;
    const params = parseParamAssignments(definition, ['slowPeriod=40'], { fastPeriod: 7 });
    expect(params).toEqual({ ...definition.defaults, fastPeriod: 7, slowPeriod: 40 });
    // The base is not changed.
    const base = { fastPeriod: 7 };
    parseParamAssignments(definition, ['fastPeriod=9'], base);
    expect(base).toEqual({ fastPeriod: 7 });
  });

  it('lists every bad parameter of the base and the texts together', () => {
    expect(() =>
      parseParamAssignments(strategyDefinitions.ema_crossover, ['slowPeriod=x'], {
        fastPeriod: -1,
        nope: 1,
      }),
    ).toThrow(/3 problems/);
  });
});
