/**
 * The parity report's vocabulary: causes, the compared trade fields, differences and the report
 * (docs/architecture/parity.md).
 */
import type { SymbolId, Timeframe } from '@lumenlink/core';
import type { Trade } from '@lumenlink/engine';

/**
 * What a difference is put down to (docs/architecture/parity.md, "Where live trading cannot
 * match"); `unexplained` when no rule fits.
 */
export const parityCauses = [
  'fill model',
  'rejection',
  'latency',
  'intra-candle stop',
  'data',
  'unexplained',
] as const;

/** One of {@link parityCauses}. */
export type ParityCause = (typeof parityCauses)[number];

/** A trade of either side, with what the parity rules need beyond the engine's {@link Trade}. */
export interface ParityTrade extends Trade {
  /** Stored time of the first entry fill (epoch ms); `entryTime` is the open of its candle. */
  readonly entryFilledAt: number;
  /** Stored time of the last exit fill; `null` while open. */
  readonly exitFilledAt: number | null;
  /** Client order id of the first entry. */
  readonly entryOrderId: string;
  /** Client order id of the last exit; `null` while open. */
  readonly exitOrderId: string | null;
}

/** The fields of a trade that are compared, in the order a difference propagates. */
export const tradeFields = [
  'entrySignalTime',
  'entryTime',
  'entryPrice',
  'quantity',
  'exitSignalTime',
  'exitTime',
  'exitReason',
  'exitPrice',
  'fees',
  'pnl',
] as const;

/** One of {@link tradeFields}. */
export type TradeField = (typeof tradeFields)[number];

/** How the report names each field. */
export const tradeFieldLabels: Readonly<Record<TradeField, string>> = {
  entrySignalTime: 'entry signal',
  entryTime: 'entry time',
  entryPrice: 'entry price',
  quantity: 'quantity',
  exitSignalTime: 'exit signal',
  exitTime: 'exit time',
  exitReason: 'exit reason',
  exitPrice: 'exit price',
  fees: 'fees',
  pnl: 'P&L',
};

/** One field that differs between the bot's trade and the backtest's. */
export interface FieldDifference {
  readonly field: TradeField;
  readonly bot: number | string | null;
  readonly backtest: number | string | null;
  /** `bot - backtest` when both are numbers, else `null`. */
  readonly delta: number | null;
  readonly cause: ParityCause;
  /** The evidence for the cause, in one line. */
  readonly note: string;
}

/**
 * `missing_in_bot`: the backtest traded and the bot did not; `extra_in_bot`: the reverse;
 * `changed`: both traded, and some fields differ.
 */
export type DifferenceKind = 'missing_in_bot' | 'extra_in_bot' | 'changed';

/** One trade that differs. */
export interface TradeDifference {
  readonly kind: DifferenceKind;
  readonly symbol: SymbolId;
  /** The earlier entry signal time of the two trades (epoch ms). */
  readonly time: number;
  /** The cause of the first field that differs, or of the missing or extra trade. */
  readonly cause: ParityCause;
  readonly note: string;
  /** For `changed`: every field that differs, each with its own cause. Empty otherwise. */
  readonly fields: readonly FieldDifference[];
  readonly bot: ParityTrade | null;
  readonly backtest: ParityTrade | null;
}

/** Where the replayed period's end came from. */
export type PeriodEndSource =
  'flag' | 'last processed candle' | 'bot records' | 'last stored candle';

/** The result of `runParity`. Times are epoch ms; money is in the quote currency. */
export interface ParityReport {
  /** What the records were read from, as the caller named it (the bot's database path). */
  readonly db: string;
  readonly strategy: string;
  readonly symbols: readonly SymbolId[];
  readonly interval: Timeframe;
  readonly startingCash: number;
  readonly feeBps: number;
  readonly slippageBps: number;
  readonly period: {
    /** Open time of the first candle replayed (warm-up included). */
    readonly firstCandle: number;
    /** `--from`: candles before it only warm up; `null` when trading starts with the data. */
    readonly from: number | null;
    /** Open time of the last candle replayed. */
    readonly to: number;
    readonly toSource: PeriodEndSource;
  };
  /** Candles replayed over every symbol, warm-up included. */
  readonly candles: number;
  readonly bot: { readonly orders: number; readonly fills: number; readonly trades: number };
  readonly backtest: { readonly orders: number; readonly fills: number; readonly trades: number };
  /** Trades found on both sides (identical or not). */
  readonly matched: number;
  /** In time order. Empty when the bot and the backtest agree. */
  readonly differences: readonly TradeDifference[];
  /** Differences per cause. */
  readonly causes: Readonly<Record<ParityCause, number>>;
  /** What the comparison noticed about its inputs (ignored orders, another strategy). */
  readonly notes: readonly string[];
}
