import { getStrategyDefinition } from '@lumenlink/strategies';
import { loadStrategy } from '@lumenlink/strategy-loader';
import { describe, expect, it } from 'vitest';
import { definitionOf, provenanceOf, strategyLabel } from './strategy.js';

describe('the strategy of an optimisation', () => {
  it('is a built-in key, a definition or a loaded strategy, each with its definition', async () => {
    const definition = getStrategyDefinition('ema_crossover');
    const loaded = await loadStrategy('ema_crossover');
    expect(definitionOf('ema_crossover')).toBe(definition);
    expect(definitionOf(definition)).toBe(definition);
    expect(definitionOf(loaded)).toBe(loaded.definition);
    expect(strategyLabel('ema_crossover')).toBe('ema_crossover');
    expect(strategyLabel(definition)).toBe('ema_crossover');
    expect(strategyLabel({ ...loaded, label: 'my_idea (strategies/my-idea.ts)' })).toBe(
      'my_idea (strategies/my-idea.ts)',
    );
  });

  it("records a key as built-in and a loaded strategy's own provenance", async () => {
    expect(provenanceOf('ema_crossover')).toEqual({
      spec: 'ema_crossover',
      kind: 'builtin',
      key: 'ema_crossover',
    });
    const loaded = await loadStrategy('ema_crossover');
    expect(provenanceOf(loaded)).toBe(loaded.provenance);
    expect(() => provenanceOf('ema_crosover')).toThrow(/ema_crosover/);
  });
});
