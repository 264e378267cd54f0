import {
  riskCheckNames,
  type MarketInfo,
  type OrderBook,
  type RiskState,
  type Signal,
  type Ticker,
} from '@lumenlink/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { btcPosition, noon } from './__fixtures__/risk-state.js';
import { RiskEngine } from './risk-engine.js';
import { optionalRiskChecks, type RiskEngineOptions } from './risk-options.js';
import { roundDownToStep } from './rounding.js';

const runs = { numRuns: 400 };
const positiveDouble = (min: number, max: number) =>
  fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

const marketArb: fc.Arbitrary<MarketInfo | null> = fc.option(
  fc
    .record({
      amountStep: fc.constantFrom(0, 1e-8, 0.00001, 0.001, 0.1, 1),
      minAmount: fc.constantFrom(0, 1e-8, 0.00001, 0.001, 1),
      minCost: fc.constantFrom(0, 1, 5, 10, 100),
      maxAmount: fc.option(fc.constantFrom(0.5, 10, 1_000_000), { nil: null }),
      takerFee: fc.option(fc.constantFrom(0, 0.001, 0.006), { nil: null }),
    })
    .map((rules): MarketInfo => ({
      symbol: 'BTC-USD',
      base: 'BTC',
      quote: 'USD',
      priceStep: 0.01,
      makerFee: null,
      active: true,
      ...rules,
    })),
  { nil: null },
);

const levels = fc.array(fc.tuple(positiveDouble(0.01, 1e6), positiveDouble(1e-6, 100)), {
  maxLength: 4,
});

const bookArb: fc.Arbitrary<OrderBook | null> = fc.option(
  fc.record({ bids: levels, asks: levels }).map(({ bids, asks }): OrderBook => ({
    symbol: 'BTC-USD',
    time: noon,
    bids: [...bids].sort((a, b) => b[0] - a[0]),
    asks: [...asks].sort((a, b) => a[0] - b[0]),
  })),
  { nil: null },
);

const tickerArb: fc.Arbitrary<Ticker | null> = fc.option(
  fc
    .record({
      bid: fc.option(positiveDouble(0.01, 1e6), { nil: null }),
      ask: fc.option(positiveDouble(0.01, 1e6), { nil: null }),
      quoteVolume24h: fc.option(positiveDouble(0, 1e10), { nil: null }),
    })
    .map((quote): Ticker => ({
      symbol: 'BTC-USD',
      time: noon,
      last: 100,
      baseVolume24h: null,
      ...quote,
    })),
  { nil: null },
);

const stateArb: fc.Arbitrary<RiskState> = fc
  .record({
    tradingState: fc.constantFrom('active', 'reducing', 'halted'),
    mode: fc.constantFrom('paper', 'live'),
    allowLiveTrading: fc.boolean(),
    price: positiveDouble(0.0001, 1e6),
    positionQuantity: fc.option(
      fc.oneof(fc.constant(0), positiveDouble(0, 1e-6), positiveDouble(0, 1e4)),
      { nil: null },
    ),
    openPositions: fc.integer({ min: 0, max: 10 }),
    equity: positiveDouble(-1e4, 1e7),
    cash: positiveDouble(-1e3, 1e7),
    dailyPnl: positiveDouble(-1e4, 1e4),
    lastStopOutAt: fc.option(fc.integer({ min: noon - 1e8, max: noon }), { nil: null }),
    atr: fc.option(positiveDouble(0, 1e5), { nil: null }),
    market: marketArb,
    ticker: tickerArb,
    orderBook: bookArb,
    circuitOpen: fc.boolean(),
  })
  .map(({ positionQuantity, ...facts }): RiskState => ({
    now: noon,
    symbol: 'BTC-USD',
    position: positionQuantity === null ? null : btcPosition(positionQuantity),
    ...facts,
  }));

const signalArb: fc.Arbitrary<Signal> = fc
  .record({
    action: fc.constantFrom('buy', 'sell'),
    confidence: positiveDouble(0, 1),
    portion: fc.option(positiveDouble(1e-6, 1), { nil: undefined }),
    limitPrice: fc.option(positiveDouble(0.0001, 1e6), { nil: undefined }),
  })
  .map(({ portion, limitPrice, ...signal }) => ({
    ...signal,
    reason: 'property',
    ...(portion === undefined ? {} : { portion }),
    ...(limitPrice === undefined ? {} : { limitPrice }),
  }));

const optionsArb: fc.Arbitrary<RiskEngineOptions> = fc.record({
  maxDailyLossUsd: positiveDouble(1, 1e4),
  maxPositionUsd: positiveDouble(1, 1e5),
  maxOpenPositions: fc.integer({ min: 1, max: 5 }),
  cooldownMinutes: fc.integer({ min: 0, max: 120 }),
  sizing: fc.constantFrom('confidence', 'atr'),
  perTradePct: positiveDouble(0.01, 100),
  atrMultiplier: positiveDouble(0.1, 5),
  maxSpreadBps: positiveDouble(0, 200),
  maxSlippageBps: positiveDouble(0, 200),
  minVolume: fc.constantFrom(0, 1_000, 1e9),
  allowLiveTrading: fc.option(fc.boolean(), { nil: null }),
  disabledChecks: fc.subarray([...optionalRiskChecks]),
});

const relative = (limit: number) => limit + Math.abs(limit) * 1e-9 + 1e-12;

describe('RiskEngine properties', () => {
  it('no state or config lets a sell without a position through', () => {
    fc.assert(
      fc.property(optionsArb, stateArb, signalArb, (options, state, signal) => {
        const engine = new RiskEngine(options);
        const step = state.market?.amountStep ?? 0;
        for (const position of [null, btcPosition(0), btcPosition(step * 0.5)]) {
          const verdict = engine.evaluate({ ...signal, action: 'sell' }, { ...state, position });
          expect(verdict.allowed).toBe(false);
          expect(verdict.checks.find((check) => check.name === 'phantom_sell')?.outcome).toBe(
            'fail',
          );
        }
      }),
      runs,
    );
  });

  it('no size exceeds the cap: the room under the max position, the cash, the position held', () => {
    fc.assert(
      fc.property(optionsArb, stateArb, signalArb, (options, state, signal) => {
        const engine = new RiskEngine(options);
        const { limits } = engine;
        const verdict = engine.evaluate(signal, state);
        const price = signal.limitPrice ?? state.price;
        const held = state.position?.quantity ?? 0;
        const value = verdict.quantity * price;
        expect(Number.isFinite(verdict.quantity) && verdict.quantity >= 0).toBe(true);
        if (signal.action === 'sell') {
          expect(verdict.quantity).toBeLessThanOrEqual(held);
          return;
        }
        const cash = Math.max(0, state.cash) / (1 + (state.market?.takerFee ?? 0));
        expect(value).toBeLessThanOrEqual(relative(cash));
        expect(value).toBeLessThanOrEqual(relative(limits.maxPositionUsd));
        if (!limits.disabledChecks.has('position_size')) {
          const room = Math.max(0, limits.maxPositionUsd - held * state.price);
          expect(value).toBeLessThanOrEqual(relative(room));
        }
      }),
      runs,
    );
  });

  it('halted lets nothing through; reducing lets no entry through', () => {
    fc.assert(
      fc.property(optionsArb, stateArb, signalArb, (options, state, signal) => {
        const engine = new RiskEngine(options);
        expect(engine.evaluate(signal, { ...state, tradingState: 'halted' }).allowed).toBe(false);
        const entry = engine.evaluate(
          { ...signal, action: 'buy' },
          { ...state, tradingState: 'reducing' },
        );
        expect(entry.allowed).toBe(false);
      }),
      runs,
    );
  });

  it('every verdict has the 10 checks in order, storable; an allowed one a positive, rounded quantity', () => {
    fc.assert(
      fc.property(optionsArb, stateArb, signalArb, (options, state, signal) => {
        const verdict = new RiskEngine(options).evaluate(signal, state);
        expect(verdict.checks.map((check) => check.name)).toEqual([...riskCheckNames]);
        expect(verdict.allowed).toBe(verdict.checks.every((check) => check.outcome !== 'fail'));
        for (const { value, limit, reason } of verdict.checks) {
          // What the decision store accepts: null, a string or a finite number.
          for (const measure of [value, limit]) {
            expect(
              measure === null || typeof measure === 'string' || Number.isFinite(measure),
            ).toBe(true);
          }
          expect(reason.length).toBeGreaterThan(0);
        }
        if (!verdict.allowed) return;
        expect(verdict.quantity).toBeGreaterThan(0);
        expect(roundDownToStep(verdict.quantity, state.market?.amountStep ?? 0)).toBe(
          verdict.quantity,
        );
        if (signal.action === 'sell') {
          const blocking = verdict.checks.filter((check) => check.outcome === 'fail');
          expect(blocking).toEqual([]);
          expect(state.tradingState).not.toBe('halted');
        } else {
          expect(state.tradingState).toBe('active');
          expect(state.circuitOpen).toBe(false);
        }
      }),
      runs,
    );
  });
});
