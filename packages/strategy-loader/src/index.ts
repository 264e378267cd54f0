/**
 * @lumenlink/strategy-loader: runs your own strategies. `loadStrategy` takes what `STRATEGY` or
 * `--strategy` holds (a built-in key, a `.ts`/`.js`/`.mjs` file run directly on Node's type
 * stripping, or an installed package) and returns the definition with its provenance (file path
 * and content hash); `resolveStrategyParams` layers `STRATEGY_PARAMS`, a params file and
 * `--param` texts over the defaults, validated by the strategy's schema. Node only (file I/O).
 * @packageDocumentation
 */
export {
  loadConfiguredStrategy,
  type ConfiguredStrategy,
  type StrategyFlags,
} from './configured.js';
export { StrategyLoadError, type StrategyLoadSource } from './errors.js';
export {
  loadStrategy,
  loadStrategyForWorker,
  recordedSpec,
  reloadRun,
  reloadStrategy,
  strategyFileExtensions,
  type LoadedStrategy,
  type LoadStrategyOptions,
} from './load-strategy.js';
export {
  formatParamsFile,
  resolveStrategyParams,
  writeParamsFile,
  type ParamsFile,
  type ResolvedStrategyParams,
  type StrategyParamsSources,
} from './params.js';
export {
  strategyCommands,
  strategyNames,
  strategyTemplate,
  writeStrategyTemplate,
  type StrategyTemplate,
  type WrittenStrategyTemplate,
} from './template.js';
export { runNewStrategyCli, type NewStrategyIo } from './new-strategy.js';
