import type { DataProvenance, StrategyProvenance } from '@lumenlink/core';
import type { BacktestMetrics } from './metrics.js';
import type { ReportInput } from './types.js';

/** A JSON value: what {@link canonicalize} returns. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** `T` as written to JSON: every number may be `null` (`Infinity` and NaN become `null`). */
type Jsonified<T> = T extends number
  ? number | null
  : T extends string | boolean | null
    ? T
    : { -readonly [K in keyof T]: Jsonified<T[K]> };

/** {@link BacktestMetrics} in the JSON report: `Infinity` (a ratio over zero) is written as `null`. */
export type JsonMetrics = Jsonified<BacktestMetrics>;

/** A trade in the JSON report: the fields of `Trade`, in its order. */
export interface JsonTrade {
  symbol: string;
  side: 'long';
  entrySignalTime: number | null;
  entryTime: number | null;
  entryPrice: number | null;
  exitSignalTime: number | null;
  exitTime: number | null;
  exitPrice: number | null;
  quantity: number | null;
  fees: number | null;
  pnl: number | null;
  exitReason: string | null;
}

/**
 * Core's `RunProvenance` in the JSON report: canonical (keys sorted at every level, non-finite
 * numbers as `null`), so the same run writes the same bytes.
 */
export interface JsonProvenance {
  data?: Jsonified<DataProvenance>;
  params: { [key: string]: JsonValue };
  settings: { [key: string]: JsonValue };
  strategy: Jsonified<StrategyProvenance>;
}

/** The machine-readable report of one run (schema version 1). */
export interface JsonReport {
  schemaVersion: 1;
  title: string;
  /** The run's settings: what produced these numbers. */
  run: {
    strategy: string;
    /** Strategy parameters with keys sorted. */
    params: JsonValue;
    interval: string;
    from: number | null;
    to: number | null;
    /** `from` and `to` as ISO 8601 UTC, for people reading the file. */
    fromIso: string | null;
    toIso: string | null;
    startingCash: number | null;
    feeBps: number | null;
    slippageBps: number | null;
    fillMode: 'next-open' | 'close';
    /** Symbols in the order of `input.candles`. */
    symbols: string[];
  };
  /** What produced the run: present when the report input carried it. */
  provenance?: JsonProvenance;
  metrics: JsonMetrics;
  /** Risk check name → signals blocked, keys sorted. */
  blocked: Record<string, number | null>;
  trades: JsonTrade[];
  equity: { time: number | null; equity: number | null; cash: number | null }[];
}

/**
 * Builds the JSON report: fixed key order, keys of free-form records sorted, and every
 * non-finite number written as `null`, so the same run always serialises to the same bytes.
 * The input's `provenance`, when given, is written canonical as the top-level `provenance`
 * (after `run`); without it the field is absent.
 *
 * @example
 * ```ts
 * writeFileSync('report.json', formatJsonReport(result, computeMetrics(result)));
 * ```
 */
export function toJsonReport(input: ReportInput, metrics: BacktestMetrics): JsonReport {
  return {
    schemaVersion: 1,
    title: input.title,
    run: {
      strategy: input.strategy,
      params: canonicalize(input.params),
      interval: input.interval,
      from: finite(input.from),
      to: finite(input.to),
      fromIso: isoTime(input.from),
      toIso: isoTime(input.to),
      startingCash: finite(input.startingCash),
      feeBps: finite(input.feeBps),
      slippageBps: finite(input.slippageBps),
      fillMode: input.fillMode,
      symbols: Object.keys(input.candles),
    },
    ...(input.provenance === undefined
      ? {}
      : { provenance: canonicalize(input.provenance) as unknown as JsonProvenance }),
    metrics: jsonMetrics(metrics),
    blocked: sortedCounts(input.blocked),
    trades: input.trades.map((trade) => ({
      symbol: trade.symbol,
      side: trade.side,
      entrySignalTime: finite(trade.entrySignalTime),
      entryTime: finite(trade.entryTime),
      entryPrice: finite(trade.entryPrice),
      exitSignalTime: finite(trade.exitSignalTime),
      exitTime: finite(trade.exitTime),
      exitPrice: finite(trade.exitPrice),
      quantity: finite(trade.quantity),
      fees: finite(trade.fees),
      pnl: finite(trade.pnl),
      exitReason: trade.exitReason,
    })),
    equity: input.equity.map((point) => ({
      time: finite(point.time),
      equity: finite(point.equity),
      cash: finite(point.cash),
    })),
  };
}

/** The JSON report as text: two-space indented, ending with a newline. */
export function formatJsonReport(input: ReportInput, metrics: BacktestMetrics): string {
  return `${JSON.stringify(toJsonReport(input, metrics), null, 2)}\n`;
}

/**
 * A value made JSON-safe and deterministic: object keys sorted, non-finite numbers as `null`,
 * bigints as strings, dates as ISO strings, `undefined`, functions and symbols dropped from
 * objects (`null` in arrays).
 */
export function canonicalize(value: unknown): JsonValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return finite(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return isoTime(value.getTime());
  if (Array.isArray(value)) return value.map((item: unknown) => canonicalize(item));
  if (typeof value === 'object') {
    const result: { [key: string]: JsonValue } = {};
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      const item = record[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      result[key] = canonicalize(item);
    }
    return result;
  }
  return null;
}

function jsonMetrics(metrics: BacktestMetrics): JsonMetrics {
  const bySymbol: Record<string, number | null> = {};
  for (const [symbol, value] of Object.entries(metrics.buyAndHoldBySymbol)) {
    bySymbol[symbol] = finite(value);
  }
  return {
    startingCash: finite(metrics.startingCash),
    finalEquity: finite(metrics.finalEquity),
    netProfit: finite(metrics.netProfit),
    totalReturn: finite(metrics.totalReturn),
    cagr: finite(metrics.cagr),
    sharpe: finite(metrics.sharpe),
    sortino: finite(metrics.sortino),
    maxDrawdown: finite(metrics.maxDrawdown),
    maxDrawdownDurationMs: finite(metrics.maxDrawdownDurationMs),
    calmar: finite(metrics.calmar),
    winRate: finite(metrics.winRate),
    profitFactor: finite(metrics.profitFactor),
    expectancy: finite(metrics.expectancy),
    exposure: finite(metrics.exposure),
    trades: {
      total: finite(metrics.trades.total),
      closed: finite(metrics.trades.closed),
      open: finite(metrics.trades.open),
      wins: finite(metrics.trades.wins),
      losses: finite(metrics.trades.losses),
    },
    feesPaid: finite(metrics.feesPaid),
    buyAndHoldReturn: finite(metrics.buyAndHoldReturn),
    buyAndHoldBySymbol: bySymbol,
    periodsPerYear: finite(metrics.periodsPerYear),
    blocked: {
      total: finite(metrics.blocked.total),
      byCheck: sortedCounts(metrics.blocked.byCheck),
    },
  };
}

function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number | null> {
  const result: Record<string, number | null> = {};
  for (const key of Object.keys(counts).sort()) result[key] = finite(counts[key] ?? null);
  return result;
}

function finite(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** Dates reach ±8.64e15 ms; anything else has no ISO form. */
function isoTime(ms: number): string | null {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : null;
}
