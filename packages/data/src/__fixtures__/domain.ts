/**
 * Builders of domain values for the store's tests.
 */
import type {
  AccountSnapshot,
  Candle,
  Decision,
  Fill,
  Order,
  Position,
  RiskVerdict,
} from '@lumenlink/core';

/** The tables of the store (docs/architecture/storage.md), by name. */
export const storeTables = [
  'candles',
  'decisions',
  'equity_snapshots',
  'fills',
  'orders',
  'positions',
  'runs',
  'runtime_state',
];

/** 2024-01-01 00:00 UTC. */
export const t0 = Date.UTC(2024, 0, 1);
/** One hour in ms. */
export const hour = 3_600_000;

/** Hourly candles from `start`, one per hour, with prices rising from `base`. */
export function hourlyCandles(count: number, start = t0, base = 100): Candle[] {
  return Array.from({ length: count }, (_, index) => {
    const open = base + index;
    return {
      time: start + index * hour,
      open,
      high: open + 2,
      low: open - 1,
      close: open + 1,
      volume: 10 + index,
    };
  });
}

/** A pending market entry, overridable field by field. */
export function anOrder(overrides: Partial<Order> = {}): Order {
  return {
    clientOrderId: 'llTEST0001',
    exchangeOrderId: null,
    exchange: 'paper',
    strategy: 'rsi_mean_reversion',
    symbol: 'BTC-USD',
    side: 'buy',
    type: 'market',
    role: 'entry',
    quantity: 0.01,
    limitPrice: null,
    stopPrice: null,
    status: 'pending',
    filledQuantity: 0,
    avgFillPrice: null,
    fee: 0,
    feeCurrency: null,
    reason: 'RSI 24 below 30',
    candleTime: t0,
    attempt: 0,
    createdAt: t0 + hour,
    updatedAt: t0 + hour,
    ...overrides,
  };
}

/** A fill of {@link anOrder}. */
export function aFill(overrides: Partial<Fill> = {}): Fill {
  return {
    tradeId: 'T1',
    clientOrderId: 'llTEST0001',
    exchangeOrderId: 'X1',
    symbol: 'BTC-USD',
    side: 'buy',
    quantity: 0.01,
    price: 42_000.5,
    fee: 0.42,
    feeCurrency: 'USD',
    time: t0 + hour + 1_000,
    ...overrides,
  };
}

/** An open position. */
export function aPosition(overrides: Partial<Position> = {}): Position {
  return {
    symbol: 'BTC-USD',
    state: 'managing',
    quantity: 0.02,
    avgEntryPrice: 41_000.25,
    realizedPnl: -1.5,
    fees: 0.84,
    openedAt: t0 + hour,
    updatedAt: t0 + 2 * hour,
    ...overrides,
  };
}

/** A snapshot holding {@link aPosition}. */
export function aSnapshot(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    at: t0 + 2 * hour,
    cash: 9_180.1,
    equity: 10_020.3,
    positions: [aPosition()],
    realizedPnl: -1.5,
    unrealizedPnl: 21.7,
    dailyPnl: 20.2,
    peakEquity: 10_050,
    lastStopOutAt: { 'ETH-USD': t0 - hour },
    ...overrides,
  };
}

/** A verdict that allowed a buy, with two checks. */
export const allowedVerdict: RiskVerdict = {
  allowed: true,
  quantity: 0.01,
  side: 'buy',
  checks: [
    { name: 'trading_state', outcome: 'pass', value: 'active', limit: null, reason: 'active' },
    { name: 'position_size', outcome: 'pass', value: 420, limit: 500, reason: '420 <= 500 USD' },
  ],
  reason: 'all checks passed',
};

/** A submitted buy decision. */
export function aDecision(overrides: Partial<Decision> = {}): Decision {
  return {
    symbol: 'BTC-USD',
    strategy: 'rsi_mean_reversion',
    candleTime: t0,
    decidedAt: t0 + hour,
    signal: { action: 'buy', confidence: 0.8, reason: 'RSI 24 below 30', stopLoss: 40_000 },
    verdict: allowedVerdict,
    outcome: 'submitted',
    clientOrderId: 'llTEST0001',
    note: 'order submitted',
    ...overrides,
  };
}
