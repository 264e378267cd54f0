/**
 * Renders one redacted log record as text: a JSON line for machines, or a short human line.
 * Inputs are already redacted and JSON-safe (see `redact.ts`).
 */
import type { LogLevel } from '../logger.js';

/** One log line before rendering: its redacted message and fields (bindings merged in). */
export interface LogRecord {
  /** Epoch milliseconds, from the logger's clock. */
  readonly timeMs: number;
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Keys the JSON line writes itself; a field with one of these names is kept as `_<name>`. */
const reservedKeys = new Set(['time', 'level', 'msg']);

function isoTime(timeMs: number): string {
  const date = new Date(timeMs);
  return Number.isNaN(date.getTime()) ? String(timeMs) : date.toISOString();
}

/** Renders a record as one JSON object: `time` (ISO), `level`, `msg`, `module`, then the fields. */
export function formatJsonLine(record: LogRecord): string {
  const line: Record<string, unknown> = {
    time: isoTime(record.timeMs),
    level: record.level,
    msg: record.message,
  };
  const module = record.fields['module'];
  if (module !== undefined) line['module'] = module;
  for (const [key, value] of Object.entries(record.fields)) {
    if (key === 'module') continue;
    line[reservedKeys.has(key) ? `_${key}` : key] = value;
  }
  return JSON.stringify(line);
}

const ansi = {
  reset: '\u001b[0m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  blue: '\u001b[34m',
  cyan: '\u001b[36m',
} as const;

const levelColors: Readonly<Record<LogLevel, string>> = {
  error: ansi.red,
  warn: ansi.yellow,
  info: ansi.green,
  debug: ansi.blue,
};

/** A serialised error, as the redactor writes it. */
interface SerializedError {
  readonly name: unknown;
  readonly message: unknown;
  readonly stack?: unknown;
  readonly cause?: unknown;
}

function isSerializedError(value: unknown): value is SerializedError {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    'name' in value &&
    'message' in value &&
    typeof (value as { stack?: unknown }).stack === 'string'
  );
}

/** A copy of a serialised error without stacks (they are printed below the line instead). */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (typeof value !== 'object' || value === null) return value;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key === 'stack' && isSerializedError(value)) continue;
    result[key] = withoutStacks(item);
  }
  return result;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  }
  if (value === undefined) return 'undefined';
  return JSON.stringify(withoutStacks(value)) ?? 'undefined';
}

/** Stack lines of an error and its causes, indented, for the lines below a pretty line. */
function stackLines(error: SerializedError): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  let prefix = '';
  for (let hops = 0; isSerializedError(current) && hops < 10; hops++) {
    const stack = String(current.stack).split('\n');
    lines.push(
      ...stack.map((line, index) =>
        index === 0 ? `    ${prefix}${line}` : `      ${line.trim()}`,
      ),
    );
    current = current.cause;
    prefix = 'Caused by: ';
  }
  return lines;
}

/**
 * Renders a record for people: `HH:MM:SS.mmm LEVEL [module] message key=value ...` in UTC, with
 * error stacks (and their causes) on the following lines. ANSI colours only when `colors` is set.
 */
export function formatPrettyLine(record: LogRecord, colors: boolean): string {
  const paint = (color: string, text: string): string =>
    colors ? `${color}${text}${ansi.reset}` : text;
  const time = isoTime(record.timeMs).slice(11, 23);
  const parts = [
    paint(ansi.dim, time),
    paint(levelColors[record.level], record.level.toUpperCase().padEnd(5)),
  ];
  const module = record.fields['module'];
  if (module !== undefined) {
    parts.push(paint(ansi.cyan, `[${typeof module === 'string' ? module : formatValue(module)}]`));
  }
  parts.push(record.message);
  const below: string[] = [];
  for (const [key, value] of Object.entries(record.fields)) {
    if (key === 'module') continue;
    parts.push(`${paint(ansi.dim, `${key}=`)}${formatValue(value)}`);
    if (isSerializedError(value)) below.push(...stackLines(value));
  }
  return [parts.join(' '), ...below.map((line) => paint(ansi.dim, line))].join('\n');
}
