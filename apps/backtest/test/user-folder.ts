/**
 * A user's folder outside the workspace: strategy files in it import `@lumenlink/*` by name
 * through a `node_modules` that links the workspace's packages.
 */
export { userFolder } from '../../../test-support/user-folder.js';

/** A strategy module: buys after a rise of more than `minRise`, sells after a fall of as much. */
export const riseStrategy = `import type { Candle, Signal } from '@lumenlink/core';
import { defineStrategy, z } from '@lumenlink/strategies';

const idle: Signal = { action: 'hold', confidence: 0, reason: 'waiting' };

export default defineStrategy({
  key: 'rise_fall',
  description: 'Buys after a rise of minRise, sells after a fall of as much.',
  paramsSchema: z.strictObject({
    minRise: z.number().positive().max(1).default(0.07),
    confidence: z.number().gt(0).max(1).default(1),
  }),
  build: ({ minRise, confidence }) => {
    let last = Number.NaN;
    return {
      warmup: 1,
      onCandle: (candle: Candle): Signal => {
        const change = candle.close / last - 1;
        last = candle.close;
        if (change > minRise) return { action: 'buy', confidence, reason: 'rose' };
        if (change < -minRise) return { action: 'sell', confidence: 1, reason: 'fell' };
        return idle;
      },
    };
  },
});
`;
