import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OptimizeInputError } from './errors.js';
import {
  buildSpace,
  parseHeatmapAxes,
  describeStrategyParameters,
  gridValues,
  parseRangeFlag,
  parseSpaceJson,
  pointParams,
  type Dimension,
} from './space.js';

const ema = describeStrategyParameters('ema_crossover');
const range = (text: string, strategy = 'ema_crossover'): Dimension =>
  parseRangeFlag(text, describeStrategyParameters(strategy), strategy);

/** The OptimizeInputError a call throws, to check the flag it names and its message. */
function usageError(call: () => unknown): OptimizeInputError {
  try {
    call();
  } catch (error) {
    if (error instanceof OptimizeInputError) return error;
    throw error;
  }
  throw new Error('expected a OptimizeInputError');
}

describe('describeStrategyParameters', () => {
  it('reads integers, reals and their bounds from the zod schema', () => {
    expect(ema.get('fastPeriod')).toMatchObject({
      kind: 'integer',
      min: 1,
      minInclusive: true,
      max: 500,
      maxInclusive: true,
      accepted: 'an integer from 1 to 500',
    });
    // confidence is > 0 and <= 1.
    expect(ema.get('confidence')).toMatchObject({
      kind: 'number',
      min: 0,
      minInclusive: false,
      max: 1,
      maxInclusive: true,
    });
  });

  it('reads choices, flattens groups to dotted names, and marks what cannot be searched', () => {
    const grid = describeStrategyParameters('grid_trading');
    expect(grid.get('range')).toMatchObject({
      kind: 'choice',
      choices: ['donchian', 'atr', 'fixed'],
    });
    expect(grid.get('lower')).toMatchObject({ kind: 'number', min: 0, max: Infinity });
    const advanced = describeStrategyParameters('advanced_composite');
    expect(advanced.get('weights.macd')).toMatchObject({ kind: 'number', min: 0, max: 10 });
    expect(advanced.get('higherTimeframes')?.kind).toBe('other');
    expect(advanced.has('weights')).toBe(false);
  });
});

describe('parseRangeFlag', () => {
  it('steps an integer range from min to max', () => {
    const dimension = range('fastPeriod=5:20:5');
    expect(dimension).toMatchObject({
      name: 'fastPeriod',
      kind: 'range',
      min: 5,
      max: 20,
      step: 5,
    });
    expect(gridValues(dimension)).toEqual([5, 10, 15, 20]);
    // Without a step an integer range takes every integer; a max off the step is not reached.
    expect(gridValues(range('fastPeriod=3:6'))).toEqual([3, 4, 5, 6]);
    expect(gridValues(range('slowPeriod=20:35:10'))).toEqual([20, 30]);
  });

  it('steps reals without float noise, and takes a bound left out from the schema', () => {
    expect(gridValues(range('confidence=0.1:0.3:0.1'))).toEqual([0.1, 0.2, 0.3]);
    // confidence > 0: the schema's own lower bound is excluded, its upper bound 1 included.
    expect(gridValues(range('confidence=::0.25'))).toEqual([0.25, 0.5, 0.75, 1]);
    // A real range without a step has no grid (random search draws from it).
    expect(gridValues(range('confidence=0.2:1'))).toBeUndefined();
  });

  it('takes lists of numbers, choices and dotted group members', () => {
    expect(range('slowPeriod=21, 34,55')).toEqual({
      name: 'slowPeriod',
      kind: 'values',
      values: [21, 34, 55],
    });
    expect(gridValues(range('range=atr,fixed', 'grid_trading'))).toEqual(['atr', 'fixed']);
    expect(range('weights.macd=0:2:1', 'advanced_composite')).toMatchObject({
      name: 'weights.macd',
      min: 0,
      max: 2,
      step: 1,
    });
  });

  it('names the flag and what the parameter accepts when a value is wrong', () => {
    const unknown = usageError(() => range('fastPeriods=5:20'));
    expect(unknown.field).toBe('--range');
    expect(unknown.message).toContain('ema_crossover has no parameter "fastPeriods"');
    expect(unknown.message).toContain('did you mean fastPeriod');
    expect(unknown.message).toContain('fastPeriod, slowPeriod, confidence');

    expect(usageError(() => range('fastPeriod=0:10')).message).toContain(
      'fastPeriod: min 0 is out of bounds; fastPeriod accepts an integer from 1 to 500',
    );
    expect(usageError(() => range('fastPeriod=5:20:2.5')).message).toContain(
      'must be a whole number',
    );
    expect(usageError(() => range('fastPeriod=5.5,6')).message).toContain('is not an integer');
    expect(usageError(() => range('fastPeriod=20:5')).message).toContain('min 20 is above max 5');
    expect(usageError(() => range('fastPeriod=5:20:0')).message).toContain('step 0 must be > 0');
    expect(usageError(() => range('fastPeriod=5,5')).message).toContain('listed twice');
    expect(usageError(() => range('fastPeriod')).message).toContain('is not name=spec');
    expect(usageError(() => range('range=0:3', 'grid_trading')).message).toContain(
      'range=donchian,atr,fixed',
    );
    expect(usageError(() => range('range=grid', 'grid_trading')).message).toContain(
      'is not one of donchian, atr, fixed',
    );
    expect(usageError(() => range('higherTimeframes=4h', 'advanced_composite')).message).toContain(
      'cannot be searched',
    );
    expect(usageError(() => range('lower=1:', 'grid_trading')).message).toContain(
      'the schema sets no upper bound',
    );
  });
});

describe('parseSpaceJson and buildSpace', () => {
  it('reads ranges, lists and range strings from a space file', () => {
    const dimensions = parseSpaceJson(
      {
        fastPeriod: { min: 5, max: 15, step: 5 },
        slowPeriod: [21, 34],
        confidence: '0.5:1:0.5',
      },
      ema,
      'ema_crossover',
      'space.json',
    );
    expect(dimensions.map(gridValues)).toEqual([
      [5, 10, 15],
      [21, 34],
      [0.5, 1],
    ]);
  });

  it('names --space, the file and the entry at fault', () => {
    const bad = (json: unknown): string =>
      usageError(() => parseSpaceJson(json, ema, 'ema_crossover', 'space.json')).message;
    expect(usageError(() => parseSpaceJson([], ema, 'ema_crossover', 'space.json')).field).toBe(
      '--space',
    );
    expect(bad({ fastPeriod: { min: 5, max: 20, stride: 5 } })).toContain(
      'space.json: fastPeriod: unknown key stride',
    );
    expect(bad({ fastPeriod: { min: '5', max: 20 } })).toContain(
      'fastPeriod.min: "5" is not a number',
    );
    expect(bad({ fastPeriod: [5, 1000] })).toContain('value 1000 is out of bounds');
    expect(bad({ nope: [1] })).toContain('ema_crossover has no parameter "nope"');
  });

  it('lets a --range replace the file entry of the same parameter', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lumenlink-space-')), 'space.json');
    writeFileSync(file, JSON.stringify({ fastPeriod: [5, 9], slowPeriod: [21, 34] }));
    const dimensions = buildSpace('ema_crossover', ['slowPeriod=50,60,70'], file);
    expect(dimensions.map((dimension) => [dimension.name, gridValues(dimension)])).toEqual([
      ['fastPeriod', [5, 9]],
      ['slowPeriod', [50, 60, 70]],
    ]);
  });

  it('asks for something to search, and refuses a parameter given twice', () => {
    const none = usageError(() => buildSpace('ema_crossover', [], undefined));
    expect(none.field).toBe('--range');
    expect(none.message).toContain('nothing to search');
    expect(none.message).toContain('--range fastPeriod=');
    expect(
      usageError(() => buildSpace('ema_crossover', ['fastPeriod=5', 'fastPeriod=6'], undefined))
        .message,
    ).toContain('fastPeriod is given more than once');
    expect(
      usageError(() => buildSpace('ema_crossover', [], '/no/such/space.json')).message,
    ).toContain('cannot read the file');
  });
});

describe('pointParams', () => {
  it('sets searched values, dotted ones inside their group, without touching the base', () => {
    const base = { buyThreshold: 0.3, weights: { macd: 1, rsi: 1 } };
    const params = pointParams(base, { buyThreshold: 0.5, 'weights.macd': 2 });
    expect(params).toEqual({ buyThreshold: 0.5, weights: { macd: 2, rsi: 1 } });
    expect(base).toEqual({ buyThreshold: 0.3, weights: { macd: 1, rsi: 1 } });
  });
});

describe('parseHeatmapAxes', () => {
  const dimensions = buildSpace('ema_crossover', ['fastPeriod=5:20:5', 'slowPeriod=30,40']);

  it('reads two different searched parameters', () => {
    expect(parseHeatmapAxes('slowPeriod, fastPeriod', dimensions)).toEqual([
      'slowPeriod',
      'fastPeriod',
    ]);
  });

  it('names --heatmap and the searched parameters for anything else', () => {
    expect(() => parseHeatmapAxes('fastPeriod', dimensions)).toThrow(
      '--heatmap: "fastPeriod" is not two different parameters X,Y, such as fastPeriod,slowPeriod',
    );
    expect(() => parseHeatmapAxes('fastPeriod,fastPeriod', dimensions)).toThrow(OptimizeInputError);
    expect(() => parseHeatmapAxes('fastPeriod,confidence', dimensions)).toThrow(
      '--heatmap: confidence is not searched; the searched parameters are fastPeriod, slowPeriod',
    );
  });
});
