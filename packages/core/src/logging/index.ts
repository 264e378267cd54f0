/**
 * `@lumenlink/core/logging`: the winston implementation of core's `Logger` port, with secret
 * redaction. It needs `winston`, an optional peer dependency of `@lumenlink/core`: install it
 * beside core (`npm install winston`) to use this subpath. The redactor itself needs no winston
 * and is exported from `@lumenlink/core` too (alerts, status pages, error messages).
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
} from '../redact.js';
export type { Redactor, RedactorOptions } from '../redact.js';
