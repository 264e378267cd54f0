import type { OrderBook, OrderSide, Ticker } from '@lumenlink/core';

/** The best bid and ask, and where they came from. */
export interface BestQuote {
  readonly bid: number;
  readonly ask: number;
  readonly source: 'order book' | 'ticker';
}

/** The bid-ask spread in basis points of the mid price. */
export interface SpreadMeasure extends BestQuote {
  readonly bps: number;
}

/** What walking the order book for one order's size gives. */
export interface SlippageEstimate {
  /** The best price on the side the order takes (asks for a buy, bids for a sell). */
  readonly bestPrice: number;
  /** Volume-weighted average price of the walk over the quantity the book holds. */
  readonly averagePrice: number;
  /** How far the average is worse than the best price, in basis points (0 or more). */
  readonly bps: number;
  /** Base quantity the book holds for the walk (at most the order's). */
  readonly filledQuantity: number;
  /** Price levels the walk touched. */
  readonly levels: number;
  /** Whether the book holds the whole order. */
  readonly complete: boolean;
}

function positive(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

/**
 * The best bid and ask: from the order book when it has both sides, else from the ticker;
 * `null` when neither tells both.
 *
 * @example
 * ```ts
 * bestQuote(ticker, null); // { bid: 99.9, ask: 100.1, source: 'ticker' }
 * ```
 */
export function bestQuote(ticker: Ticker | null, book: OrderBook | null): BestQuote | null {
  const bookBid = book?.bids[0]?.[0];
  const bookAsk = book?.asks[0]?.[0];
  if (positive(bookBid) && positive(bookAsk)) {
    return { bid: bookBid, ask: bookAsk, source: 'order book' };
  }
  if (ticker !== null && positive(ticker.bid) && positive(ticker.ask)) {
    return { bid: ticker.bid, ask: ticker.ask, source: 'ticker' };
  }
  return null;
}

/**
 * The spread `(ask - bid) / mid` in basis points, from {@link bestQuote}; `null` without a
 * quote. A crossed quote (bid above ask) gives a negative spread.
 *
 * @example
 * ```ts
 * measureSpread({ ...ticker, bid: 99.9, ask: 100.1 }, null)?.bps; // 20
 * ```
 */
export function measureSpread(ticker: Ticker | null, book: OrderBook | null): SpreadMeasure | null {
  const quote = bestQuote(ticker, book);
  if (quote === null) return null;
  const mid = (quote.bid + quote.ask) / 2;
  return { ...quote, bps: ((quote.ask - quote.bid) / mid) * 10_000 };
}

/**
 * Expected slippage of a market order of `quantity` (base): walks the side of the book the
 * order takes (asks for a buy, bids for a sell), best level first, and compares the
 * volume-weighted average price of the walk with the best price. `null` when that side is
 * empty or the quantity is not positive.
 *
 * @example
 * ```ts
 * // asks 100 x 1, 101 x 1: buying 2 averages 100.5, 50 bps worse than 100
 * estimateSlippage(book, 'buy', 2)?.bps; // 50
 * ```
 */
export function estimateSlippage(
  book: OrderBook,
  side: OrderSide,
  quantity: number,
): SlippageEstimate | null {
  const levels = side === 'buy' ? book.asks : book.bids;
  const best = levels[0]?.[0];
  if (!positive(best) || !(quantity > 0)) return null;
  let remaining = quantity;
  let cost = 0;
  let used = 0;
  for (const [price, size] of levels) {
    if (remaining <= 0) break;
    if (!positive(price) || !positive(size)) continue;
    const take = Math.min(size, remaining);
    cost += take * price;
    remaining -= take;
    used += 1;
  }
  const filledQuantity = quantity - Math.max(0, remaining);
  const averagePrice = filledQuantity > 0 ? cost / filledQuantity : best;
  const worse = side === 'buy' ? averagePrice - best : best - averagePrice;
  return {
    bestPrice: best,
    averagePrice,
    bps: Math.max(0, (worse / best) * 10_000),
    filledQuantity,
    levels: used,
    complete: remaining <= quantity * 1e-12,
  };
}
