/**
 * Types of soak.mjs, for test/soak.test.ts (the harness itself is plain JavaScript so that
 * `pnpm soak` runs it over the built bot without a build step of its own).
 */
import type { Config } from '@lumenlink/config';
import type { Bot, StartBotOptions } from '../src/bot.js';

export interface SoakThresholds {
  readonly maxHeapGrowthPct: number;
  readonly maxHeapGrowthMb: number;
  readonly handleSlack: number;
}

export declare const soakUsage: string;

export interface SoakOptions {
  /** Simulated days of 1m candles (1,440 candle times per day). */
  readonly days: number;
  readonly symbols: number;
  readonly strategy: string;
  /** Heap and handle samples over the run. */
  readonly samples: number;
  readonly keepDb: boolean;
}

export interface SoakCliOptions extends SoakOptions {
  readonly json: boolean;
  readonly help: boolean;
}

/** Active resources by type, e.g. `{ Timeout: 3, TCPServerWrap: 1 }`. */
export type ResourceCounts = Readonly<Record<string, number>>;

export interface LatencyPercentiles {
  readonly runs: number;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

export interface SoakReport {
  readonly days: number;
  readonly symbols: number;
  readonly strategy: string;
  readonly candleTimes: number;
  readonly candlesStored: number;
  readonly candlesProcessed: number;
  readonly seedSeconds: number;
  readonly replaySeconds: number;
  readonly candlesPerSecond: number;
  readonly candleTimesPerSecond: number;
  readonly gcExposed: boolean;
  readonly warmupCandleTimes: number;
  /** Bytes of heap used. */
  readonly heap: {
    readonly beforeStart: number;
    readonly afterWarmup: number;
    readonly end: number;
    readonly max: number;
    readonly afterStop: number;
    readonly growth: number;
    readonly growthPct: number;
    /** Least-squares slope after the warm-up, bytes per simulated day; `null` with < 3 samples. */
    readonly slopePerDay: number | null;
  };
  readonly rss: { readonly afterWarmup: number; readonly end: number; readonly max: number };
  readonly handles: {
    readonly beforeStart: ResourceCounts;
    readonly afterWarmup: ResourceCounts;
    readonly end: ResourceCounts;
    readonly max: number;
    readonly afterStop: ResourceCounts;
  };
  /** Milliseconds. */
  readonly latencyMs: {
    readonly strategyLoop: LatencyPercentiles;
    readonly marketDataLoop: LatencyPercentiles;
    readonly eventLoopDelay: {
      readonly p50: number | null;
      readonly p95: number | null;
      readonly p99: number | null;
      readonly max: number | null;
    };
  };
  readonly trading: {
    readonly orders: number;
    readonly fills: number;
    readonly trades: number;
    readonly decisions: Readonly<Record<string, number>>;
  };
  readonly logs: {
    readonly error: number;
    readonly warn: number;
    readonly info: number;
    readonly debug: number;
    readonly messages: Readonly<Record<string, number>>;
    readonly firstErrors: readonly string[];
  };
  readonly samples: readonly {
    readonly candleTimes: number;
    readonly day: number;
    readonly seconds: number;
    readonly heapMb: number;
    readonly rssMb: number;
    readonly handles: number;
  }[];
}

export declare function parseSoakArgs(argv: readonly string[]): SoakCliOptions;
export declare function soakSymbols(count: number): string[];
export declare function percentile(sorted: ArrayLike<number>, percent: number): number | null;
export declare function runSoak(
  options: SoakOptions,
  dependencies: {
    readonly startBot: (config: Config, options?: StartBotOptions) => Promise<Bot>;
    readonly onProgress?: (message: string) => void;
  },
): Promise<SoakReport>;
export declare function soakProblems(report: SoakReport, thresholds?: SoakThresholds): string[];
export declare function formatSoakReport(report: SoakReport, problems?: readonly string[]): string;
