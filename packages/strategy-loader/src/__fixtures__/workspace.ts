/**
 * A scratch folder outside the workspace, as a user's (`test-support/user-folder.ts`), and a
 * strategy module to write into it.
 */
export { userFolder } from '../../../../test-support/user-folder.js';

/** A strategy module's source: a simple moving-average strategy with typed parameters. */
export function strategySource(options: { key?: string; exportLine?: string } = {}): string {
  const key = options.key ?? 'my_idea';
  return `import { hold, type Candle, type Signal } from '@lumenlink/core';
import { defineStrategy, z } from '@lumenlink/strategies';

interface State {
  last: number;
}

const idle: Signal = hold('waiting');

${options.exportLine ?? 'export default'} defineStrategy({
  key: '${key}',
  description: 'Buys after a rise of minRise, sells after a fall.',
  paramsSchema: z.strictObject({
    minRise: z.number().positive().default(0.01),
    label: z.string().default('x'),
  }),
  build: ({ minRise }) => {
    const state: State = { last: Number.NaN };
    return {
      warmup: 1,
      onCandle: (candle: Candle): Signal => {
        const rise = candle.close / state.last - 1;
        state.last = candle.close;
        if (rise > minRise) return { action: 'buy', confidence: 1, reason: 'rose' };
        if (rise < -minRise) return { action: 'sell', confidence: 1, reason: 'fell' };
        return idle;
      },
    };
  },
});
`;
}
