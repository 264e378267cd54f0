/**
 * A user's folder outside the workspace with a strategy file of their own: it imports
 * `@lumenlink/core` and `@lumenlink/strategies` by name, through a `node_modules` that links the
 * workspace's packages (as `npm install` would).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A momentum strategy in TypeScript: buys after a rise of `minRise`, sells after a fall of `maxFall`. */
export const userStrategySource = `import { hold, type Candle, type Signal } from '@lumenlink/core';
import { defineStrategy, z } from '@lumenlink/strategies';

export default defineStrategy({
  key: 'my_idea',
  description: 'Buys after a rise of minRise, sells after a fall of maxFall.',
  paramsSchema: z.strictObject({
    minRise: z.number().positive().max(0.1).default(0.01),
    maxFall: z.number().positive().max(0.1).default(0.01),
  }),
  build: ({ minRise, maxFall }) => {
    let last = Number.NaN;
    return {
      warmup: 1,
      onCandle: (candle: Candle): Signal => {
        const change = candle.close / last - 1;
        last = candle.close;
        if (change > minRise) return { action: 'buy', confidence: 1, reason: 'rose' };
        if (change < -maxFall) return { action: 'sell', confidence: 1, reason: 'fell' };
        return hold('waiting');
      },
    };
  },
});
`;

/** A user's folder with the LumenLink packages installed and `strategies/my-idea.ts` in it. */
export function userFolder(): {
  readonly dir: string;
  /** The strategy file's absolute path. */
  readonly strategyFile: string;
  write(path: string, text: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-optimize-user-'));
  mkdirSync(join(dir, 'node_modules', '@lumenlink'), { recursive: true });
  for (const name of ['core', 'strategies']) {
    symlinkSync(join(packages, name), join(dir, 'node_modules', '@lumenlink', name), 'dir');
  }
  const write = (path: string, text: string): string => {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return file;
  };
  return {
    dir,
    strategyFile: write('strategies/my-idea.ts', userStrategySource),
    write,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
