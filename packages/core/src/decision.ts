import type { RiskVerdict } from './risk.js';
import type { Signal } from './signal.js';
import type { SymbolId } from './symbol.js';

/** How a decision ended. */
export type DecisionOutcome = 'hold' | 'cooldown' | 'blocked' | 'submitted' | 'error';

/**
 * One decision of the trade cycle for one symbol and candle: the signal, every risk verdict and
 * what happened, so "why didn't it trade?" always has an answer.
 */
export interface Decision {
  readonly symbol: SymbolId;
  readonly strategy: string;
  /** Open time of the candle decided on (epoch ms). */
  readonly candleTime: number;
  /** When the decision was made (epoch ms). */
  readonly decidedAt: number;
  readonly signal: Signal;
  readonly verdict: RiskVerdict | null;
  readonly outcome: DecisionOutcome;
  /** The order submitted, when one was. */
  readonly clientOrderId: string | null;
  /** Short explanation of the outcome. */
  readonly note: string;
}
