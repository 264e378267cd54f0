import type { OrderBook, MarketInfo, Ticker } from './market.js';
import type { OrderSide } from './order.js';
import type { Position } from './position.js';
import type { Signal } from './signal.js';
import type { SymbolId } from './symbol.js';
import type { TradingState } from './trading-state.js';

/** The 10 pre-trade checks, in the order they run (docs/architecture/trade-cycle.md, step 5). */
export const riskCheckNames = [
  'trading_state',
  'live_gate',
  'phantom_sell',
  'daily_loss',
  'max_open_positions',
  'position_size',
  'stopout_cooldown',
  'volume',
  'spread',
  'slippage',
] as const;

/** One of {@link riskCheckNames}. */
export type RiskCheckName = (typeof riskCheckNames)[number];

/**
 * A check's outcome: `pass`, `fail` (blocks), `skip` (not applicable or no data, e.g. no order
 * book in replay), `warn` (would have failed, but only guards entries and this is an exit).
 */
export type RiskCheckOutcome = 'pass' | 'fail' | 'skip' | 'warn';

/** The verdict of one check, with what it measured against what limit. */
export interface RiskCheckResult {
  readonly name: RiskCheckName;
  readonly outcome: RiskCheckOutcome;
  readonly value: number | string | null;
  readonly limit: number | string | null;
  readonly reason: string;
}

/** What risk answers: a denial is a value, never an exception. */
export interface RiskVerdict {
  readonly allowed: boolean;
  /** Sized and rounded base quantity (0 when denied before sizing). */
  readonly quantity: number;
  readonly side: OrderSide;
  readonly checks: readonly RiskCheckResult[];
  /** One line: the first failing check's reason, or why it passed. */
  readonly reason: string;
}

/** The facts risk needs to decide on one signal; the engine gathers them each cycle. */
export interface RiskState {
  readonly now: number;
  readonly symbol: SymbolId;
  readonly tradingState: TradingState;
  readonly mode: 'paper' | 'live';
  readonly allowLiveTrading: boolean;
  /** The decision price (the candle close or latest tick), quote currency. */
  readonly price: number;
  readonly position: Position | null;
  readonly openPositions: number;
  readonly equity: number;
  readonly cash: number;
  readonly dailyPnl: number;
  /** Last losing exit on this symbol (epoch ms), for the cooldown. */
  readonly lastStopOutAt: number | null;
  /** Average true range of the symbol, for ATR sizing. */
  readonly atr: number | null;
  readonly market: MarketInfo | null;
  readonly ticker: Ticker | null;
  readonly orderBook: OrderBook | null;
  /** Execution's circuit breaker over entries is open (a live fact, not persisted). */
  readonly circuitOpen: boolean;
  /**
   * The free balance of the symbol's base asset on the exchange (live trading): a sell is
   * never larger than this, nor than the position. Left out or `null`: not known (paper and
   * backtests, where the broker holds exactly the position).
   */
  readonly freeBase?: number | null;
  /**
   * Why this symbol alone is paused (entries blocked, exits allowed, like `reducing`) until an
   * operator resumes it, e.g. its stored fills disagree with the exchange. Left out or `null`:
   * not paused.
   */
  readonly symbolPaused?: string | null;
}

/** What risk offers the engine (implemented by `RiskEngine` in `@lumenlink/risk`). */
export interface PreTradeCheck {
  evaluate(signal: Signal, state: RiskState): RiskVerdict;
}
