/**
 * A pool of worker threads that run a sweep's evaluations across the cores. The candles are
 * loaded once, on the caller's thread, and shared with every worker as columns (`shareCandles`);
 * each worker loads the strategy and makes its candles once, then runs job after job, with the
 * next job already posted so it never waits for this thread between two. A worker that dies
 * running a job (exit, uncaught error) is reported with that job's parameters and replaced, and
 * the sweep goes on.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PermanentError } from '@lumenlink/core';
import type { EvaluationJob } from './evaluate.js';
import type { Evaluator, JobOutcome, SettledListener } from './evaluator.js';
import type {
  FaultInjection,
  RunMessage,
  WorkerData,
  WorkerMessage,
  WorkerSetup,
} from './worker-protocol.js';

/** A worker that died running a job. */
export interface WorkerCrash {
  /** The job it was running: its parameters and period. */
  readonly job: EvaluationJob;
  /** The uncaught error's message, or `exited with code N`. */
  readonly message: string;
}

/** Options of {@link WorkerPool.start}. */
export interface WorkerPoolOptions {
  /** Worker threads to run (at least 1). */
  readonly size: number;
  readonly setup: WorkerSetup;
  /** The compiled worker script; default {@link defaultWorkerUrl}. */
  readonly workerUrl?: URL;
  /** Tests only: make workers die on given parameters. */
  readonly faultInjection?: FaultInjection;
  /** Called when a worker dies running a job, before it is replaced. */
  readonly onCrash?: (crash: WorkerCrash) => void;
}

/**
 * The worker script: `worker.js` beside this module in the published package (`dist/pool.js`
 * starts `dist/worker.js`). Run from TypeScript sources (the package's tests), this module is
 * `src/pool.ts` and the script is the built `dist/worker.js`, since a worker thread runs
 * JavaScript.
 */
export function defaultWorkerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts')
    ? new URL('../dist/worker.js', here)
    : new URL('./worker.js', here);
}

interface Task {
  readonly id: number;
  readonly job: EvaluationJob;
  readonly settle: (outcome: JobOutcome) => void;
}

/**
 * Jobs posted to a worker at once: the one it runs and the next, so that it starts the next as
 * soon as it posts a result instead of waiting for the round trip through this thread.
 */
const inFlightPerWorker = 2;

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Terminated on purpose, or its replacement failed: it takes no more jobs. */
  retired: boolean;
  /** The jobs posted to it, in order: it runs the first, the others wait in its queue. */
  readonly posted: Task[];
  /** The uncaught error that is about to end the worker. */
  error: string | undefined;
}

/** Thrown by {@link WorkerPool.start} when a worker cannot load the strategy. */
export class WorkerSetupError extends PermanentError {
  static {
    PermanentError.addMarker(this, 'lumenlink.error.WorkerSetupError');
  }

  /** Whether `value` is a WorkerSetupError, also from a second copy of this package. */
  static override isInstance(value: unknown): value is WorkerSetupError {
    return PermanentError.hasMarker(value, 'lumenlink.error.WorkerSetupError');
  }

  readonly code = 'WORKER_SETUP_FAILED';

  constructor(message: string) {
    super(`a worker could not start: ${message}`);
  }
}

/**
 * Worker threads running evaluation jobs, each job on the next free worker. Outcomes come back
 * in job order whatever the worker count, so results do not depend on it.
 *
 * @example
 * ```ts
 * const pool = await WorkerPool.start({ size: availableParallelism(), setup });
 * try {
 *   const outcomes = await pool.evaluate(points.map((params) => ({ params })));
 * } finally {
 *   await pool.close();
 * }
 * ```
 */
export class WorkerPool implements Evaluator {
  /** Workers that died running a job, in the order they died. */
  readonly crashes: WorkerCrash[] = [];
  readonly #options: WorkerPoolOptions;
  readonly #url: URL;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #nextId = 0;
  #closing = false;

  private constructor(options: WorkerPoolOptions) {
    this.#options = options;
    this.#url = options.workerUrl ?? defaultWorkerUrl();
  }

  /**
   * Starts `size` workers and waits until each has loaded the strategy and made its candles.
   *
   * @throws {WorkerSetupError} when a worker cannot load the strategy (the others are stopped).
   * @throws {Error} when the worker script is missing (build @lumenlink/optimize first).
   */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    if (pool.#url.protocol === 'file:' && !existsSync(fileURLToPath(pool.#url))) {
      throw new Error(
        `${fileURLToPath(pool.#url)} is missing: build @lumenlink/optimize first (pnpm --filter @lumenlink/optimize build)`,
      );
    }
    const size = Math.max(1, Math.floor(options.size));
    try {
      await Promise.all(Array.from({ length: size }, () => pool.#spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Workers running (replacements included). */
  get size(): number {
    return this.#slots.filter((slot) => !slot.retired).length;
  }

  /**
   * Runs the jobs on the workers. A job whose worker dies ends as `{ ok: false, crashed: true }`
   * (and is in {@link crashes}); the others run on.
   */
  evaluate(jobs: readonly EvaluationJob[], onSettled?: SettledListener): Promise<JobOutcome[]> {
    if (this.#closing) return Promise.reject(new Error('the worker pool is closed'));
    const outcomes = jobs.map(
      (job, index) =>
        new Promise<JobOutcome>((resolve) => {
          this.#queue.push({
            id: this.#nextId++,
            job,
            settle: (outcome) => {
              onSettled?.(index, outcome);
              resolve(outcome);
            },
          });
        }),
    );
    this.#pump();
    return Promise.all(outcomes);
  }

  /**
   * CPU time (user + system, ms) each running worker thread has used so far: how the work was
   * shared, whatever else the machine runs. Empty where Node has no `worker.cpuUsage()` (before
   * 22.19 / 24.6).
   */
  async threadCpuMs(): Promise<number[]> {
    const live = this.#slots.filter((slot) => !slot.retired);
    const usage = await Promise.all(
      live.map(async (slot) => {
        const worker: Partial<Pick<Worker, 'cpuUsage'>> = slot.worker;
        return worker.cpuUsage === undefined ? undefined : await worker.cpuUsage();
      }),
    );
    return usage.flatMap((item) => (item === undefined ? [] : [(item.user + item.system) / 1000]));
  }

  /** Stops every worker; jobs not yet run end as failures. */
  async close(): Promise<void> {
    this.#closing = true;
    const unrun = [
      ...this.#slots.flatMap((slot) => slot.posted.splice(0)),
      ...this.#queue.splice(0),
    ];
    for (const task of unrun) {
      task.settle({ ok: false, error: 'the worker pool closed', crashed: false });
    }
    await Promise.all(
      this.#slots.map((slot) => {
        slot.retired = true;
        return slot.worker.terminate();
      }),
    );
  }

  /** Starts a worker in a new slot, or in `slot` to replace a dead one; resolves once ready. */
  #spawn(replacing?: Slot): Promise<void> {
    const data: WorkerData = {
      setup: this.#options.setup,
      ...(this.#options.faultInjection === undefined
        ? {}
        : { fault: this.#options.faultInjection }),
    };
    const worker = new Worker(this.#url, { workerData: data });
    const fresh = { worker, ready: false, error: undefined };
    const slot: Slot =
      replacing === undefined
        ? { ...fresh, retired: false, posted: [] }
        : Object.assign(replacing, fresh);
    if (replacing === undefined) this.#slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: WorkerMessage) => {
        if (slot.worker !== worker) return;
        switch (message.type) {
          case 'ready':
            started = true;
            slot.ready = true;
            resolve();
            this.#pump();
            return;
          case 'setup-failed':
            slot.retired = true;
            reject(new WorkerSetupError(message.message));
            return;
          case 'result':
            this.#finish(slot, message.id, { ok: true, evaluation: message.evaluation });
            return;
          case 'failed':
            this.#finish(slot, message.id, { ok: false, error: message.message, crashed: false });
            return;
        }
      });
      worker.on('error', (error: Error) => {
        if (slot.worker === worker) slot.error = error.message;
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return;
        if (!started) {
          slot.retired = true;
          reject(
            new WorkerSetupError(
              slot.error ?? `the worker exited with code ${code} while loading the strategy`,
            ),
          );
          this.#abandonIfNoWorkers();
          return;
        }
        this.#onExit(slot, code);
      });
    });
  }

  #finish(slot: Slot, id: number, outcome: JobOutcome): void {
    const task = slot.posted[0];
    if (task === undefined || task.id !== id) return;
    slot.posted.shift();
    task.settle(outcome);
    this.#pump();
  }

  #onExit(slot: Slot, code: number): void {
    slot.ready = false;
    if (this.#closing || slot.retired) return;
    // It died running the first job posted to it; those behind it go back to the queue's front.
    const [task, ...waiting] = slot.posted.splice(0);
    this.#queue.unshift(...waiting);
    if (task !== undefined) {
      const crash: WorkerCrash = {
        job: task.job,
        message: slot.error ?? `the worker exited with code ${code}`,
      };
      this.crashes.push(crash);
      this.#options.onCrash?.(crash);
      task.settle({ ok: false, error: crash.message, crashed: true });
    }
    // Replace it; the jobs queued meanwhile go to the other workers.
    this.#pump();
    this.#spawn(slot).catch(() => {
      slot.retired = true;
      this.#abandonIfNoWorkers();
    });
  }

  /** With every worker gone, the queued jobs can never run: end them as failures. */
  #abandonIfNoWorkers(): void {
    if (this.#slots.some((slot) => !slot.retired)) return;
    for (const task of this.#queue.splice(0)) {
      task.settle({ ok: false, error: 'no worker is left to run it', crashed: true });
    }
  }

  /**
   * Posts queued jobs to the workers, up to {@link inFlightPerWorker} each, a round at a time so
   * that every idle worker gets a job before any gets a second, and no worker gets a second
   * while fewer jobs are left than workers.
   */
  #pump(): void {
    const running = this.#slots.filter((slot) => slot.ready && !slot.retired).length;
    for (let depth = 1; depth <= inFlightPerWorker; depth++) {
      for (const slot of this.#slots) {
        if (this.#queue.length === 0) return;
        // The last jobs go one per worker, so that none waits behind another's while one idles.
        if (depth > 1 && this.#queue.length < running) return;
        if (!slot.ready || slot.retired || slot.posted.length >= depth) continue;
        const task = this.#queue.shift()!;
        slot.posted.push(task);
        const message: RunMessage = { type: 'run', id: task.id, job: task.job };
        slot.worker.postMessage(message);
      }
    }
  }
}
