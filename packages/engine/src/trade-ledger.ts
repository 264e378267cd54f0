import type { Fill, MarketInfo, OrderRole, PositionAdjustment, SymbolId } from '@lumenlink/core';
import { isDustRest } from '@lumenlink/execution';

/**
 * Why a trade ended. `write_off`: its coins were sold or moved outside the bot, and an operator
 * wrote them off (a `PositionAdjustment`).
 */
export type ExitReason =
  'signal' | 'stop' | 'trailing_stop' | 'take_profit' | 'force_exit' | 'write_off' | 'end';

/**
 * One trade: a position's life from flat to flat (docs/architecture/trade-cycle.md, "Trades").
 * Adds and partial exits are its fills; entry and exit prices are volume-weighted.
 */
export interface Trade {
  readonly symbol: SymbolId;
  readonly side: 'long';
  /** Open time of the candle whose close produced the first entry signal. */
  readonly entrySignalTime: number;
  /** Time of the first entry fill (in backtests the open time of the candle it filled in). */
  readonly entryTime: number;
  readonly entryPrice: number;
  /** Open time of the candle that produced the last exit signal; `null` while open. */
  readonly exitSignalTime: number | null;
  /** Time of the last exit fill; `null` while open. */
  readonly exitTime: number | null;
  readonly exitPrice: number | null;
  /** Largest quantity held during the trade. */
  readonly quantity: number;
  /** Fees of every fill, in the quote currency. */
  readonly fees: number;
  /** Net of fees; for an open trade, marked to the last price. */
  readonly pnl: number;
  readonly exitReason: ExitReason | null;
}

/** What the ledger needs to know of the order behind a fill. */
export interface FillOrigin {
  readonly role: OrderRole;
  /** Open time of the candle that produced the order's signal. */
  readonly candleTime: number;
  /** When the fill happened, if not `fill.time`: the open time of the candle it filled on. */
  readonly fillTime?: number;
}

interface OpenTrade {
  entrySignalTime: number;
  entryTime: number;
  held: number;
  maxHeld: number;
  boughtQuantity: number;
  boughtValue: number;
  soldQuantity: number;
  soldValue: number;
  fees: number;
  exitSignalTime: number | null;
  exitTime: number | null;
  exitRole: OrderRole | 'write_off' | null;
}

function exitReasonOf(role: OrderRole | 'write_off' | null): ExitReason {
  switch (role) {
    case 'write_off':
      return 'write_off';
    case 'stop':
    case 'bracket_stop':
      return 'stop';
    case 'trailing_stop':
      return 'trailing_stop';
    case 'take_profit':
    case 'bracket_take_profit':
      return 'take_profit';
    case 'force_exit':
      return 'force_exit';
    case 'entry':
    case 'exit':
    case null:
      return 'signal';
  }
}

/**
 * Builds {@link Trade}s from fills, long-only spot: a buy from flat opens a trade, further buys
 * add to it, sells reduce it, and the trade closes when the quantity held is back to zero
 * (within `dust`), or to a rest the portfolio writes off as dust (under one amount step of the
 * symbol's market, when `markets` are given).
 */
export class TradeLedger {
  readonly #open = new Map<SymbolId, OpenTrade>();
  readonly #closed: Trade[] = [];
  readonly #dust: number;
  readonly #markets: ReadonlyMap<SymbolId, MarketInfo> | null;

  constructor(
    options: {
      readonly dust?: number;
      readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
    } = {},
  ) {
    this.#dust = options.dust ?? 1e-9;
    this.#markets = options.markets ?? null;
  }

  /** Records one fill (fees in the quote currency). */
  apply(fill: Fill, origin: FillOrigin): void {
    let trade = this.#open.get(fill.symbol);
    if (fill.side === 'buy') {
      if (trade === undefined) {
        trade = {
          entrySignalTime: origin.candleTime,
          entryTime: origin.fillTime ?? fill.time,
          held: 0,
          maxHeld: 0,
          boughtQuantity: 0,
          boughtValue: 0,
          soldQuantity: 0,
          soldValue: 0,
          fees: 0,
          exitSignalTime: null,
          exitTime: null,
          exitRole: null,
        };
        this.#open.set(fill.symbol, trade);
      }
      trade.held += fill.quantity;
      trade.maxHeld = Math.max(trade.maxHeld, trade.held);
      trade.boughtQuantity += fill.quantity;
      trade.boughtValue += fill.quantity * fill.price;
      trade.fees += fill.fee;
      return;
    }
    if (trade === undefined) return; // a sell from flat is no trade of ours (risk refuses them)
    const held = trade.held;
    trade.held -= fill.quantity;
    trade.soldQuantity += fill.quantity;
    trade.soldValue += fill.quantity * fill.price;
    trade.fees += fill.fee;
    trade.exitSignalTime = origin.candleTime;
    trade.exitTime = origin.fillTime ?? fill.time;
    trade.exitRole = origin.role;
    this.#closeIfFlat(fill.symbol, trade, held);
  }

  /**
   * Records a write-off of the trade's coins (sold or moved outside the bot): they leave the
   * trade at no value, so its P&L carries their cost as a loss.
   */
  writeOff(adjustment: PositionAdjustment): void {
    const trade = this.#open.get(adjustment.symbol);
    if (trade === undefined) return;
    const held = trade.held;
    const quantity = Math.min(adjustment.quantity, held);
    trade.held -= quantity;
    trade.soldQuantity += quantity;
    trade.exitTime = adjustment.at;
    trade.exitRole = 'write_off';
    this.#closeIfFlat(adjustment.symbol, trade, held);
  }

  #closeIfFlat(symbol: SymbolId, trade: OpenTrade, heldBefore: number): void {
    const step = this.#markets?.get(symbol)?.amountStep ?? 0;
    if (trade.held <= this.#dust || isDustRest(trade.held, heldBefore, step)) {
      this.#open.delete(symbol);
      this.#closed.push(this.#close(symbol, trade));
    }
  }

  /** Closed trades in the order they closed. */
  closedTrades(): readonly Trade[] {
    return this.#closed;
  }

  /** Closed trades, then the trades still open marked to `prices` (exit fields `null`). */
  trades(prices: ReadonlyMap<SymbolId, number>): Trade[] {
    const open = [...this.#open].map(([symbol, trade]) => {
      const mark = prices.get(symbol) ?? trade.boughtValue / trade.boughtQuantity;
      const pnl = trade.soldValue + trade.held * mark - trade.boughtValue - trade.fees;
      return {
        symbol,
        side: 'long' as const,
        entrySignalTime: trade.entrySignalTime,
        entryTime: trade.entryTime,
        entryPrice: trade.boughtValue / trade.boughtQuantity,
        exitSignalTime: null,
        exitTime: null,
        exitPrice: null,
        quantity: trade.maxHeld,
        fees: trade.fees,
        pnl,
        exitReason: null,
      };
    });
    return [...this.#closed, ...open];
  }

  #close(symbol: SymbolId, trade: OpenTrade): Trade {
    return {
      symbol,
      side: 'long',
      entrySignalTime: trade.entrySignalTime,
      entryTime: trade.entryTime,
      entryPrice: trade.boughtValue / trade.boughtQuantity,
      exitSignalTime: trade.exitSignalTime,
      exitTime: trade.exitTime,
      exitPrice: trade.soldValue / trade.soldQuantity,
      quantity: trade.maxHeld,
      fees: trade.fees,
      pnl: trade.soldValue - trade.boughtValue - trade.fees,
      exitReason: exitReasonOf(trade.exitRole),
    };
  }
}
