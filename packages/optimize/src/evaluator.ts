/**
 * What runs a sweep's evaluations: the worker pool, or the calling thread (tests, and a
 * walk-forward's logic, which only needs this interface).
 */
import {
  evaluate,
  type Evaluation,
  type EvaluationContext,
  type EvaluationJob,
} from './evaluate.js';

/** How one job ended: its evaluation, or why there is none. */
export type JobOutcome =
  | { readonly ok: true; readonly evaluation: Evaluation }
  | {
      readonly ok: false;
      readonly error: string;
      /** The worker running it died (exit or uncaught error), rather than the backtest failing. */
      readonly crashed: boolean;
    };

/** Called as each job ends, in the order they end. */
export type SettledListener = (index: number, outcome: JobOutcome) => void;

/** Runs evaluation jobs; outcomes come back in the order of the jobs. */
export interface Evaluator {
  evaluate(jobs: readonly EvaluationJob[], onSettled?: SettledListener): Promise<JobOutcome[]>;
}

/** A message for a failed job: the error's message, or its text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An evaluator on the calling thread, one job after the other: the same results as the pool,
 * without threads.
 *
 * @example
 * ```ts
 * const evaluator = createLocalEvaluator({ strategy: 'ema_crossover', candles, interval: '1h', settings });
 * const [outcome] = await evaluator.evaluate([{ params }]);
 * ```
 */
export function createLocalEvaluator(context: EvaluationContext): Evaluator {
  return {
    async evaluate(jobs, onSettled) {
      const outcomes: JobOutcome[] = [];
      for (const [index, job] of jobs.entries()) {
        let outcome: JobOutcome;
        try {
          outcome = { ok: true, evaluation: await evaluate(context, job) };
        } catch (error) {
          outcome = { ok: false, error: errorText(error), crashed: false };
        }
        outcomes.push(outcome);
        onSettled?.(index, outcome);
      }
      return outcomes;
    },
  };
}
