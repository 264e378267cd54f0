import { ValidationError, type Strategy } from '@lumenlink/core';
import type { z } from 'zod';
import { advancedComposite } from './advanced-composite.js';
import { composite } from './composite.js';
import type { CreateStrategyOptions, DefinedStrategy } from './define-strategy.js';
import { emaCrossover } from './ema-crossover.js';
import { gridTrading } from './grid-trading.js';
import { rsiMeanReversion } from './rsi-mean-reversion.js';
import { smartDca } from './smart-dca.js';

/**
 * The built-in strategy definitions by key: their parameter schemas, documented parameters and
 * defaults, for other bots and tools to inspect (`strategyDefinitions.ema_crossover.defaults`).
 */
export const strategyDefinitions = Object.freeze({
  rsi_mean_reversion: rsiMeanReversion,
  ema_crossover: emaCrossover,
  composite,
  advanced_composite: advancedComposite,
  grid_trading: gridTrading,
  smart_dca: smartDca,
});

/** The key of a built-in strategy, as `STRATEGY` in the config takes it. */
export type StrategyKey = keyof typeof strategyDefinitions;

/** The built-in strategy keys, in a fixed order: the three basic strategies first. */
export const strategyKeys: readonly StrategyKey[] = Object.freeze([
  'rsi_mean_reversion',
  'ema_crossover',
  'composite',
  'advanced_composite',
  'grid_trading',
  'smart_dca',
]);

/** Validated parameters (defaults filled) of the built-in strategy `Key`. */
export type StrategyParams<Key extends StrategyKey> = z.output<
  (typeof strategyDefinitions)[Key]['paramsSchema']
>;

/** Parameters accepted for the built-in strategy `Key`: each may be left out. */
export type StrategyParamsInput<Key extends StrategyKey> = z.input<
  (typeof strategyDefinitions)[Key]['paramsSchema']
>;

/** Whether `key` names a built-in strategy. */
export function isStrategyKey(key: string): key is StrategyKey {
  return Object.hasOwn(strategyDefinitions, key);
}

/**
 * The definition of a built-in strategy.
 *
 * @throws {ValidationError} for an unknown key, listing the keys.
 */
export function getStrategyDefinition<Key extends StrategyKey>(
  key: Key,
): (typeof strategyDefinitions)[Key];
export function getStrategyDefinition(key: string): DefinedStrategy;
export function getStrategyDefinition(key: string): DefinedStrategy {
  if (!isStrategyKey(key)) {
    throw new ValidationError(
      `Unknown strategy "${key}": expected one of ${strategyKeys.join(', ')}`,
    );
  }
  return strategyDefinitions[key];
}

/**
 * Makes an instance of a built-in strategy for one symbol, with parameters validated and
 * defaults filled. With a literal key the parameters are typed; any string (from config) is
 * accepted and checked at run time. The instance is guarded: anything going wrong in `onCandle`
 * surfaces as a `StrategyError` naming the strategy and the symbol.
 *
 * @example
 * ```ts
 * const strategy = createStrategy('rsi_mean_reversion', { oversold: 25 }, { interval: '1h' });
 * for (const candle of closedCandles) {
 *   const signal = strategy.onCandle(candle, {
 *     symbol: 'BTC-USD',
 *     time: candle.time + 3_600_000,
 *     position: null,
 *   });
 *   if (signal.action !== 'hold') console.log(signal.action, signal.reason);
 * }
 * ```
 * @throws {StrategyParamsError} (a `ValidationError`) naming the strategy, each bad parameter
 * and what it accepts; `ValidationError` for an unknown key or a bad interval.
 */
export function createStrategy<Key extends string>(
  key: Key,
  params?: Key extends StrategyKey ? StrategyParamsInput<Key> : unknown,
  options: CreateStrategyOptions = {},
): Strategy<Key extends StrategyKey ? StrategyParams<Key> : unknown> {
  return getStrategyDefinition(key).create(params, options) as Strategy<
    Key extends StrategyKey ? StrategyParams<Key> : unknown
  >;
}
