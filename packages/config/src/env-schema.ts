/**
 * The zod schema of the whole env, built from the {@link configKeys} table: one property per
 * key, plus the cross-field rules.
 */
import { z } from 'zod';
import { configKeyList } from './config-keys.js';
import type { configKeys, ConfigKey } from './config-keys.js';
import { crossFieldIssues } from './cross-field-rules.js';

/** The schema of every key, by key. */
type EnvShape = { readonly [K in ConfigKey]: (typeof configKeys)[K]['schema'] };

const shape = Object.fromEntries(configKeyList.map((spec) => [spec.key, spec.schema])) as EnvShape;

/**
 * Validates an env record (`process.env`) into the typed value of every key. Unknown keys are
 * ignored here; `loadConfig` also reports likely typos and collects every problem into one
 * `ConfigError`. Issue messages never contain a value.
 *
 * @example
 * ```ts
 * const result = envSchema.safeParse({ MODE: 'live', HTTP_PORT: '9000' });
 * if (result.success) result.data.HTTP_PORT; // 9000
 * ```
 */
export const envSchema = z.object(shape).superRefine((values, context) => {
  for (const issue of crossFieldIssues(values)) {
    context.addIssue({ code: 'custom', path: [issue.key], message: issue.problem });
  }
});
