/**
 * The strategy an optimisation runs: a built-in key of `@lumenlink/strategies`, or a strategy
 * loaded by `@lumenlink/strategy-loader` from a file or a package. The search works from its
 * definition; the worker threads get its provenance (plain JSON) and load it themselves.
 */
import type { StrategyProvenance } from '@lumenlink/core';
import { getStrategyDefinition, type DefinedStrategy } from '@lumenlink/strategies';
import type { LoadedStrategy } from '@lumenlink/strategy-loader';

/** What `optimize` takes as its strategy: a built-in key, or a loaded strategy. */
export type OptimizeStrategy = string | LoadedStrategy;

/** A strategy as the space and search functions take it: a built-in key or a definition. */
export type StrategyRef = string | DefinedStrategy | LoadedStrategy;

function isLoaded(strategy: StrategyRef): strategy is LoadedStrategy {
  return typeof strategy === 'object' && 'provenance' in strategy && 'definition' in strategy;
}

/**
 * The definition of a key, a definition or a loaded strategy.
 *
 * @throws {ValidationError} (from `@lumenlink/core`) for an unknown key.
 */
export function definitionOf(strategy: StrategyRef): DefinedStrategy {
  if (typeof strategy === 'string') return getStrategyDefinition(strategy);
  return isLoaded(strategy) ? strategy.definition : strategy;
}

/**
 * Where the strategy came from: a loaded strategy's provenance, or a built-in key's.
 *
 * @throws {ValidationError} (from `@lumenlink/core`) for an unknown key.
 */
export function provenanceOf(strategy: OptimizeStrategy): StrategyProvenance {
  if (typeof strategy !== 'string') return strategy.provenance;
  const { key } = getStrategyDefinition(strategy);
  return { spec: strategy, kind: 'builtin', key };
}

/** The strategy in messages: its key, with the file or package it came from. */
export function strategyLabel(strategy: StrategyRef): string {
  if (typeof strategy === 'string') return strategy;
  return isLoaded(strategy) ? strategy.label : strategy.key;
}
