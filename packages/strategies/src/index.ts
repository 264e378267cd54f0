/**
 * @lumenlink/strategies: the LumenLink strategy API, the six strategies and the multi-timeframe
 * analyzer. Strategies read closed candles, keep their own streaming indicators (O(1) per
 * candle) and return a `Signal`. No I/O.
 * @packageDocumentation
 */
export {
  createStrategy,
  getStrategyDefinition,
  isStrategyKey,
  strategyDefinitions,
  strategyKeys,
  type StrategyKey,
  type StrategyParams,
  type StrategyParamsInput,
} from './registry.js';
export {
  defaultSlowCandleMs,
  defineStrategy,
  isDefinedStrategy,
  type CreateStrategyOptions,
  type DefinedStrategy,
  type StrategyLogic,
  type StrategySpec,
} from './define-strategy.js';
export {
  StrategyParamsError,
  type StrategyParamIssue,
  type StrategyParameter,
  type StrategyParameterValue,
} from './params.js';
export {
  rsiMeanReversion,
  rsiMeanReversionParamsSchema,
  type RsiMeanReversionParams,
} from './rsi-mean-reversion.js';
export {
  emaCrossover,
  emaCrossoverParamsSchema,
  type EmaCrossoverParams,
} from './ema-crossover.js';
export { composite, compositeParamsSchema, type CompositeParams } from './composite.js';
export {
  advancedComposite,
  advancedCompositeFactors,
  advancedCompositeParamsSchema,
  type AdvancedCompositeFactor,
  type AdvancedCompositeParams,
} from './advanced-composite.js';
export { gridTrading, gridTradingParamsSchema, type GridTradingParams } from './grid-trading.js';
export { smartDca, smartDcaParamsSchema, type SmartDcaParams } from './smart-dca.js';
export {
  MultiTimeframeAnalyzer,
  type MultiTimeframeOptions,
  type TimeframeTrend,
  type TrendAlignment,
  type TrendDirection,
} from './multi-timeframe.js';
export { CandleAggregator } from './candle-aggregator.js';
export { parseParamAssignments, checkStrategyKey, setParamPath } from './param-assignments.js';
/**
 * zod, as this package validates parameters with it: write a strategy's `paramsSchema` with this
 * `z` so the schema is the library's own zod (`import { defineStrategy, z } from
 * '@lumenlink/strategies'`).
 */
export { z } from 'zod';
