import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StrategyError, type Candle } from '@lumenlink/core';
import { strategyDefinitions } from '@lumenlink/strategies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { strategySource, userFolder } from './__fixtures__/workspace.js';
import { StrategyLoadError } from './errors.js';
import { loadStrategy, loadStrategyForWorker } from './load-strategy.js';

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder();
});
afterEach(() => folder.remove());

async function loadError(spec: string, cwd = folder.dir): Promise<StrategyLoadError> {
  try {
    await loadStrategy(spec, { cwd });
  } catch (error) {
    if (StrategyLoadError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`${spec} loaded`);
}

const candle = (time: number, close: number): Candle => ({
  time,
  open: close,
  high: close,
  low: close,
  close,
  volume: 1,
});

describe('loadStrategy: built-in keys', () => {
  it('returns the built-in definition with builtin provenance', async () => {
    const loaded = await loadStrategy('ema_crossover');
    expect(loaded.definition).toBe(strategyDefinitions.ema_crossover);
    expect(loaded.provenance).toEqual({
      spec: 'ema_crossover',
      kind: 'builtin',
      key: 'ema_crossover',
    });
    expect(loaded.label).toBe('ema_crossover');
  });

  it('suggests the key a typo was meant to be', async () => {
    const error = await loadError('ema_crosover');
    expect(error.message).toMatch(
      /^ema_crosover: not a built-in strategy \(did you mean ema_crossover\?\), not a file/,
    );
    expect(error.message).toContain('strategies/my-idea.ts');
    expect((await loadError('  ')).message).toMatch(/no strategy given/);
  });
});

describe('loadStrategy: files', () => {
  it('loads a TypeScript file outside the workspace, with its hash and a label naming it', async () => {
    const file = folder.write('strategies/my-idea.ts', strategySource());
    const loaded = await loadStrategy('strategies/my-idea.ts', { cwd: folder.dir });
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    expect(loaded.provenance).toEqual({
      spec: 'strategies/my-idea.ts',
      kind: 'file',
      key: 'my_idea',
      path: file,
      exportName: 'default',
      sha256: digest,
    });
    expect(loaded.label).toBe('my_idea (strategies/my-idea.ts)');
    expect(loaded.definition.defaults).toEqual({ minRise: 0.01, label: 'x' });
    const strategy = loaded.definition.create({ minRise: 0.05 }, { interval: '1h' });
    const context = (time: number) => ({ symbol: 'BTC-USDT' as const, time, position: null });
    expect(strategy.onCandle(candle(0, 100), context(0)).action).toBe('hold');
    expect(strategy.onCandle(candle(3_600_000, 110), context(3_600_000)).action).toBe('buy');
    // Its errors name the file.
    let thrown: unknown;
    try {
      strategy.onCandle(candle(0, 100), context(0));
    } catch (error) {
      thrown = error;
    }
    expect(StrategyError.isInstance(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(
      /^Strategy my_idea \(strategies\/my-idea\.ts\): BTC-USDT candle at 1970-01-01T00:00:00\.000Z/,
    );
  });

  it('imports the file again once it changed, with the new hash', async () => {
    const js = (minRise: number) =>
      `import { defineStrategy, z } from '@lumenlink/strategies';\nexport default defineStrategy({ key: 'js_idea', description: 'd', paramsSchema: z.strictObject({ minRise: z.number().default(${minRise}) }), build: () => ({ warmup: 0, onCandle: () => ({ action: 'hold', confidence: 0, reason: 'r' }) }) });\n`;
    folder.write('s.mjs', js(0.01));
    const first = await loadStrategy('./s.mjs', { cwd: folder.dir });
    folder.write('s.mjs', js(0.02));
    const second = await loadStrategy('./s.mjs', { cwd: folder.dir });
    expect(first.definition.defaults).toEqual({ minRise: 0.01 });
    expect(second.definition.defaults).toEqual({ minRise: 0.02 });
    expect(second.provenance.sha256).not.toBe(first.provenance.sha256);
  });

  it('takes a single named export, or the one after #', async () => {
    folder.write('one.ts', strategySource({ exportLine: 'export const trend =' }));
    const one = await loadStrategy('one.ts', { cwd: folder.dir });
    expect(one.provenance.exportName).toBe('trend');
    expect(one.label).toBe('my_idea (one.ts#trend)');

    folder.write(
      'two.ts',
      `${strategySource({ exportLine: 'export const trend =' })}\n${strategySource({
        key: 'other',
        exportLine: 'export const other =',
      })
        .split('\n')
        .filter(
          (line) =>
            !line.startsWith('import') &&
            !line.startsWith('const idle') &&
            !/^interface|^ {2}last|^\}$/.test(line),
        )
        .join('\n')}`,
    );
    const several = await loadError('two.ts');
    expect(several.message).toBe(
      'two.ts: exports 2 strategies (trend, other). Choose one: two.ts#trend',
    );
    expect((await loadStrategy('two.ts#other', { cwd: folder.dir })).definition.key).toBe('other');
    expect((await loadError('two.ts#nope')).message).toBe(
      'two.ts: has no export named nope. Its strategy exports: trend, other',
    );
  });

  it('names the file and the fix for each bad module', async () => {
    expect((await loadError('missing.ts')).message).toMatch(
      /^missing\.ts: no such file \(looked in /,
    );
    folder.write('notes.txt', 'hello');
    expect((await loadError('./notes.txt')).message).toMatch(
      /^notes\.txt: is not a strategy module: expected a file ending in \.ts/,
    );
    folder.write('empty.mjs', 'export const answer = 42;');
    expect((await loadError('empty.mjs')).message).toMatch(
      /^empty\.mjs: exports no strategy definition\. Write export default defineStrategy\(/,
    );
    folder.write('raw.mjs', "export default { key: 'raw', create() { return null; } };");
    expect((await loadError('raw.mjs')).message).toMatch(
      /^raw\.mjs: its default export has a create\(\) but is not made by defineStrategy\. Wrap it/,
    );
    folder.write('throws.mjs', "throw new Error('config missing');");
    expect((await loadError('throws.mjs')).message).toBe(
      'throws.mjs: failed while loading: config missing',
    );
    folder.write('lost.mjs', "import 'some-package-nobody-installed';");
    expect((await loadError('lost.mjs')).message).toMatch(
      /^lost\.mjs: an import cannot be found \(.*some-package-nobody-installed.*\)\. Install the packages/,
    );
  });

  it('refuses a schema without defaults, a built-in key and a key not in snake case', async () => {
    folder.write(
      'nodefault.mjs',
      "import { defineStrategy, z } from '@lumenlink/strategies';\nexport default defineStrategy({ key: 'nd', description: 'd', paramsSchema: z.strictObject({ period: z.number() }), build: () => ({ warmup: 0, onCandle: () => null }) });\n",
    );
    expect((await loadError('nodefault.mjs')).message).toMatch(
      /^nodefault\.mjs: its parameter schema rejects empty parameters, so it has no defaults \(.*period.*\)\. Give every parameter a \.default/s,
    );
    folder.write('builtin.ts', strategySource({ key: 'ema_crossover' }));
    expect((await loadError('builtin.ts')).message).toMatch(
      /^builtin\.ts: its key ema_crossover is a built-in strategy's/,
    );
    folder.write('camel.ts', strategySource({ key: 'MyIdea' }));
    expect((await loadError('camel.ts')).message).toMatch(
      /^camel\.ts: its key "MyIdea" is not lower snake case/,
    );
  });
});

describe('loadStrategy: packages', () => {
  it('loads an installed package by name, recording its name and version', async () => {
    const entry = folder.write(
      'node_modules/my-strategies/lib/index.mjs',
      "export { default as trend } from './trend.mjs';\n",
    );
    folder.write(
      'node_modules/my-strategies/lib/trend.mjs',
      "import { defineStrategy, z } from '@lumenlink/strategies';\nexport default defineStrategy({ key: 'pkg_trend', description: 'd', paramsSchema: z.strictObject({}), build: () => ({ warmup: 0, onCandle: () => ({ action: 'hold', confidence: 0, reason: 'r' }) }) });\n",
    );
    folder.write(
      'node_modules/my-strategies/package.json',
      JSON.stringify({
        name: 'my-strategies',
        version: '1.2.3',
        type: 'module',
        exports: { '.': { import: './lib/index.mjs' } },
      }),
    );
    const loaded = await loadStrategy('my-strategies', { cwd: join(folder.dir, 'sub') });
    expect(loaded.provenance).toMatchObject({
      kind: 'package',
      key: 'pkg_trend',
      packageName: 'my-strategies',
      packageVersion: '1.2.3',
      exportName: 'trend',
      path: entry,
    });
    expect(loaded.label).toBe('pkg_trend (my-strategies@1.2.3#trend)');
    folder.write('node_modules/broken-strategies/package.json', '{ "name": ');
    expect((await loadError('broken-strategies')).message).toMatch(
      /^broken-strategies: its package\.json cannot be read \(.*\)\. Reinstall the package$/,
    );
    expect((await loadError('not-installed-strategies')).message).toMatch(
      /no installed package of that name/,
    );
  });
});

describe('loadStrategyForWorker', () => {
  it('loads the same strategy from its provenance and refuses a file that changed', async () => {
    folder.write('w.ts', strategySource());
    const loaded = await loadStrategy('w.ts', { cwd: folder.dir });
    const again = await loadStrategyForWorker(
      JSON.parse(JSON.stringify(loaded.provenance)) as typeof loaded.provenance,
    );
    expect(again.key).toBe('my_idea');
    expect(
      await loadStrategyForWorker({
        spec: 'rsi_mean_reversion',
        kind: 'builtin',
        key: 'rsi_mean_reversion',
      }),
    ).toBe(strategyDefinitions.rsi_mean_reversion);
    writeFileSync(join(folder.dir, 'w.ts'), strategySource().replace('0.01', '0.03'));
    await expect(loadStrategyForWorker(loaded.provenance)).rejects.toThrow(
      /changed while the run was going \(sha256 /,
    );
  });
});

const loaderDist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

/** Loads `spec` in a real Node process (type stripping is Node's, not the test runner's). */
async function loadInNode(spec: string, cwd: string): Promise<{ ok: boolean; text: string }> {
  const script = `import(${JSON.stringify(loaderDist)}).then(({ loadStrategy }) => loadStrategy(${JSON.stringify(spec)})).then((l) => console.log('OK', l.provenance.key, JSON.stringify(l.definition.defaults)), (e) => console.log('ERR', e.message))`;
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd });
  return { ok: stdout.startsWith('OK'), text: stdout.trim() };
}

describe('loadStrategy in Node itself', () => {
  it('runs a TypeScript file with no build step', async () => {
    folder.write('strategies/my-idea.ts', strategySource());
    expect(await loadInNode('strategies/my-idea.ts', folder.dir)).toEqual({
      ok: true,
      text: 'OK my_idea {"minRise":0.01,"label":"x"}',
    });
  });

  it('says a file does not parse', async () => {
    folder.write('broken.mjs', 'export default {{;');
    const result = await loadInNode('broken.mjs', folder.dir);
    expect(result.text).toMatch(
      /^ERR broken\.mjs: does not parse: .*\. Fix the syntax of .*broken\.mjs$/,
    );
  });

  it('explains TypeScript that Node cannot strip', async () => {
    folder.write(
      'enum.ts',
      `enum Side { Buy, Sell }\n${strategySource()}\nexport const side = Side.Buy;\n`,
    );
    const result = await loadInNode('enum.ts', folder.dir);
    expect(result.ok).toBe(false);
    expect(result.text).toMatch(
      /^ERR enum\.ts: uses TypeScript that Node cannot run without a build \(.*\)\. Use only erasable syntax: no enum/s,
    );
  });
});
