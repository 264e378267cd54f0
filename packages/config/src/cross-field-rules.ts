/**
 * Rules that involve more than one key. Each rule runs only when the keys it reads parsed, so
 * `loadConfig` can report these problems together with every per-key problem.
 */
import type { ConfigIssue } from '@lumenlink/core';
import { configKeys } from './config-keys.js';
import type { ConfigKey, ConfigValues } from './config-keys.js';

/** Whether `key` parsed (its value may still be `undefined` when the key is optional). */
function parsed<K extends ConfigKey>(values: Partial<ConfigValues>, key: K): boolean {
  return Object.hasOwn(values, key);
}

/**
 * The problems among keys that are each valid alone: `SECRETS_SOURCE=aws` needs `AWS_SECRET_ID`
 * and `AWS_REGION`; `MODE=live` needs `DATA_SOURCE=exchange`; `TELEGRAM_BOT_TOKEN` needs
 * `TELEGRAM_CHAT_IDS`. Keys missing from `values` (they failed to parse) are skipped.
 */
export function crossFieldIssues(values: Partial<ConfigValues>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (values.SECRETS_SOURCE === 'aws') {
    for (const key of ['AWS_SECRET_ID', 'AWS_REGION'] as const) {
      if (parsed(values, key) && values[key] === undefined) {
        issues.push({
          key,
          problem: 'is not set, but SECRETS_SOURCE=aws needs it',
          accepted: configKeys[key].accepted,
        });
      }
    }
  }
  if (values.MODE === 'live' && values.DATA_SOURCE === 'replay') {
    issues.push({
      key: 'DATA_SOURCE',
      problem: '"replay" cannot be used with MODE=live',
      accepted: 'exchange when MODE=live (replay is for paper runs and the demo)',
    });
  }
  if (
    values.TELEGRAM_BOT_TOKEN !== undefined &&
    parsed(values, 'TELEGRAM_CHAT_IDS') &&
    values.TELEGRAM_CHAT_IDS === undefined
  ) {
    issues.push({
      key: 'TELEGRAM_CHAT_IDS',
      problem: 'is not set, but TELEGRAM_BOT_TOKEN is: alerts would have no chat to go to',
      accepted: configKeys.TELEGRAM_CHAT_IDS.accepted,
    });
  }
  return issues;
}
