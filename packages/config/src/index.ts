/**
 * Configuration: the env key table, its zod schema, `loadConfig`, the live-readiness check,
 * printing and redaction helpers, and the generated config reference.
 */
export {
  dataSourceKinds,
  exchangeIds,
  riskSizingMethods,
  secretsSources,
  tradingModes,
} from './config.js';
export type {
  Config,
  DataSourceKind,
  ExchangeId,
  RiskSizingMethod,
  SecretsSource,
  TradingMode,
} from './config.js';
export { configKeyList, configKeys, formatConfigValue, isConfigKey } from './config-keys.js';
export type { ConfigGroup, ConfigKey, ConfigKeySpec, ConfigValues } from './config-keys.js';
export { envSchema } from './env-schema.js';
export { loadConfig } from './load-config.js';
export { checkLiveReadiness, isLiveDryRun } from './live-readiness.js';
export { configSecrets, describeConfig, redactedConfigValue } from './describe-config.js';
export type { ConfigRow } from './describe-config.js';
export { configKeyFamilies, suggestConfigKey } from './unknown-keys.js';
export { exampleEnv } from './example-env.js';
export { runSettings } from './run-settings.js';
export { mergeEnv, parseEnvText, readEnvFile, type Env, type EnvFile } from './env-file.js';
export { configReferenceMarkdown } from './config-reference.js';
