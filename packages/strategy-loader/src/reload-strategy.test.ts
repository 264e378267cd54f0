import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { StrategyProvenance } from '@lumenlink/core';
import { strategyDefinitions } from '@lumenlink/strategies';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { strategySource, userFolder } from './__fixtures__/workspace.js';
import { loadStrategy, reloadRun, reloadStrategy } from './load-strategy.js';

let folder: ReturnType<typeof userFolder>;
beforeEach(() => {
  folder = userFolder();
});
afterEach(() => folder.remove());

/** The provenance as a report stores it: plain JSON. */
const asJson = (provenance: StrategyProvenance): StrategyProvenance =>
  JSON.parse(JSON.stringify(provenance)) as StrategyProvenance;

describe('reloadStrategy', () => {
  it('gives the recorded provenance exactly, from any working directory', async () => {
    folder.write('strategies/trend.ts', strategySource({ exportLine: 'export const trend =' }));
    const loaded = await loadStrategy('strategies/trend.ts', { cwd: folder.dir });
    const again = await reloadStrategy(asJson(loaded.provenance), { cwd: tmpdir() });
    expect(again.provenance).toEqual(loaded.provenance);
    expect(again.spec).toBe('strategies/trend.ts');
    expect(again.definition.key).toBe('my_idea');
    const builtin = await reloadStrategy({ spec: 'smart_dca', kind: 'builtin', key: 'smart_dca' });
    expect(builtin.definition).toBe(strategyDefinitions.smart_dca);
  });

  it('loads a changed file as it is now, with its new sha256', async () => {
    const file = folder.write('idea.ts', strategySource());
    const loaded = await loadStrategy('idea.ts', { cwd: folder.dir });
    writeFileSync(file, strategySource().replace('0.01', '0.05'));
    const again = await reloadStrategy(asJson(loaded.provenance));
    expect(again.provenance.sha256).not.toBe(loaded.provenance.sha256);
    expect(again.definition.defaults).toEqual({ minRise: 0.05, label: 'x' });
  });

  it('names the recorded file when it is gone', async () => {
    const file = folder.write('gone.ts', strategySource());
    const loaded = await loadStrategy('gone.ts', { cwd: folder.dir });
    folder.remove();
    await expect(reloadStrategy(loaded.provenance)).rejects.toThrow(`${file}: no such file`);
    await expect(reloadStrategy({ spec: 'x.ts', kind: 'file', key: 'x' })).rejects.toThrow(
      /^x\.ts: its provenance records no file path/,
    );
  });
});

describe('reloadRun', () => {
  it('gives the recorded strategy with the recorded parameters, checked again', async () => {
    const file = folder.write('idea.ts', strategySource());
    const loaded = await loadStrategy('idea.ts', { cwd: folder.dir });
    const recorded = asJson(loaded.provenance);
    const again = await reloadRun({ strategy: recorded, params: { minRise: 0.2, label: 'y' } });
    expect(again.params).toEqual({ minRise: 0.2, label: 'y' });
    expect(again.loaded.provenance).toEqual(loaded.provenance);
    writeFileSync(file, strategySource().replace('label: z.string()', 'tag: z.string()'));
    await expect(
      reloadRun({ strategy: recorded, params: { minRise: 0.2, label: 'y' } }),
    ).rejects.toThrow(/Invalid parameters for strategy my_idea[\s\S]*label/);
  });
});
