/**
 * A worker thread of the optimizer's pool: loads the strategy and the candles once, then runs
 * the jobs it is posted one at a time and posts each evaluation back (see `worker-protocol.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { getStrategyDefinition } from '@lumenlink/strategies';
import { loadStrategyForWorker } from '@lumenlink/strategy-loader';
import { evaluate, type EvaluationContext } from './evaluate.js';
import { errorText } from './evaluator.js';
import { loadSource } from './source.js';
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
  const loaded = await loadSource(setup.source, setup.symbols, setup.interval);
  context = {
    strategy,
    candles: loaded.candles,
    interval: loaded.interval,
    settings: setup.settings,
  };
} catch (error) {
  post({ type: 'setup-failed', message: errorText(error) });
  port.close();
}

if (context !== undefined) {
  const ready = context;
  port.on('message', (message: RunMessage) => {
    if (matchesFault(fault, message.job.params)) {
      if (fault?.mode === 'exit') process.exit(70);
      // Thrown outside the handler's try: an uncaught exception, which ends the thread.
      setImmediate(() => {
        throw new Error(`injected fault on ${JSON.stringify(fault?.params)}`);
      });
      return;
    }
    evaluate(ready, message.job).then(
      (evaluation) => post({ type: 'result', id: message.id, evaluation }),
      (error: unknown) => post({ type: 'failed', id: message.id, message: errorText(error) }),
    );
  });
  post({ type: 'ready' });
}
