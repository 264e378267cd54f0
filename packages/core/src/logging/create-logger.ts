/**
 * The winston implementation of core's {@link Logger} port, with secret redaction applied to the
 * message and every field before anything reaches a transport.
 */
import type { Writable } from 'node:stream';
import winston from 'winston';
import { systemClock } from '../clock.js';
import type { Clock } from '../clock.js';
import { ValidationError } from '../errors.js';
import { logLevels } from '../logger.js';
import type { LogFields, Logger, LogLevel } from '../logger.js';
import { formatJsonLine, formatPrettyLine } from './format-line.js';
import type { LogRecord } from './format-line.js';
import { createRedactor } from '../redact.js';
import type { Redactor } from '../redact.js';

/** How lines are written: JSON lines, human lines, or human on a TTY and JSON otherwise. */
export type LogFormat = 'json' | 'pretty' | 'auto';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** The least severe level written (default `info`). */
  readonly level?: LogLevel;
  /** `auto` (default) writes pretty lines to a TTY and JSON lines otherwise. */
  readonly format?: LogFormat;
  /** Where lines go (default `process.stdout`). */
  readonly stream?: Writable;
  /** Secret values cut out of every message and field; `undefined` and empty entries are ignored. */
  readonly secrets?: Iterable<string | null | undefined>;
  /** The source of each line's time (default the wall clock; a backtest passes candle time). */
  readonly clock?: Clock;
  /** Fields added to every line, e.g. `{ service: 'bot' }`. */
  readonly bindings?: LogFields;
  /** ANSI colours in pretty lines (default: when the stream is a TTY). */
  readonly colors?: boolean;
}

/** Winston's symbol for the final text of a line (`triple-beam`'s MESSAGE). */
const messageSymbol = Symbol.for('message');
/** Carries the unredacted call into winston's format, which redacts and renders it. */
const entrySymbol = Symbol('lumenlink.logEntry');

/** One logging call, as handed to winston. */
interface LogEntry {
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly message: unknown;
  /** Already-redacted bindings of the (child) logger. */
  readonly bindings: Readonly<Record<string, unknown>>;
  readonly fields: unknown;
}

const levelSeverity: Readonly<Record<LogLevel, number>> = {
  error: 0,
  warn: 1,
  info: 2,
  debug: 3,
};

/** Streams that already carry the no-op 'error' listener, so several loggers add it once. */
const guardedStreams = new WeakSet<Writable>();

const ignore = (): void => undefined;

function isTty(stream: Writable): boolean {
  return (stream as Partial<Record<'isTTY', unknown>>).isTTY === true;
}

function toRecord(value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>;
  }
  return value === undefined ? {} : { fields: value };
}

/** The line written when a record could not be rendered: only the level and the redacted message. */
function fallbackLine(entry: LogEntry | undefined, redact: Redactor): string {
  let message = '[log line could not be serialised]';
  try {
    if (typeof entry?.message === 'string') message = `${redact(entry.message)} ${message}`;
  } catch {
    // Keep the generic message.
  }
  return JSON.stringify({ level: entry?.level ?? 'error', msg: message });
}

/**
 * Creates a structured logger on winston. Every message and field is redacted (configured
 * secrets, secret-named fields, tokens in URLs, errors with their causes) before it is written,
 * and logging never throws into the caller.
 *
 * @throws {ValidationError} when `level` or `format` is not one of the known values.
 * @example
 * ```ts
 * const logger = createLogger({ level: 'debug', secrets: [env.EXCHANGE_API_SECRET] });
 * const log = logger.child({ module: 'engine' });
 * log.info('order sent', { symbol: 'BTC-USD', clientOrderId: 'll3k2...' });
 * // {"time":"2025-01-01T00:00:00.000Z","level":"info","msg":"order sent","module":"engine",...}
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  if (!logLevels.includes(level)) {
    throw new ValidationError(
      `Unknown log level "${String(level)}"; expected one of ${logLevels.join(', ')}`,
    );
  }
  const format = options.format ?? 'auto';
  if (format !== 'json' && format !== 'pretty' && format !== 'auto') {
    throw new ValidationError(
      `Unknown log format "${String(format)}"; expected json, pretty or auto`,
    );
  }
  const stream = options.stream ?? process.stdout;
  const clock = options.clock ?? systemClock;
  const redact = createRedactor(options.secrets ?? []);
  const pretty = format === 'pretty' || (format === 'auto' && isTty(stream));
  const colors = options.colors ?? isTty(stream);
  const threshold = levelSeverity[level];

  const render = (entry: LogEntry): string => {
    // `logger.error('failed', error)` is a common slip: keep the error under `error`.
    const raw = entry.fields instanceof Error ? { error: entry.fields } : entry.fields;
    const fields = { ...entry.bindings, ...toRecord(redact(raw)) };
    const record: LogRecord = {
      timeMs: entry.timeMs,
      level: entry.level,
      message: redact(typeof entry.message === 'string' ? entry.message : String(entry.message)),
      fields,
    };
    return pretty ? formatPrettyLine(record, colors) : formatJsonLine(record);
  };

  const lineFormat = winston.format((info) => {
    const entry = info[entrySymbol] as LogEntry | undefined;
    delete info[entrySymbol];
    let line: string;
    try {
      line = entry === undefined ? fallbackLine(entry, redact) : render(entry);
    } catch {
      line = fallbackLine(entry, redact);
    }
    info.message = '';
    info[messageSymbol] = line;
    return info;
  });

  const transport = new winston.transports.Stream({ stream, eol: '\n' });
  const base = winston.createLogger({
    levels: levelSeverity,
    level,
    format: lineFormat(),
    transports: [transport],
    exitOnError: false,
  });
  // A failing transport must not crash the process through an unhandled 'error' event.
  base.on('error', ignore);
  transport.on('error', ignore);
  // Nor a failing stream (EPIPE on a closed stdout, a full disk): the bot keeps trading unlogged.
  if (!guardedStreams.has(stream)) {
    guardedStreams.add(stream);
    stream.on('error', ignore);
  }

  const write = (
    entryLevel: LogLevel,
    bindings: Readonly<Record<string, unknown>>,
    message: string,
    fields: LogFields | undefined,
  ): void => {
    if (levelSeverity[entryLevel] > threshold) return;
    try {
      let timeMs: number;
      try {
        timeMs = clock.now();
      } catch {
        timeMs = Number.NaN;
      }
      const entry: LogEntry = { timeMs, level: entryLevel, message, bindings, fields };
      base.log({ level: entryLevel, message: '', [entrySymbol]: entry });
    } catch {
      // Logging never throws into the caller.
    }
  };

  const make = (bindings: Readonly<Record<string, unknown>>): Logger => ({
    error: (message, fields) => write('error', bindings, message, fields),
    warn: (message, fields) => write('warn', bindings, message, fields),
    info: (message, fields) => write('info', bindings, message, fields),
    debug: (message, fields) => write('debug', bindings, message, fields),
    child: (childBindings) => {
      let redacted: Record<string, unknown>;
      try {
        redacted = toRecord(redact(childBindings));
      } catch {
        redacted = {};
      }
      return make({ ...bindings, ...redacted });
    },
  });

  return make(toRecord(redact(options.bindings ?? {})));
}
