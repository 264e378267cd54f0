/**
 * Builders of risk states, signals and markets for the risk package's tests.
 */
import type {
  MarketInfo,
  OrderBook,
  Position,
  RiskCheckName,
  RiskState,
  RiskVerdict,
  Signal,
  Ticker,
} from '@lumenlink/core';

/** 2024-01-01 12:00 UTC. */
export const noon = Date.UTC(2024, 0, 1, 12);
/** One minute in ms. */
export const minute = 60_000;

/** BTC-USD as Coinbase lists it: 0.00001 BTC steps, 5 USD minimum order, no fee known. */
export const btcMarket: MarketInfo = {
  symbol: 'BTC-USD',
  base: 'BTC',
  quote: 'USD',
  amountStep: 0.00001,
  priceStep: 0.01,
  minAmount: 0.00001,
  maxAmount: null,
  minCost: 5,
  takerFee: null,
  makerFee: null,
  active: true,
};

/** A tight BTC quote around 50,000: 2 bps wide, 50M USD of 24h volume. */
export const btcTicker: Ticker = {
  symbol: 'BTC-USD',
  time: noon,
  last: 50_000,
  bid: 49_995,
  ask: 50_005,
  baseVolume24h: 1_000,
  quoteVolume24h: 50_000_000,
};

/** A deep BTC book: 1 BTC at the best price on each side. */
export const btcBook: OrderBook = {
  symbol: 'BTC-USD',
  time: noon,
  bids: [
    [49_995, 1],
    [49_990, 2],
  ],
  asks: [
    [50_005, 1],
    [50_010, 2],
  ],
};

/** An open BTC position of `quantity` bought at 48,000. */
export function btcPosition(quantity: number, avgEntryPrice = 48_000): Position {
  return {
    symbol: 'BTC-USD',
    state: 'managing',
    quantity,
    avgEntryPrice,
    realizedPnl: 0,
    fees: 0,
    openedAt: noon - 60 * minute,
    updatedAt: noon - 60 * minute,
  };
}

/** A paper, active BTC-USD state at 50,000 with 10,000 USD, no position, ticker and book. */
export function riskState(overrides: Partial<RiskState> = {}): RiskState {
  return {
    now: noon,
    symbol: 'BTC-USD',
    tradingState: 'active',
    mode: 'paper',
    allowLiveTrading: false,
    price: 50_000,
    position: null,
    openPositions: 0,
    equity: 10_000,
    cash: 10_000,
    dailyPnl: 0,
    lastStopOutAt: null,
    atr: 500,
    market: btcMarket,
    ticker: btcTicker,
    orderBook: btcBook,
    circuitOpen: false,
    ...overrides,
  };
}

/** A buy signal. */
export function buy(confidence = 0.8, extra: Partial<Signal> = {}): Signal {
  return { action: 'buy', confidence, reason: 'test entry', ...extra };
}

/** A sell signal. */
export function sell(extra: Partial<Signal> = {}): Signal {
  return { action: 'sell', confidence: 0.7, reason: 'test exit', ...extra };
}

/** The result of one check of a verdict. */
export function checkOf(verdict: RiskVerdict, name: RiskCheckName) {
  const result = verdict.checks.find((check) => check.name === name);
  if (result === undefined) throw new Error(`no ${name} check in the verdict`);
  return result;
}

/** The names of the checks with an outcome. */
export function namesWith(verdict: RiskVerdict, outcome: string): RiskCheckName[] {
  return verdict.checks.filter((check) => check.outcome === outcome).map((check) => check.name);
}
