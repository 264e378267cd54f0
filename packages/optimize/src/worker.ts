/**
 * A worker thread of the optimizer's pool: loads the strategy and makes the candles of the shared
 * columns once, then runs the jobs it is posted one at a time, in order, and posts each
 * evaluation back (see `worker-protocol.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getStrategyDefinition } from '@lumenlink/strategies';
import { loadStrategyForWorker } from '@lumenlink/strategy-loader';
import { evaluate, type EvaluationContext } from './evaluate.js';
import { errorText } from './evaluator.js';
import { candlesFromShared } from './shared-candles.js';
import {
  matchesFault,
  type RunMessage,
  type WorkerData,
  type WorkerMessage,
} from './worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('optimize/worker.js runs as a worker thread of the pool');
const { setup, fault } = workerData as WorkerData;
const post = (message: WorkerMessage): void => port.postMessage(message);

let context: EvaluationContext | undefined;
try {
  const strategy =
    typeof setup.strategy === 'string'
      ? getStrategyDefinition(setup.strategy)
      : await loadStrategyForWorker(setup.strategy);
  context = {
    strategy,
    candles: candlesFromShared(setup.candles),
    interval: setup.interval,
    settings: setup.settings,
  };
} catch (error) {
  post({ type: 'setup-failed', message: errorText(error) });
  port.close();
}

if (context !== undefined) {
  const ready = context;
  const queue: RunMessage[] = [];
  let running = false;

  /** Runs the queued jobs one after the other; a job posted meanwhile waits its turn. */
  const drain = async (): Promise<void> => {
    running = true;
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      if (matchesFault(fault, message.job.params)) {
        if (fault?.mode === 'exit') process.exit(70);
        // Thrown outside any try: an uncaught exception, which ends the thread.
        setImmediate(() => {
          throw new Error(`injected fault on ${JSON.stringify(fault?.params)}`);
        });
        return;
      }
      try {
        post({ type: 'result', id: message.id, evaluation: await evaluate(ready, message.job) });
      } catch (error) {
        post({ type: 'failed', id: message.id, message: errorText(error) });
      }
    }
    running = false;
  };

  port.on('message', (message: RunMessage) => {
    queue.push(message);
    if (!running) void drain();
  });
  post({ type: 'ready' });
}
