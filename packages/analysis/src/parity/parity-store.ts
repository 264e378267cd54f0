/**
 * What the parity report reads from the bot's store: a narrow view of core's store ports, so any
 * store (SQLite through `@lumenlink/data`, memory, another database) can feed it.
 */
import type { CandleStore, OrderStore, RuntimeStateStore, SymbolId } from '@lumenlink/core';

/** A decision as the bot recorded it, with what the attribution rules read. */
export interface RecordedDecision {
  readonly symbol: SymbolId;
  /** The candle decided on (epoch ms), as stored. */
  readonly candleTime: number;
  /** The signal's action (`buy`, `sell`, `hold`). */
  readonly action: string;
  /** How the decision ended (core's `DecisionOutcome`, as stored). */
  readonly outcome: string;
  readonly clientOrderId: string | null;
  readonly note: string;
}

/** Every decision the bot recorded, which core's `DecisionStore` port does not list. */
export interface DecisionLog {
  /** Every recorded decision of `symbols`, in the order they were recorded. */
  listDecisions(symbols: readonly SymbolId[]): Promise<readonly RecordedDecision[]>;
}

/**
 * The bot's records. `@lumenlink/data`'s `LumenLinkStore` is one as it is (`candles`, `orders`,
 * `runtime` and `decisionLog`).
 */
export interface ParityStore {
  readonly candles: Pick<CandleStore, 'getCandles' | 'latestCandleTime'>;
  readonly orders: Pick<OrderStore, 'listOrders' | 'listFills'>;
  readonly runtime: Pick<RuntimeStateStore, 'getLastProcessedCandle'>;
  readonly decisionLog: DecisionLog;
}
