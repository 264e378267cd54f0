/**
 * A logger that keeps every line (with its child bindings merged in), for asserting what was logged.
 */
import type { LogFields, LogLevel, Logger } from '@lumenlink/core';

/** One recorded log line. */
export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: LogFields;
}

/** Records lines from itself and every child into one shared list. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[];
  readonly #bindings: LogFields;

  constructor(lines: LogLine[] = [], bindings: LogFields = {}) {
    this.lines = lines;
    this.#bindings = bindings;
  }

  error(message: string, fields: LogFields = {}): void {
    this.#record('error', message, fields);
  }

  warn(message: string, fields: LogFields = {}): void {
    this.#record('warn', message, fields);
  }

  info(message: string, fields: LogFields = {}): void {
    this.#record('info', message, fields);
  }

  debug(message: string, fields: LogFields = {}): void {
    this.#record('debug', message, fields);
  }

  child(bindings: LogFields): Logger {
    return new RecordingLogger(this.lines, { ...this.#bindings, ...bindings });
  }

  /** The lines whose message contains `text`. */
  matching(text: string): LogLine[] {
    return this.lines.filter((line) => line.message.includes(text));
  }

  #record(level: LogLevel, message: string, fields: LogFields): void {
    this.lines.push({ level, message, fields: { ...this.#bindings, ...fields } });
  }
}
