/**
 * The control port of a running trading node: what Telegram commands and the HTTP server need
 * from it. `@lumenlink/runtime` implements it over the engine and the stores; the Telegram
 * commands of `@lumenlink/alerts` drive it, so neither needs the other.
 */
import type { Decision } from './decision.js';
import type { Balance } from './market.js';
import type { Position } from './position.js';
import type { StrategyProvenance } from './provenance.js';
import type { SymbolId } from './symbol.js';
import type { SymbolPause, TradingState, TradingStateRecord } from './trading-state.js';

/**
 * The strategy a bot runs, for `/status`: what it is, where it came from, its parameters. Its
 * key is `id`, and `source` leaves the provenance's `key` out: redaction hides every field named
 * like `key` (`apiKey`), so a field called `key` would show as `[REDACTED]`.
 */
export interface BotStrategyStatus {
  /** The definition's key (as orders and decisions record it). */
  readonly id: string;
  /** The strategy in messages: its key with the file or package it came from. */
  readonly label: string;
  /** Where it came from: built-in, or the file's path and SHA-256 (`StrategyProvenance` less `key`). */
  readonly source?: Omit<StrategyProvenance, 'key'>;
  /** The parameters it runs with: validated, defaults filled. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The bot at a glance, for `/status`. */
export interface BotStatus {
  readonly mode: 'paper' | 'live';
  /**
   * The mode in words, e.g. `live dry run: no order will be sent to binance (...)`: what happens
   * to orders. Left out by a control that does not know it.
   */
  readonly modeText?: string;
  readonly exchange: string;
  readonly symbols: readonly SymbolId[];
  readonly tradingState: TradingStateRecord;
  /** Execution's circuit breaker over entries is open. */
  readonly circuitOpen: boolean;
  /** Open time of the last processed candle (epoch ms), or `null`. */
  readonly lastCandleAt: number | null;
  readonly startedAt: number;
  /**
   * Symbols paused alone until an operator resumes them (entries blocked, exits allowed), e.g.
   * their stored fills disagree with the exchange. Left out: none.
   */
  readonly pausedSymbols?: readonly SymbolPause[];
  /** The strategy run, with its source and parameters. Left out by a control that does not know it. */
  readonly strategy?: BotStrategyStatus;
}

/** P&L since the start, for `/pnl`. Money in the quote currency (an `AccountSnapshot` fits). */
export interface PnlReport {
  readonly equity: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly dailyPnl: number;
  readonly peakEquity: number;
}

/** Today's result, for `/daily`. Money in the quote currency. */
export interface DailyReport {
  /** UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly pnl: number;
  readonly equity: number;
  readonly trades: number;
}

/** One trade (flat to flat), for `/trades`. Prices and P&L in the quote currency. */
export interface TradeSummary {
  readonly symbol: SymbolId;
  readonly quantity: number;
  readonly entryPrice: number;
  /** `null` while open. */
  readonly exitPrice: number | null;
  /** Realized P&L net of fees; `null` while open. */
  readonly pnl: number | null;
  readonly openedAt: number;
  readonly closedAt: number | null;
}

/** What a force exit did. */
export interface ForceExitResult {
  /** Whether an exit order was submitted. */
  readonly submitted: boolean;
  /** One line for the chat: the client order id, or why nothing was sent. */
  readonly message: string;
}

/**
 * The bot as the chat commands see it. Every method may throw; the commands answer with the
 * error's message. `setTradingState` persists and audits the change (`changedBy` is
 * `telegram:<chat id>`), and refuses to lift a config kill switch.
 */
export interface BotControl {
  status(): Promise<BotStatus>;
  positions(): Promise<readonly Position[]>;
  balance(): Promise<Balance>;
  pnl(): Promise<PnlReport>;
  daily(): Promise<DailyReport>;
  /** The most recent `limit` trades, newest first. */
  trades(limit: number): Promise<readonly TradeSummary[]>;
  /** The most recent decisions (signals with every risk verdict) for a symbol, newest first. */
  why(symbol: SymbolId): Promise<readonly Decision[]>;
  /** Closes the symbol's position at market, through the order manager. */
  forceExit(symbol: SymbolId): Promise<ForceExitResult>;
  setTradingState(
    state: TradingState,
    reason: string,
    changedBy: string,
  ): Promise<TradingStateRecord>;
}
