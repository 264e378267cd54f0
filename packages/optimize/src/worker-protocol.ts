/** The messages between the worker pool and its worker threads (`worker.ts`). */
import type { StrategyProvenance, SymbolId, Timeframe } from '@lumenlink/core';
import type { BacktestSettings, Evaluation, EvaluationJob } from './evaluate.js';
import type { OptimizeSource } from './source.js';
import type { ParamValue } from './space.js';

/** What every worker loads once and shares across its jobs. Plain data: it is posted. */
export interface WorkerSetup {
  /**
   * A built-in key, or the provenance of a loaded strategy: each worker loads the file itself
   * (`loadStrategyForWorker`) and refuses it when its content changed since the run started.
   */
  readonly strategy: string | StrategyProvenance;
  readonly source: OptimizeSource;
  /** `undefined`: every bundled symbol, or the CSV files' names. */
  readonly symbols: readonly SymbolId[] | undefined;
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

/** Pool → worker: run one job. */
export interface RunMessage {
  readonly type: 'run';
  readonly id: number;
  readonly job: EvaluationJob;
}

/** Worker → pool. */
export type WorkerMessage =
  /** Candles loaded: send jobs. */
  | { readonly type: 'ready' }
  /** The candles could not be loaded; the worker ends. */
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
