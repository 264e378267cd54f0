/**
 * Comparing a recorded JSON report with the report of a rerun (`pnpm backtest --rerun`): the
 * same bytes, or what differs in words, causes before results.
 */
import { commandHint } from '@lumenlink/core';
import {
  flattenRecord,
  isPlainRecord,
  isoText,
  jsonText,
  moduleSourceText,
  packageText,
  shortHash,
  valueText,
} from './provenance-text.js';

/** What {@link compareReports} found. */
export interface ReportComparison {
  /** The two JSON texts are byte for byte the same. */
  readonly identical: boolean;
  /**
   * What differs, in plain words, most important first: the strategy's source, its parameters,
   * the settings, the data, then the results. Empty when identical; never empty otherwise.
   */
  readonly differences: readonly string[];
}

type Json = Record<string, unknown>;
type Side = 'recorded' | 'rerun';

/** Where a JSON report comes from, for the messages about a file that is not one. */
const howToGetOne = (): string =>
  `give the JSON report a backtest wrote (\`${commandHint('backtest')} --json report.json\`)`;

/**
 * Compares a recorded JSON report (`formatJsonReport`) with the report of its rerun. `identical`
 * is true iff the two texts are byte for byte equal. Otherwise `differences` names what differs,
 * causes first: the strategy source (kind, file path, package version, the file's SHA-256), each
 * parameter, each setting, the data (source, symbols, interval, range, candle count, the candles'
 * SHA-256), then the results (each metric, the first differing trade with its fields, the
 * signals blocked, the equity curve). Values are written `old → new`.
 *
 * The causes are read from the reports' `provenance`. A report without one (written before
 * reports recorded it) is compared from its `run` section (strategy name, parameters, period,
 * cash, fees, fill mode, symbols) with a line that says so; the `run` section is also compared
 * when both have provenance, its lines left out where a provenance line already says the same.
 * A text that is not JSON, or not a LumenLink report, gives one line naming it and the fix.
 *
 * @example
 * ```ts
 * const recorded = readFileSync('report.json', 'utf8');
 * const rerun = formatJsonReport(input, computeMetrics(input));
 * const { identical, differences } = compareReports(recorded, rerun);
 * console.log(identical ? 'reproduced byte for byte' : differences.join('\n'));
 * // the strategy file changed: sha256 3f0a9c1b2d4e… → 77d2e01c9b5a…
 * // metric totalReturn: 0.1234 → 0.0871
 * ```
 */
export function compareReports(recorded: string, rerun: string): ReportComparison {
  if (recorded === rerun) return { identical: true, differences: [] };
  const before = parseReport(recorded, 'recorded');
  const after = parseReport(rerun, 'rerun');
  if (typeof before === 'string' || typeof after === 'string') {
    return {
      identical: false,
      differences: [before, after].filter((side) => typeof side === 'string'),
    };
  }
  return { identical: false, differences: differencesOf(before, after) };
}

function parseReport(text: string, side: Side): Json | string {
  if (text.trim() === '') return `the ${side} report is empty: ${howToGetOne()}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `the ${side} report is not valid JSON (${reason}): ${howToGetOne()}`;
  }
  if (!isPlainRecord(value) || !('schemaVersion' in value)) {
    return `the ${side} report is not a LumenLink JSON report (it has no schemaVersion): ${howToGetOne()}`;
  }
  if (value.schemaVersion !== 1) {
    return `the ${side} report has schemaVersion ${jsonText(value.schemaVersion)}, and this version of @lumenlink/analysis reads schemaVersion 1: compare it with the version that wrote it`;
  }
  return value;
}

/** Every difference line, causes first. */
function differencesOf(before: Json, after: Json): string[] {
  const recorded = record(before.provenance);
  const rerun = record(after.provenance);
  const notes = provenanceNotes(recorded, rerun);
  const causes: string[] = [];
  /** `old→new` pairs a provenance line already named: the run section's same change is left out. */
  const said = new Set<string>();
  const both = recorded !== undefined && rerun !== undefined;
  if (both) causes.push(...provenanceDifferences(recorded, rerun, said));
  causes.push(...runDifferences(record(before.run) ?? {}, record(after.run) ?? {}, both, said));
  const found = [...causes, ...resultDifferences(before, after)];
  // A report without provenance against one with it is a difference of its own.
  if (found.length === 0 && notes.first.length === 0) found.push(fallbackDifference(before, after));
  return [...notes.first, ...found, ...notes.last];
}

/** A line when a report lacks provenance: first when one side has it, last when neither does. */
function provenanceNotes(
  recorded: Json | undefined,
  rerun: Json | undefined,
): { first: string[]; last: string[] } {
  if (recorded === undefined && rerun === undefined) {
    const note =
      'neither report has provenance (they were written before reports recorded what produced them): the strategy file and the data could not be checked, only the run sections and the results';
    return { first: [], last: [note] };
  }
  if (recorded === undefined) {
    const note =
      'the recorded report has no provenance (it was written before reports recorded what produced them): the strategy file and the data could not be checked';
    return { first: [note], last: [] };
  }
  if (rerun === undefined) {
    return {
      first: ['the rerun report has no provenance: it was written without what produced it'],
      last: [],
    };
  }
  return { first: [], last: [] };
}

/** The strategy's source, each parameter, each setting and the data, from two provenances. */
function provenanceDifferences(before: Json, after: Json, said: Set<string>): string[] {
  const strategy = { recorded: record(before.strategy) ?? {}, rerun: record(after.strategy) ?? {} };
  const say = (old: unknown, next: unknown): void => {
    said.add(pairText(old, next));
  };
  say(strategy.recorded.key, strategy.rerun.key);
  say(strategy.recorded.spec, strategy.rerun.spec);
  const lines = strategyDifferences(strategy.recorded, strategy.rerun);
  lines.push(...leafDifferences('parameter', before.params, after.params));
  lines.push(...leafDifferences('setting', before.settings, after.settings, say));
  const data = { recorded: record(before.data), rerun: record(after.data) };
  if (data.recorded !== undefined && data.rerun !== undefined) {
    say(data.recorded.symbols, data.rerun.symbols);
    say(data.recorded.interval, data.rerun.interval);
    lines.push(...dataDifferences(data.recorded, data.rerun));
  } else if (data.recorded !== undefined || data.rerun !== undefined) {
    const side = data.recorded === undefined ? 'rerun' : 'recorded';
    lines.push(`the data is recorded only in the ${side} report`);
  }
  return lines;
}

/** The strategy's source: kind, key, file, package, export, the file's hash, the spec. */
function strategyDifferences(before: Json, after: Json): string[] {
  const lines: string[] = [];
  const changed = (key: string): boolean => jsonText(before[key]) !== jsonText(after[key]);
  if (changed('kind')) {
    return [`the strategy source changed: ${sourceText(before)} → ${sourceText(after)}`];
  }
  if (changed('key')) {
    lines.push(`the strategy key changed: ${text(before.key)} → ${text(after.key)}`);
  }
  if (changed('path')) {
    lines.push(`the strategy file moved: ${text(before.path)} → ${text(after.path)}`);
  }
  if (changed('packageName') || changed('packageVersion')) {
    lines.push(`the strategy package changed: ${packageText(before)} → ${packageText(after)}`);
  }
  if (changed('exportName')) {
    lines.push(
      `the strategy export changed: ${text(before.exportName)} → ${text(after.exportName)}`,
    );
  }
  if (changed('sha256')) {
    const what =
      before.kind === 'package' ? "the strategy package's module file" : 'the strategy file';
    lines.push(`${what} changed: sha256 ${hashText(before.sha256)} → ${hashText(after.sha256)}`);
  }
  if (changed('spec')) {
    lines.push(`the strategy was given as ${text(before.spec)} → ${text(after.spec)}`);
  }
  return lines;
}

function sourceText(strategy: Json): string {
  if (strategy.kind === 'builtin') return `built-in ${text(strategy.key)}`;
  return strategy.kind === 'file' || strategy.kind === 'package'
    ? moduleSourceText(strategy)
    : text(strategy.kind);
}

/** The data's source, symbols, interval, range, count and hash. */
function dataDifferences(before: Json, after: Json): string[] {
  const lines: string[] = [];
  const changed = (key: string): boolean => jsonText(before[key]) !== jsonText(after[key]);
  if (changed('description')) {
    lines.push(`the data source changed: ${text(before.description)} → ${text(after.description)}`);
  }
  if (changed('symbols')) {
    lines.push(`the symbols changed: ${listText(before.symbols)} → ${listText(after.symbols)}`);
  }
  if (changed('interval')) {
    lines.push(`the interval changed: ${text(before.interval)} → ${text(after.interval)}`);
  }
  if (changed('first') || changed('last')) {
    lines.push(`the data range changed: ${rangeText(before)} → ${rangeText(after)}`);
  }
  if (changed('candles')) {
    lines.push(`the candle count changed: ${text(before.candles)} → ${text(after.candles)}`);
  }
  if (changed('sha256')) {
    lines.push(
      `the candles changed: sha256 ${hashText(before.sha256)} → ${hashText(after.sha256)}`,
    );
  }
  return lines;
}

function rangeText(data: Json): string {
  return `${isoText(data.first)} to ${isoText(data.last)}`;
}

/** The `run` section's fields and how a difference line names them. */
const runFields: readonly (readonly [
  key: string,
  label: string,
  show: (value: unknown) => string,
])[] = [
  ['strategy', 'the strategy changed', (value) => text(value)],
  ['interval', 'the interval changed', (value) => text(value)],
  ['symbols', 'the symbols changed', (value) => listText(value)],
  ['from', 'the period start changed', (value) => isoText(value)],
  ['to', 'the period end changed', (value) => isoText(value)],
  ['startingCash', 'the starting cash changed', (value) => text(value)],
  ['feeBps', 'the fee (bps per side) changed', (value) => text(value)],
  ['slippageBps', 'the slippage (bps per market fill) changed', (value) => text(value)],
  ['fillMode', 'the fill mode changed', (value) => text(value)],
];

/**
 * The `run` section's differences: its parameters when the provenance did not compare them,
 * then each setting, left out where a provenance line named the same `old → new`.
 */
function runDifferences(
  before: Json,
  after: Json,
  withProvenance: boolean,
  said: ReadonlySet<string>,
): string[] {
  const lines = withProvenance ? [] : leafDifferences('parameter', before.params, after.params);
  for (const [key, label, show] of runFields) {
    const old = before[key];
    const next = after[key];
    if (jsonText(old) === jsonText(next) || said.has(pairText(old, next))) continue;
    lines.push(`${label}: ${show(old)} → ${show(next)}`);
  }
  return lines;
}

/** One line per leaf that differs: `parameter fastPeriod: 9 → 12`; `onDifference` hears each pair. */
function leafDifferences(
  label: string,
  before: unknown,
  after: unknown,
  onDifference: (old: unknown, next: unknown) => void = () => undefined,
): string[] {
  const old = new Map(flattenRecord(before));
  const next = new Map(flattenRecord(after));
  const keys = [...new Set([...old.keys(), ...next.keys()])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    if (jsonText(old.get(key)) === jsonText(next.get(key))) continue;
    onDifference(old.get(key), next.get(key));
    lines.push(`${label} ${key}: ${jsonText(old.get(key))} → ${jsonText(next.get(key))}`);
  }
  return lines;
}

/** The results: metrics, the first differing trade, signals blocked, the equity curve. */
function resultDifferences(before: Json, after: Json): string[] {
  return [
    ...metricDifferences(record(before.metrics) ?? {}, record(after.metrics) ?? {}),
    ...tradeDifference(list(before.trades), list(after.trades)),
    ...leafDifferences('signals blocked by', before.blocked, after.blocked),
    ...equityDifference(list(before.equity), list(after.equity)),
  ];
}

/** Metrics shown first, in this order; the rest follow in the report's order. */
const leadingMetrics: readonly (readonly [key: string, label: string])[] = [
  ['totalReturn', 'metric totalReturn'],
  ['trades.total', 'trade count'],
];

/** Other metrics given a line each; the rest that differ are named together in one more. */
const metricLines = 8;

/**
 * `metric totalReturn: 0.12 → 0.09`, `trade count: 12 → 13`, then the first other metrics that
 * differ, old → new, and the names of the rest. `blocked.*` is left to the blocked counts' lines.
 */
function metricDifferences(before: Json, after: Json): string[] {
  const old = new Map(flattenRecord(before, false));
  const next = new Map(flattenRecord(after, false));
  const differing = [...new Set([...old.keys(), ...next.keys()])].filter(
    (key) => !key.startsWith('blocked.') && jsonText(old.get(key)) !== jsonText(next.get(key)),
  );
  const leading = new Map(leadingMetrics);
  const others = differing.filter((key) => !leading.has(key));
  const change = (key: string): string => `${jsonText(old.get(key))} → ${jsonText(next.get(key))}`;
  const lines = [
    ...leadingMetrics
      .filter(([key]) => differing.includes(key))
      .map(([key, label]) => `${label}: ${change(key)}`),
    ...others.slice(0, metricLines).map((key) => `metric ${key}: ${change(key)}`),
  ];
  const rest = others.slice(metricLines);
  if (rest.length > 0) lines.push(`${rest.length} more metrics differ: ${rest.join(', ')}`);
  return lines;
}

/** The first trade that differs, with each differing field, or the first one only one side has. */
function tradeDifference(before: readonly unknown[], after: readonly unknown[]): string[] {
  const count = Math.max(before.length, after.length);
  for (let index = 0; index < count; index += 1) {
    const old = before[index];
    const next = after[index];
    if (jsonText(old) === jsonText(next)) continue;
    const number = `#${index + 1}`;
    if (old === undefined) return [`trade ${number} is only in the rerun: ${tradeText(next)}`];
    if (next === undefined) {
      return [`trade ${number} is only in the recorded report: ${tradeText(old)}`];
    }
    const oldFields = record(old) ?? {};
    const nextFields = record(next) ?? {};
    const fields = [...new Set([...Object.keys(oldFields), ...Object.keys(nextFields)])]
      .filter((key) => jsonText(oldFields[key]) !== jsonText(nextFields[key]))
      .map(
        (key) => `${key} ${fieldText(key, oldFields[key])} → ${fieldText(key, nextFields[key])}`,
      );
    const symbol = text(nextFields.symbol ?? oldFields.symbol);
    return [`the first differing trade is ${number} (${symbol}): ${fields.join(', ')}`];
  }
  return [];
}

function tradeText(trade: unknown): string {
  const fields = record(trade) ?? {};
  const entry = `${text(fields.symbol)} entry ${isoText(fields.entryTime)} at ${text(fields.entryPrice)}`;
  if (fields.exitTime === null || fields.exitTime === undefined) return `${entry}, open`;
  return `${entry}, exit ${isoText(fields.exitTime)} at ${text(fields.exitPrice)} (${text(fields.exitReason)})`;
}

/** A trade field: times as ISO 8601, strings as they are, the rest as JSON. */
function fieldText(key: string, value: unknown): string {
  if (key.endsWith('Time') && typeof value === 'number') return isoText(value);
  return text(value);
}

/** The equity curve's length, or its first point that differs. */
function equityDifference(before: readonly unknown[], after: readonly unknown[]): string[] {
  const lines: string[] = [];
  if (before.length !== after.length) {
    lines.push(`the equity curve has ${before.length} points → ${after.length}`);
  }
  const index = before.findIndex((point, at) => jsonText(point) !== jsonText(after[at]));
  if (index >= 0 && index < after.length) {
    const old = record(before[index]) ?? {};
    const next = record(after[index]) ?? {};
    lines.push(
      `the equity curve first differs at ${isoText(old.time)} (point #${index + 1}): equity ${text(old.equity)} → ${text(next.equity)}, cash ${text(old.cash)} → ${text(next.cash)}`,
    );
  }
  return lines;
}

/** The first path where two reports differ, or that they differ only in how they are written. */
function fallbackDifference(before: Json, after: Json): string {
  return (
    firstDifference(before, after, '') ??
    'the reports hold the same values but their bytes differ (whitespace, key order or number spelling): compare files written by formatJsonReport, unedited'
  );
}

function firstDifference(before: unknown, after: unknown, path: string): string | undefined {
  if (jsonText(before) === jsonText(after)) return undefined;
  if (isPlainRecord(before) && isPlainRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      const found = firstDifference(before[key], after[key], path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let index = 0; index < Math.max(before.length, after.length); index += 1) {
      const found = firstDifference(before[index], after[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
  }
  return `the reports differ at ${path === '' ? 'the top level' : path}: ${jsonText(before)} → ${jsonText(after)}`;
}

function record(value: unknown): Json | undefined {
  return isPlainRecord(value) ? value : undefined;
}

function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A value in a line: `absent` for a missing one, strings as they are, the rest as JSON. */
function text(value: unknown): string {
  return value === undefined ? 'absent' : valueText(value);
}

function listText(value: unknown): string {
  if (!Array.isArray(value)) return text(value);
  return value.length === 0 ? 'none' : value.map((item) => valueText(item)).join(', ');
}

function hashText(value: unknown): string {
  return typeof value === 'string' ? shortHash(value) : 'none';
}

/** The key of an `old → new` change, to leave out a line that says it again. */
function pairText(old: unknown, next: unknown): string {
  return `${jsonText(old)}→${jsonText(next)}`;
}
