import {
  DataIntegrityError,
  hold,
  StrategyError,
  type Candle,
  type Signal,
  type StrategyContext,
} from '@lumenlink/core';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { candlesFromCloses, contextFor, loadBtc1h, signalsOf } from './__fixtures__/candles.js';
import { defineStrategy, isDefinedStrategy } from './define-strategy.js';
import { StrategyParamsError } from './params.js';
import { createStrategy } from './registry.js';

const idle = hold('idle');

/** A custom definition whose onCandle throws on the candle at `failAt`. */
const failing = defineStrategy({
  key: 'always_fails',
  description: 'Throws on a chosen candle.',
  paramsSchema: z.strictObject({ failAt: z.number().int().default(0) }),
  build: ({ failAt }) => {
    let seen = 0;
    return {
      warmup: 0,
      onCandle: () => {
        if (seen++ === failAt) throw new RangeError('division by zero in my indicator');
        return idle;
      },
    };
  },
});

/** A custom definition that returns whatever signal it is given. */
function returning(signal: unknown) {
  return defineStrategy({
    key: 'bad_signal',
    description: 'Returns a fixed signal.',
    paramsSchema: z.strictObject({}),
    build: () => ({ warmup: 0, onCandle: () => signal as Signal }),
  }).create();
}

const candles = candlesFromCloses([100, 101, 102, 103]);

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('guarded strategy instances', () => {
  it("surface a strategy's exception as a StrategyError naming the strategy and the symbol", () => {
    const strategy = failing.create({ failAt: 1 });
    expect(
      strategy.onCandle(candles[0]!, contextFor(candles[0]!, null, undefined, 'ETH-USD')),
    ).toBe(idle);
    const error = thrown(() =>
      strategy.onCandle(candles[1]!, contextFor(candles[1]!, null, undefined, 'ETH-USD')),
    );
    expect(error).toBeInstanceOf(StrategyError);
    const strategyError = error as StrategyError;
    expect(strategyError.code).toBe('STRATEGY_FAILED');
    expect(strategyError.strategy).toBe('always_fails');
    expect(strategyError.isRetryable).toBe(false);
    expect(strategyError.message).toBe(
      'Strategy always_fails: ETH-USD candle at 2024-01-01T01:00:00.000Z: onCandle threw: division by zero in my indicator',
    );
    expect(strategyError.cause).toBeInstanceOf(RangeError);
    // The loop survives: the next candle is processed.
    expect(
      strategy.onCandle(candles[2]!, contextFor(candles[2]!, null, undefined, 'ETH-USD')),
    ).toBe(idle);
  });

  it('reject a NaN candle as a StrategyError before it reaches the indicators', () => {
    const real = loadBtc1h().slice(0, 300);
    const strategy = createStrategy('ema_crossover');
    const broken: Candle = { ...real[150]!, close: Number.NaN };
    const seen: Signal[] = [];
    for (const [i, candle] of real.entries()) {
      if (i === 150) {
        const error = thrown(() => strategy.onCandle(broken, contextFor(broken, null)));
        expect(error).toBeInstanceOf(StrategyError);
        expect((error as Error).message).toMatch(
          /^Strategy ema_crossover: BTC-USDT candle at 2024-01-07T06:00:00\.000Z: rejected an unsound candle: close NaN is not a positive price$/,
        );
        expect((error as Error).cause).toBeInstanceOf(DataIntegrityError);
      }
      seen.push(strategy.onCandle(candle, contextFor(candle, null)));
    }
    // The NaN never reached the EMAs: the same signals as a run that never saw it.
    expect(seen).toEqual(signalsOf(createStrategy('ema_crossover'), real));
  });

  it('reject a candle that repeats or goes back in time', () => {
    const strategy = createStrategy('rsi_mean_reversion');
    strategy.onCandle(candles[1]!, contextFor(candles[1]!));
    for (const candle of [candles[1]!, candles[0]!]) {
      expect(() => strategy.onCandle(candle, contextFor(candle))).toThrow(
        /^Strategy rsi_mean_reversion: BTC-USDT candle at .*: rejected a candle that is not after the previous one \(2024-01-01T01:00:00\.000Z\): feed each closed candle once, in time order$/,
      );
    }
  });

  it('serve one symbol each', () => {
    const strategy = createStrategy('grid_trading', { range: 'fixed', lower: 90, upper: 110 });
    strategy.onCandle(candles[0]!, contextFor(candles[0]!, null, undefined, 'BTC-USD'));
    expect(() =>
      strategy.onCandle(candles[1]!, contextFor(candles[1]!, null, undefined, 'ETH-USD')),
    ).toThrow(
      /^Strategy grid_trading: ETH-USD candle at .*: this instance serves BTC-USD; make one instance per symbol$/,
    );
  });

  it('reject an invalid signal as a StrategyError saying what is wrong', () => {
    const context: StrategyContext = contextFor(candles[0]!);
    for (const [signal, problem] of [
      [{ action: 'buy', confidence: 2, reason: 'sure' }, /confidence: Too big/],
      [{ action: 'buy', confidence: 1, reason: '' }, /reason: Too small/],
      [{ action: 'short', confidence: 1, reason: 'x' }, /action: Invalid option/],
      [{ action: 'sell', confidence: 1, reason: 'x', portion: 0 }, /portion: Too small/],
      [{ action: 'buy', confidence: 1, reason: 'x', stopLoss: -1 }, /stopLoss: Too small/],
      [undefined, /signal: Invalid input/],
    ] as const) {
      const error = thrown(() => returning(signal).onCandle(candles[0]!, context));
      expect(error).toBeInstanceOf(StrategyError);
      expect((error as Error).message).toMatch(
        /^Strategy bad_signal: BTC-USDT candle at .*: returned an invalid signal \(/,
      );
      expect((error as Error).message).toMatch(problem);
    }
  });

  it('validate parameters in create too, for JavaScript callers', () => {
    expect(() => failing.create({ failAt: 'soon' } as never)).toThrow(StrategyParamsError);
    expect(failing.defaults).toEqual({ failAt: 0 });
    expect(Object.isFrozen(failing.create().params)).toBe(true);
    expect(() => failing.create({}, { interval: 'hourly' as never })).toThrow(/Invalid timeframe/);
  });
});

describe('strategy labels, slow candles and module exports', () => {
  it('name the strategy by its label, such as its file, in every error', () => {
    const strategy = failing.create(
      { failAt: 0 },
      { label: 'always_fails (strategies/always-fails.ts)' },
    );
    const error = thrown(() => strategy.onCandle(candles[0]!, contextFor(candles[0]!)));
    expect((error as StrategyError).strategy).toBe('always_fails (strategies/always-fails.ts)');
    expect((error as Error).message).toMatch(
      /^Strategy always_fails \(strategies\/always-fails\.ts\): BTC-USDT candle at 2024-01-01T00:00:00\.000Z: onCandle threw/,
    );
  });

  it('turn a candle slower than slowCandleMs into a StrategyError naming the candle', () => {
    const sleepy = defineStrategy({
      key: 'sleepy',
      description: 'Busy-waits on the second candle.',
      paramsSchema: z.strictObject({ waitMs: z.number().default(40) }),
      build: ({ waitMs }) => {
        let seen = 0;
        return {
          warmup: 0,
          onCandle: () => {
            if (seen++ === 1) {
              const until = performance.now() + waitMs;
              while (performance.now() < until);
            }
            return idle;
          },
        };
      },
    });
    const strategy = sleepy.create({}, { slowCandleMs: 20 });
    expect(strategy.onCandle(candles[0]!, contextFor(candles[0]!))).toBe(idle);
    const error = thrown(() => strategy.onCandle(candles[1]!, contextFor(candles[1]!)));
    expect(error).toBeInstanceOf(StrategyError);
    expect((error as Error).message).toMatch(
      /^Strategy sleepy: BTC-USDT candle at 2024-01-01T01:00:00\.000Z: onCandle took \d+ ms, over the 20 ms allowed/,
    );
    // The default budget (1 s) lets the same 40 ms candle through.
    const relaxed = sleepy.create();
    relaxed.onCandle(candles[0]!, contextFor(candles[0]!));
    expect(relaxed.onCandle(candles[1]!, contextFor(candles[1]!))).toBe(idle);
    expect(() => sleepy.create({}, { slowCandleMs: 0 })).toThrow(/slowCandleMs must be/);
    // Infinity turns the check off: the slow candle passes and the guard reads no clock.
    const unlimited = sleepy.create({ waitMs: 25 }, { slowCandleMs: Number.POSITIVE_INFINITY });
    unlimited.onCandle(candles[0]!, contextFor(candles[0]!));
    expect(unlimited.onCandle(candles[1]!, contextFor(candles[1]!))).toBe(idle);
    const clock = vi.spyOn(performance, 'now');
    expect(unlimited.onCandle(candles[2]!, contextFor(candles[2]!))).toBe(idle);
    expect(clock).not.toHaveBeenCalled();
    clock.mockRestore();
  });

  describe('on a fake clock', () => {
    /** A strategy whose onCandle costs `cost(n)` ms of the fake clock on its n-th candle. */
    function clocked(cost: (n: number) => number) {
      let now = 0;
      let calls = 0;
      const clock = vi.spyOn(performance, 'now').mockImplementation(() => {
        calls++;
        return now;
      });
      let seen = 0;
      const definition = defineStrategy({
        key: 'clocked',
        description: 'Spends fake time.',
        paramsSchema: z.strictObject({}),
        build: () => ({
          warmup: 0,
          onCandle: () => {
            now += cost(seen++);
            return idle;
          },
        }),
      });
      const strategy = definition.create({}, { slowCandleMs: 20 });
      const series = candlesFromCloses(Array.from({ length: 2_000 }, (_, i) => 100 + (i % 7)));
      return {
        /** Feeds candle `n`, `gapMs` of fake time after the previous one ended. */
        feed(n: number, gapMs: number) {
          now += gapMs;
          return strategy.onCandle(series[n]!, contextFor(series[n]!));
        },
        reads: () => calls,
        restore: () => clock.mockRestore(),
      };
    }

    it('time every candle that arrives on its own, as in the bot', () => {
      const run = clocked(() => 0.5);
      try {
        for (let n = 0; n < 500; n++) run.feed(n, 60_000);
        expect(run.reads()).toBe(1_000);
      } finally {
        run.restore();
      }
    });

    it('read the clock once per 64 candles once they come back to back, as in a backtest', () => {
      const run = clocked(() => 0.001);
      try {
        // The first candle follows nothing: 64 more back-to-back ones are timed, 65 in all.
        for (let n = 0; n < 65; n++) run.feed(n, 0.0001);
        expect(run.reads()).toBe(130);
        for (let n = 65; n < 65 + 64 * 20; n++) run.feed(n, 0.0001);
        expect(run.reads()).toBe(130 + 20);
      } finally {
        run.restore();
      }
    });

    it('stop a strategy that turns slow on every candle within one block, naming the candle', () => {
      const run = clocked((n) => (n >= 1_000 ? 25 : 0.001));
      try {
        let stoppedAt = -1;
        for (let n = 0; n < 2_000 && stoppedAt < 0; n++) {
          try {
            run.feed(n, 0.0001);
          } catch (error) {
            expect(error).toBeInstanceOf(StrategyError);
            expect((error as Error).message).toMatch(/onCandle took 25 ms, over the 20 ms allowed/);
            stoppedAt = n;
          }
        }
        expect(stoppedAt).toBeGreaterThanOrEqual(1_000);
        expect(stoppedAt).toBeLessThanOrEqual(1_000 + 64);
      } finally {
        run.restore();
      }
    });

    it('go back to timing each candle after a pause between sampled candles, without an error', () => {
      const run = clocked(() => 0.001);
      try {
        for (let n = 0; n < 200; n++) run.feed(n, 0.0001);
        const before = run.reads();
        run.feed(200, 5_000);
        for (let n = 201; n < 330; n++) run.feed(n, 0.0001);
        // The block holding the pause was slower than the limit: the candles after it are timed
        // again (64 of them back to back before sampling resumes).
        expect(run.reads() - before).toBeGreaterThanOrEqual(2 * 64);
      } finally {
        run.restore();
      }
    });
  });

  it('recognise a definition by its shape, from any copy of the package', () => {
    expect(isDefinedStrategy(failing)).toBe(true);
    expect(isDefinedStrategy({ ...failing })).toBe(true);
    expect(isDefinedStrategy({ key: 'x', create: () => null })).toBe(false);
    expect(isDefinedStrategy({ ...failing, paramsSchema: {} })).toBe(false);
    expect(isDefinedStrategy(null)).toBe(false);
    expect(isDefinedStrategy(() => failing)).toBe(false);
  });
});

describe('a definition without a parameters table', () => {
  const documented = defineStrategy({
    key: 'self_documented',
    description: 'Its schema documents it.',
    paramsSchema: z
      .strictObject({
        period: z.number().int().min(2).max(200).default(20).describe('EMA period'),
        threshold: z.number().gt(0).max(1).default(0.5),
        mode: z.enum(['fast', 'slow']).default('fast'),
        enabled: z.boolean().default(true),
        weights: z.strictObject({ trend: z.number().min(0).default(1) }).prefault({}),
      })
      .refine((params) => params.threshold < 1, {
        message: 'must be below 1',
        path: ['threshold'],
      }),
    build: () => ({ warmup: 0, onCandle: () => idle }),
  });

  it('reads each parameter, its default and what it accepts from the schema', () => {
    expect(documented.parameters).toEqual([
      {
        name: 'period',
        default: 20,
        accepted: 'an integer >= 2 and <= 200',
        description: 'EMA period',
      },
      { name: 'threshold', default: 0.5, accepted: 'a number > 0 and <= 1', description: '' },
      { name: 'mode', default: 'fast', accepted: 'one of fast, slow', description: '' },
      { name: 'enabled', default: true, accepted: 'true or false', description: '' },
      { name: 'weights.trend', default: 1, accepted: 'a number >= 0', description: '' },
    ]);
  });

  it('says what each bad parameter accepts', () => {
    const error = thrown(() =>
      documented.parseParams({ period: 1, mode: 'medium', speed: 2 } as never),
    );
    expect(error).toBeInstanceOf(StrategyParamsError);
    const message = (error as Error).message;
    expect(message).toContain(
      '  - period: got 1. Accepted: an integer >= 2 and <= 200 (default 20)',
    );
    expect(message).toContain(
      '  - mode: got "medium". Accepted: one of fast, slow (default "fast")',
    );
    expect(message).toContain(
      '  - speed: unknown parameter. Accepted: one of period, threshold, mode, enabled, weights',
    );
  });
});

describe('a schema that is not strict', () => {
  it('still refuses unknown parameters, where zod would drop them', () => {
    const loose = defineStrategy({
      key: 'loose',
      description: 'z.object, not z.strictObject.',
      paramsSchema: z.object({
        period: z.number().int().min(2).default(10),
        weights: z.object({ trend: z.number().default(1) }).prefault({}),
      }),
      build: () => ({ warmup: 0, onCandle: () => idle }),
    });
    expect(loose.parseParams({ period: 12, weights: { trend: 2 } })).toEqual({
      period: 12,
      weights: { trend: 2 },
    });
    const error = thrown(() => loose.parseParams({ perod: 50, weights: { trned: 2 } } as never));
    expect(error).toBeInstanceOf(StrategyParamsError);
    expect((error as StrategyParamsError).issues).toEqual([
      { param: 'perod', problem: 'unknown parameter', accepted: 'one of period, weights' },
      { param: 'weights.trned', problem: 'unknown parameter', accepted: 'one of trend' },
    ]);
  });
});
