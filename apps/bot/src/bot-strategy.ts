/**
 * The strategy a bot runs: `STRATEGY` loaded by `@lumenlink/strategy-loader` with its parameters
 * (`STRATEGY_PARAMS`, `--params-file`, `--param`), before the database or the exchange is
 * touched, and the record of what produced the run. A bad module or parameter is a
 * `ConfigError` (exit 2) naming the key or flag and the fix.
 */
import type { DataProvenance, Logger, RunProvenance } from '@lumenlink/core';
import { runSettings, type Config } from '@lumenlink/config';
import type { ConfiguredStrategy as BotStrategy } from '@lumenlink/strategy-loader';

/** The `parseArgs` options of `--strategy`, `--params-file` and `--param`, for every bot command. */
export const strategyFlagOptions = {
  strategy: { type: 'string' },
  'params-file': { type: 'string' },
  param: { type: 'string', multiple: true },
} as const;

/** Logs the `strategy` line (label, source, parameters and where they came from) and warnings. */
export function logStrategy(logger: Logger, strategy: BotStrategy): void {
  const { label, provenance } = strategy.loaded;
  logger.info('strategy', {
    label,
    kind: provenance.kind,
    ...(provenance.path === undefined ? {} : { path: provenance.path }),
    ...(provenance.sha256 === undefined ? {} : { sha256: provenance.sha256 }),
    sources: strategy.sources,
    params: strategy.params,
  });
  for (const warning of strategy.warnings) logger.warn(warning);
}

/** What produced a run of the bot: the strategy, its parameters, the settings, the data. */
export function runProvenance(
  config: Config,
  strategy: BotStrategy,
  data: DataProvenance | undefined,
): RunProvenance {
  return {
    strategy: strategy.loaded.provenance,
    params: strategy.params,
    settings: runSettings(config),
    ...(data === undefined ? {} : { data }),
  };
}
