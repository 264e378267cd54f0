/**
 * The effective configuration as printable rows, and the secret values the logger must redact.
 */
import { configKeyList, formatConfigValue } from './config-keys.js';
import type { ConfigGroup, ConfigKey } from './config-keys.js';
import { valuesFromConfig } from './config-values.js';
import type { Config } from './config.js';

/** What a printed secret shows instead of its value (the logger's placeholder too). */
export const redactedConfigValue = '[REDACTED]';

/** One key of the effective configuration. */
export interface ConfigRow {
  /** The env key. */
  readonly key: ConfigKey;
  /** The value as it would be written in env; `''` when unset; {@link redactedConfigValue} for a set secret. */
  readonly value: string;
  /** `env` when the env set the key (non-blank), `default` when the default applies. */
  readonly source: 'env' | 'default';
  /** Whether the key is a secret. */
  readonly secret: boolean;
  /** The concern the key belongs to. */
  readonly group: ConfigGroup;
}

/**
 * The secret values present in a config (API keys, tokens, the Discord webhook URL), for the
 * logger's redaction.
 *
 * @example
 * ```ts
 * const logger = createLogger({ secrets: configSecrets(config) });
 * ```
 */
export function configSecrets(config: Config): string[] {
  const values = valuesFromConfig(config);
  const secrets: string[] = [];
  for (const spec of configKeyList) {
    const value = values[spec.key as ConfigKey];
    if (spec.secret && value !== undefined) secrets.push(formatConfigValue(value));
  }
  return secrets;
}

/**
 * The effective configuration, one row per key in table order, with secrets shown as
 * {@link redactedConfigValue}. `env` is the record given to `loadConfig` (after secrets were
 * merged into it), used only to tell set keys from defaults.
 *
 * @example
 * ```ts
 * for (const row of describeConfig(config, process.env)) console.log(row.key, row.value, row.source);
 * ```
 */
export function describeConfig(
  config: Config,
  env: Readonly<Record<string, string | undefined>>,
): ConfigRow[] {
  const values = valuesFromConfig(config);
  return configKeyList.map((spec) => {
    const key = spec.key as ConfigKey;
    const text = formatConfigValue(values[key]);
    const raw = env[key];
    return {
      key,
      value: spec.secret && text !== '' ? redactedConfigValue : text,
      source: raw !== undefined && raw.trim() !== '' ? 'env' : 'default',
      secret: spec.secret,
      group: spec.group,
    };
  });
}
