/**
 * The decision store as the bot uses it: every decision still goes to SQLite, and is counted on
 * the way for the metrics and the end-of-run summary.
 */
import type { Decision, DecisionOutcome, DecisionStore, SymbolId } from '@lumenlink/core';
import { blockReason } from '@lumenlink/engine';
import type { NodeMetrics } from './node-metrics.js';

/**
 * A {@link DecisionStore} that counts what passes through it: decisions per outcome, and the
 * signals that did not become orders per reason (the risk check that failed, `cooldown`,
 * `circuit_breaker` or `error`), as the backtest reports them.
 */
export class DecisionCounter implements DecisionStore {
  readonly outcomes: Partial<Record<DecisionOutcome, number>> = {};
  readonly blocked: Record<string, number> = {};
  readonly #inner: DecisionStore;
  readonly #metrics: NodeMetrics;

  constructor(inner: DecisionStore, metrics: NodeMetrics) {
    this.#inner = inner;
    this.#metrics = metrics;
  }

  async recordDecision(decision: Decision): Promise<void> {
    await this.#inner.recordDecision(decision);
    this.outcomes[decision.outcome] = (this.outcomes[decision.outcome] ?? 0) + 1;
    this.#metrics.decision(decision.outcome);
    const reason = blockReason(decision);
    if (reason !== null) this.blocked[reason] = (this.blocked[reason] ?? 0) + 1;
  }

  recentDecisions(symbol: SymbolId, limit: number): Promise<Decision[]> {
    return this.#inner.recentDecisions(symbol, limit);
  }
}
