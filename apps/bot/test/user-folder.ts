/**
 * A user's folder outside the workspace, as the bot's users have: strategy files written into it
 * import `@lumenlink/core` and `@lumenlink/strategies` by name, through a `node_modules` that
 * links the workspace's packages.
 */
export { userFolder } from '../../../test-support/user-folder.js';

/**
 * A strategy module: buys after a rise of `minRise`, sells after a fall. `faults` makes it throw
 * on one symbol's n-th candle, or return an invalid signal on another's.
 */
export function strategySource(
  options: { key?: string; faults?: { throwOn?: [string, number]; badOn?: [string, number] } } = {},
): string {
  const { throwOn, badOn } = options.faults ?? {};
  return `import { hold, type Candle, type Signal, type StrategyContext } from '@lumenlink/core';
import { defineStrategy, z } from '@lumenlink/strategies';

export default defineStrategy({
  key: '${options.key ?? 'my_idea'}',
  description: 'Buys after a rise of minRise, sells after a fall.',
  paramsSchema: z.strictObject({
    minRise: z.number().positive().default(0.01),
    note: z.string().default('x'),
  }),
  build: ({ minRise }) => {
    let last = Number.NaN;
    let seen = 0;
    return {
      warmup: 1,
      onCandle: (candle: Candle, context: StrategyContext): Signal => {
        seen += 1;
        ${throwOn === undefined ? '' : `if (context.symbol === '${throwOn[0]}' && seen === ${throwOn[1]}) throw new Error('my bug');`}
        ${badOn === undefined ? '' : `if (context.symbol === '${badOn[0]}' && seen === ${badOn[1]}) return { action: 'buy', confidence: 7, reason: 'too sure' };`}
        const rise = candle.close / last - 1;
        last = candle.close;
        if (rise > minRise) return { action: 'buy', confidence: 1, reason: 'rose' };
        if (rise < -minRise) return { action: 'sell', confidence: 1, reason: 'fell' };
        return hold('waiting');
      },
    };
  },
});
`;
}
