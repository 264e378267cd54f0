/** The messages between the worker pool and its worker threads (`worker.ts`). */
import type { StrategyProvenance, Timeframe } from '@lumenlink/core';
import type { BacktestSettings, Evaluation, EvaluationJob } from './evaluate.js';
import type { SharedCandleSeries } from './shared-candles.js';
import type { ParamValue } from './space.js';

/**
 * What every worker gets once and shares across its jobs. Plain data: it is posted (the candle
 * columns' memory is shared, not copied).
 */
export interface WorkerSetup {
  /**
   * A built-in key, or the provenance of a loaded strategy: each worker loads the file itself
   * (`loadStrategyForWorker`) and refuses it when its content changed since the run started.
   */
  readonly strategy: string | StrategyProvenance;
  /** The candles per symbol, loaded and checked once by the pool's thread (`shareCandles`). */
  readonly candles: readonly SharedCandleSeries[];
  readonly interval: Timeframe;
  readonly settings: BacktestSettings;
}

/**
 * A fault for tests of the pool: a worker given a job whose parameters hold every value of
 * `params` ends itself, by `process.exit(code)` (`exit`) or by an uncaught exception (`throw`),
 * as a crash in native code or an out-of-memory would. Never set by the command line.
 */
export interface FaultInjection {
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly mode: 'exit' | 'throw';
}

/** `workerData` of a worker thread. */
export interface WorkerData {
  readonly setup: WorkerSetup;
  readonly fault?: FaultInjection;
}

/**
 * Pool → worker: run one job. A worker runs its jobs one at a time in the order they were posted;
 * the pool posts the next before the last ends, so a worker never waits for it.
 */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly job: EvaluationJob;
}

/** Worker → pool. */
export type WorkerMessage =
  /** Strategy loaded and candles made: send jobs. */
  | { readonly type: 'ready' }
  /** The strategy could not be loaded; the worker ends. */
  | { readonly type: 'setup-failed'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly evaluation: Evaluation }
  /** The job threw (bad parameters, an engine error); the worker carries on. */
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** Whether a job's parameters hold every value of the fault's. */
export function matchesFault(
  fault: FaultInjection | undefined,
  params: Readonly<Record<string, unknown>>,
): boolean {
  if (fault === undefined) return false;
  return Object.entries(fault.params).every(([name, value]) => params[name] === value);
}
