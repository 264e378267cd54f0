/**
 * Loads the configuration from env: every key parsed by its spec, likely typos reported,
 * cross-field rules checked, and every problem thrown at once in one {@link ConfigError}.
 */
import { ConfigError } from '@lumenlink/core';
import type { ConfigIssue } from '@lumenlink/core';
import { configKeyList } from './config-keys.js';
import type { ConfigKeySpec, ConfigValues } from './config-keys.js';
import { configFromValues } from './config-values.js';
import type { Config } from './config.js';
import { crossFieldIssues } from './cross-field-rules.js';
import { unknownKeyIssues } from './unknown-keys.js';

/** Values longer than this are cut when quoted in an error. */
const maxQuotedLength = 60;

/** How a rejected value is named in a problem: quoted, or "the value given" for a secret. */
function subject(spec: ConfigKeySpec, raw: string | undefined): string {
  if (spec.secret) return 'the value given';
  const text = raw ?? '';
  const cut = text.length > maxQuotedLength ? `${text.slice(0, maxQuotedLength)}...` : text;
  return JSON.stringify(cut);
}

/**
 * Validates env into a typed, nested, deeply frozen {@link Config}. Unset keys take their
 * defaults; an empty value for an optional key counts as unset.
 *
 * @example
 * ```ts
 * const config = loadConfig(process.env);
 * config.risk.maxPositionUsd; // 250 unless RISK_MAX_POSITION_USD is set
 * ```
 * @throws {ConfigError} listing every bad key at once (bad values, unknown keys that look like
 *   ours, broken cross-field rules); secret values are never quoted.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const issues: ConfigIssue[] = [];
  const values: Record<string, unknown> = {};
  for (const spec of configKeyList) {
    const raw = env[spec.key];
    const result = spec.schema.safeParse(raw);
    if (result.success) {
      values[spec.key] = result.data;
    } else {
      const problem = result.error.issues[0]?.message ?? 'is invalid';
      issues.push({
        key: spec.key,
        problem: `${subject(spec, raw)} ${problem}`,
        accepted: spec.accepted,
      });
    }
  }
  issues.push(...crossFieldIssues(values));
  issues.push(...unknownKeyIssues(env));
  if (issues.length > 0) throw new ConfigError(issues);
  // Every key parsed, so `values` holds a value (possibly undefined) for each key of ConfigValues.
  return configFromValues(values as ConfigValues);
}
