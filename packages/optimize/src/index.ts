/**
 * @lumenlink/optimize: parameter search for LumenLink strategies. `buildSpace` reads the search
 * space from a strategy's zod schema and range texts (`fastPeriod=5:20:5`); `optimize` runs a
 * grid or seeded random search on a pool of worker threads, ranks the results by a metric of
 * `@lumenlink/analysis`, walks forward when asked, and runs Monte Carlo on the winner;
 * `formatOptimizeTable`, `formatOptimizeJson` and `renderOptimizeHtml` write its result, with
 * what produced it (strategy source and hash, parameters, settings, data). The strategy is a
 * built-in key or your own, loaded by `@lumenlink/strategy-loader`; `winnerParams` and
 * `formatTradeInstructions` turn the winner into a params file and the lines that trade it.
 * Where it sits among the packages: docs/architecture/overview.md.
 * @packageDocumentation
 */
export {
  optimize,
  bestRow,
  defaultBacktestSettings,
  type OptimizeRequest,
  type OptimizeHooks,
  type OptimizeReport,
  type ResultRow,
  type FailedRun,
  type WalkForwardReport,
} from './run.js';
export type { OptimizeSource } from './source.js';
export {
  definitionOf,
  provenanceOf,
  strategyLabel,
  type OptimizeStrategy,
  type StrategyRef,
} from './strategy.js';
export { describeData, describeStrategySource, type OptimizeProvenance } from './provenance.js';
export {
  winnerParams,
  winnerNote,
  freshParamsFilePath,
  paramsFilePath,
  formatTradeInstructions,
  type OptimizeOutputs,
  type WinnerParams,
} from './winner.js';
export { OptimizeInputError, closestNames } from './errors.js';
export {
  buildSpace,
  describeStrategyParameters,
  parseRangeFlag,
  parseHeatmapAxes,
  parseSpaceFile,
  parseSpaceJson,
  rangeAccepted,
  gridValues,
  describeDimension,
  pointParams,
  type Dimension,
  type ParamPoint,
  type ParamValue,
  type ParameterInfo,
  type ParameterKind,
  type ParameterTable,
} from './space.js';
export {
  gridPoints,
  gridSize,
  randomPoints,
  checkPoint,
  checkPoints,
  searchMethods,
  type SearchMethod,
  type Candidate,
  type RejectedPoint,
  type RandomDraw,
} from './search.js';
export { createRandom, deriveSeed, maxSeed, type Random } from './random.js';
export {
  rankMetrics,
  isRankMetric,
  metricLabel,
  metricValue,
  rankScored,
  type RankMetric,
} from './ranking.js';
export {
  evaluate,
  backtestOptionsOf,
  backtestSettingsOf,
  type SettingsSource,
  type BacktestSettings,
  type RiskSettings,
  type EvaluationJob,
  type Evaluation,
  type EvaluationContext,
  type EquitySample,
} from './evaluate.js';
export {
  createLocalEvaluator,
  type Evaluator,
  type JobOutcome,
  type SettledListener,
} from './evaluator.js';
export {
  WorkerPool,
  WorkerSetupError,
  defaultWorkerUrl,
  type WorkerPoolOptions,
  type WorkerCrash,
} from './pool.js';
export type { WorkerSetup, FaultInjection } from './worker-protocol.js';
export { shareCandles, type SharedCandleSeries } from './shared-candles.js';
export {
  walkForwardWindows,
  runWalkForward,
  parseDuration,
  type WalkForwardOptions,
  type WalkForwardWindow,
  type WindowResult,
  type Period,
} from './walk-forward.js';
export {
  monteCarlo,
  pathStats,
  type MonteCarloOptions,
  type MonteCarloResult,
  type Percentiles,
  type PathStats,
} from './monte-carlo.js';
export { formatOptimizeTable, describePoint, type OptimizeTableOptions } from './table.js';
export { formatOptimizeJson, toOptimizeJson } from './json.js';
export { renderOptimizeHtml, buildHeatmap, type OptimizeHtmlOptions } from './html.js';
