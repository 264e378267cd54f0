import type { OrderSide } from './order.js';
import type { RiskCheckResult } from './risk.js';
import type { SymbolId } from './symbol.js';
import type { TradingState } from './trading-state.js';

/** Something the owner should hear about. Money in the quote currency. */
export type AlertEvent =
  | {
      readonly type: 'trade_opened';
      readonly symbol: SymbolId;
      readonly side: OrderSide;
      readonly quantity: number;
      readonly price: number;
      readonly reason: string;
      readonly at: number;
    }
  | {
      readonly type: 'trade_closed';
      readonly symbol: SymbolId;
      readonly quantity: number;
      readonly entryPrice: number;
      readonly exitPrice: number;
      readonly pnl: number;
      readonly pnlPct: number;
      readonly reason: string;
      readonly at: number;
    }
  | {
      /**
       * A fill that changes an open trade without opening or closing it: a buy that adds to the
       * position, or a sell that takes part of it off.
       */
      readonly type: 'trade_resized';
      readonly symbol: SymbolId;
      readonly side: OrderSide;
      /** Quantity of this fill. */
      readonly quantity: number;
      readonly price: number;
      /** Quantity held after the fill. */
      readonly held: number;
      /** P&L this fill realized, net of fees (a sell); 0 for a buy. */
      readonly pnl: number;
      readonly reason: string;
      readonly at: number;
    }
  | {
      readonly type: 'stop_moved';
      readonly symbol: SymbolId;
      readonly from: number;
      readonly to: number;
      readonly at: number;
    }
  | {
      readonly type: 'risk_blocked';
      readonly symbol: SymbolId;
      readonly side: OrderSide;
      readonly check: RiskCheckResult;
      readonly at: number;
    }
  | {
      readonly type: 'trading_state_changed';
      readonly from: TradingState;
      readonly to: TradingState;
      readonly reason: string;
      readonly changedBy: string;
      readonly at: number;
    }
  | {
      readonly type: 'error';
      readonly code: string;
      readonly message: string;
      readonly at: number;
      /**
       * How serious it is (default `error`): `warning` for something the bot goes on without (an
       * optional feed failing), `info` for a notice (the trading mode at start, a feed that works
       * again). Channels show it in the title and log it at that level.
       */
      readonly severity?: AlertSeverity;
    }
  | {
      readonly type: 'daily_summary';
      readonly day: string;
      readonly pnl: number;
      readonly equity: number;
      readonly trades: number;
      readonly at: number;
    };

/** The severity of an `error` {@link AlertEvent} (absent: `error`). */
export type AlertSeverity = 'error' | 'warning' | 'info';

/** The `type` of an {@link AlertEvent}. */
export type AlertType = AlertEvent['type'];
