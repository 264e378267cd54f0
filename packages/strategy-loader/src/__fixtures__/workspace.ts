/**
 * A scratch folder outside the workspace, as a user's: strategy files written into it import
 * `@lumenlink/strategies` and `@lumenlink/core` by name, through a `node_modules` that links the
 * workspace's packages.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const packages = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A user's folder with the LumenLink packages installed (`core` and `strategies`, or `packages`);
 * `write` adds a file, `remove` deletes it all.
 */
export function userFolder(packageNames: readonly string[] = ['core', 'strategies']): {
  readonly dir: string;
  write(path: string, text: string): string;
  remove(): void;
} {
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
