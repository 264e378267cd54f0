/**
 * Tests' stand-in for a user's own folder outside the workspace: strategy files written into it
 * import `@lumenlink/*` by name, through a `node_modules` that links the workspace's packages (as
 * `npm install` would install them). Shared by the tests of every package and app that loads a
 * user's strategy file.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../packages');

/** A user's folder: its path, a way to write a file into it, and its removal. */
export interface UserFolder {
  readonly dir: string;
  /** Writes `text` to `path` (relative to the folder, directories made); returns the absolute path. */
  write(path: string, text: string): string;
  remove(): void;
}

/**
 * A temp folder with `@lumenlink/<name>` linked into its `node_modules` for each of `packageNames`
 * (default `core`, `strategies` and `indicators`, what a strategy file imports).
 */
export function userFolder(
  packageNames: readonly string[] = ['core', 'strategies', 'indicators'],
): UserFolder {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-user-'));
  mkdirSync(join(dir, 'node_modules', '@lumenlink'), { recursive: true });
  for (const name of packageNames) {
    symlinkSync(join(packages, name), join(dir, 'node_modules', '@lumenlink', name), 'dir');
  }
  return {
    dir,
    write(path, text) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A momentum strategy in TypeScript, key `my_idea`: buys after a rise of `minRise`, sells after a fall of `maxFall`. */
export const momentumStrategySource = `import { hold, type Candle, type Signal } from '@lumenlink/core';
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
