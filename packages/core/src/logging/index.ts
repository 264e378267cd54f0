/**
 * `@lumenlink/core/logging`: the winston implementation of core's `Logger` port, with secret
 * redaction, and the redactor itself for other outputs (alerts, status pages).
 *
 * @example
 * ```ts
 * import { createLogger } from '@lumenlink/core/logging';
 *
 * const logger = createLogger({ level: 'info', secrets: [env.TELEGRAM_BOT_TOKEN] });
 * logger.child({ module: 'alerts' }).warn('telegram send failed', { error });
 * ```
 */
export { createLogger } from './create-logger.js';
export type { LogFormat, LoggerOptions } from './create-logger.js';
export {
  createRedactor,
  isSecretFieldName,
  redactSecretPatterns,
  redactedPlaceholder,
} from './redact.js';
export type { Redactor, RedactorOptions } from './redact.js';
