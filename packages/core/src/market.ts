import { symbolParts, type SymbolId } from './symbol.js';

/** A market's trading rules: precision and limits, used to round and validate orders. */
export interface MarketInfo {
  readonly symbol: SymbolId;
  readonly base: string;
  readonly quote: string;
  /** Smallest quantity increment (base currency), e.g. 0.00001. */
  readonly amountStep: number;
  /** Smallest price increment (quote currency), e.g. 0.01. */
  readonly priceStep: number;
  readonly minAmount: number;
  readonly maxAmount: number | null;
  /** Minimum order value (quote currency), e.g. 5. */
  readonly minCost: number;
  /** Taker fee as a fraction, when the exchange tells. */
  readonly takerFee: number | null;
  readonly makerFee: number | null;
  readonly active: boolean;
}

/** The latest quote and 24h statistics of a market. */
export interface Ticker {
  readonly symbol: SymbolId;
  readonly time: number;
  readonly last: number;
  readonly bid: number | null;
  readonly ask: number | null;
  /** 24h volume in the base currency. */
  readonly baseVolume24h: number | null;
  /** 24h volume in the quote currency. */
  readonly quoteVolume24h: number | null;
}

/** A price level: [price, quantity]. */
export type BookLevel = readonly [price: number, quantity: number];

/** An order book snapshot, best levels first. */
export interface OrderBook {
  readonly symbol: SymbolId;
  readonly time: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

/** Balances per currency. */
export type Balance = Readonly<
  Record<string, { readonly free: number; readonly used: number; readonly total: number }>
>;

/**
 * Market rules that allow anything sensible: steps of 1e-8, no minimums, no fees known. For
 * sources that know no exchange rules (replay, test fakes); `overrides` set what is known.
 */
export function permissiveMarketInfo(
  symbol: SymbolId,
  overrides: Partial<MarketInfo> = {},
): MarketInfo {
  const { base, quote } = symbolParts(symbol);
  return {
    symbol,
    base,
    quote,
    amountStep: 1e-8,
    priceStep: 1e-8,
    minAmount: 0,
    maxAmount: null,
    minCost: 0,
    takerFee: null,
    makerFee: null,
    active: true,
    ...overrides,
  };
}
