/**
 * The logging port. Library code logs through this interface; `@lumenlink/core/logging`
 * implements it on winston with secret redaction, and {@link silentLogger} discards everything.
 */

/** Log levels, most severe first. */
export const logLevels = ['error', 'warn', 'info', 'debug'] as const;
/** One of {@link logLevels}. */
export type LogLevel = (typeof logLevels)[number];

/** Structured fields attached to a log line. Values may be anything JSON-like, including errors. */
export type LogFields = Readonly<Record<string, unknown>>;

/** A structured logger. */
export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` (typically `{ module: 'engine' }`) to every line. */
  child(bindings: LogFields): Logger;
}

/** A logger that writes nothing. */
export const silentLogger: Logger = {
  error: () => undefined,
  warn: () => undefined,
  info: () => undefined,
  debug: () => undefined,
  child: () => silentLogger,
};
