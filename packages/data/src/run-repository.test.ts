import { DataIntegrityError, ValidationError, type RunProvenance } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { openStore } from './open-store.js';

const fileStrategy: RunProvenance = {
  strategy: {
    spec: 'strategies/my-idea.ts',
    kind: 'file',
    key: 'my_idea',
    path: '/home/me/bot/strategies/my-idea.ts',
    exportName: 'default',
    sha256: 'a'.repeat(64),
  },
  params: { period: 20, threshold: 0.5 },
  settings: { interval: '1h', symbols: ['BTC-USDT'], paper: { feeBps: 10, slippageBps: 5 } },
};

describe('store.runs', () => {
  it('records each start and reads back the latest and a list, newest first', async () => {
    const store = await openStore({ path: ':memory:' });
    expect(await store.runs.latestRun()).toBeNull();
    const first = await store.runs.recordRun({
      startedAt: 1_000,
      mode: 'paper',
      provenance: { ...fileStrategy, params: { period: 10 } },
    });
    const second = await store.runs.recordRun({
      startedAt: 2_000,
      mode: 'live',
      provenance: fileStrategy,
    });
    expect(second.id).toBeGreaterThan(first.id);
    expect(await store.runs.latestRun()).toEqual({
      id: second.id,
      startedAt: 2_000,
      mode: 'live',
      provenance: fileStrategy,
    });
    expect((await store.runs.listRuns()).map((run) => run.provenance.params)).toEqual([
      { period: 20, threshold: 0.5 },
      { period: 10 },
    ]);
    expect(await store.runs.listRuns(1)).toHaveLength(1);
    const row = await store.db.selectFrom('runs').select(['strategy', 'mode']).executeTakeFirst();
    expect(row).toEqual({ strategy: 'my_idea', mode: 'paper' });
    await store.close();
  });

  it('refuses a bad run naming the field', async () => {
    const store = await openStore({ path: ':memory:' });
    await expect(
      store.runs.recordRun({ startedAt: -1, mode: 'paper', provenance: fileStrategy }),
    ).rejects.toThrow(new ValidationError('recordRun: startedAt -1 is not an integer >= 0'));
    await expect(
      store.runs.recordRun({
        startedAt: 1,
        mode: 'demo' as 'paper',
        provenance: fileStrategy,
      }),
    ).rejects.toThrow(/recordRun: mode "demo" is not one of paper, live/);
    await expect(
      store.runs.recordRun({
        startedAt: 1,
        mode: 'paper',
        provenance: {
          ...fileStrategy,
          strategy: { ...fileStrategy.strategy, kind: 'url' as 'file' },
        },
      }),
    ).rejects.toThrow(/strategy\.kind "url" is not one of builtin, file, package/);
    await expect(store.runs.listRuns(-1)).rejects.toThrow(ValidationError);
    expect(await store.runs.listRuns()).toEqual([]);
    await store.close();
  });

  it('reports a stored row that is not a provenance as a DataIntegrityError', async () => {
    const store = await openStore({ path: ':memory:' });
    await store.db
      .insertInto('runs')
      .values({ started_at: 5, mode: 'paper', strategy: 'x', provenance: '{"strategy":null}' })
      .execute();
    await expect(store.runs.latestRun()).rejects.toThrow(DataIntegrityError);
    await expect(store.runs.latestRun()).rejects.toThrow(
      /run 1: provenance\.strategy is not an object/,
    );
    await store.close();
  });
});
