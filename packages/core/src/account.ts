import type { Position } from './position.js';
import type { SymbolId } from './symbol.js';

/**
 * The portfolio at one moment. Money is in the account's quote currency (USD or USDT).
 */
export interface AccountSnapshot {
  /** Time of the snapshot (epoch ms). */
  readonly at: number;
  readonly cash: number;
  /** Cash plus positions marked to market. */
  readonly equity: number;
  readonly positions: readonly Position[];
  /** Realized P&L since the start, net of fees. */
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  /** Realized plus unrealized change since the start of the current UTC day. */
  readonly dailyPnl: number;
  /** Highest equity seen, for drawdown. */
  readonly peakEquity: number;
  /** Time of the last losing exit per symbol, for the cooldown check. */
  readonly lastStopOutAt: Readonly<Partial<Record<SymbolId, number>>>;
}
