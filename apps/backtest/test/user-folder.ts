/**
 * A user's folder outside the workspace: strategy files in it import `@lumenlink/*` by name
 * through a `node_modules` that links the workspace's packages.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../../packages');

/** A temp folder with `@lumenlink/{core,strategies,indicators}` installed as links. */
export function userFolder(): {
  readonly dir: string;
  write(path: string, text: string): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-user-'));
  mkdirSync(join(dir, 'node_modules', '@lumenlink'), { recursive: true });
  for (const name of ['core', 'strategies', 'indicators']) {
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
