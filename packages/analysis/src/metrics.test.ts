import { describe, expect, it } from 'vitest';
import { ValidationError } from '@lumenlink/core';
import {
  buyAndHold,
  buyAndHoldEquity,
  capitalExposure,
  computeMetrics,
  drawdownSeries,
  periodsPerYearOf,
} from './metrics.js';
import type { SymbolId } from '@lumenlink/core';
import type { EquityPoint, Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from './types.js';

const day = 86_400_000;
/** 2024-01-01T00:00:00Z */
const t0 = Date.UTC(2024, 0, 1);

function equityAt(values: readonly number[]): EquityPoint[] {
  return values.map((equity, index) => ({ time: t0 + index * day, equity, cash: equity }));
}

function candle(index: number, open: number, close: number): ReportCandle {
  return {
    time: t0 + index * day,
    open,
    high: Math.max(open, close),
    low: Math.min(open, close),
    close,
    volume: 1,
  };
}

function trade(
  entryDay: number,
  exitDay: number | null,
  pnl: number,
  fees = 1,
  symbol: SymbolId = 'BTC-USD',
): Trade {
  return {
    symbol,
    side: 'long',
    entrySignalTime: t0 + (entryDay - 1) * day,
    entryTime: t0 + entryDay * day,
    entryPrice: 100,
    exitSignalTime: exitDay === null ? null : t0 + (exitDay - 1) * day,
    exitTime: exitDay === null ? null : t0 + exitDay * day,
    exitPrice: exitDay === null ? null : 100 + pnl,
    quantity: 1,
    fees,
    pnl,
    exitReason: exitDay === null ? null : 'signal',
  };
}

function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'test run',
    strategy: 'ema_crossover',
    params: {},
    interval: '1d',
    from: t0,
    to: t0 + 4 * day,
    startingCash: 1000,
    feeBps: 10,
    slippageBps: 5,
    fillMode: 'next-open',
    candles: {},
    trades: [],
    equity: equityAt([1000, 1100, 990, 1089, 1089]),
    blocked: {},
    ...overrides,
  };
}

describe('computeMetrics: returns and risk', () => {
  // Returns from the starting cash: 1000 → 1000 → 1100 → 990 → 1089 → 1089 = 0, +10%, -10%, +10%, 0.
  const metrics = computeMetrics(reportInput());

  it('reports the total return and net profit from the starting cash to the last equity point', () => {
    expect(metrics.finalEquity).toBe(1089);
    expect(metrics.netProfit).toBe(89);
    expect(metrics.totalReturn).toBeCloseTo(0.089, 12);
  });

  it('annualises Sharpe with the sample stdev and sqrt(365) for daily candles', () => {
    // mean 0.02; squared deviations 0.0004 + 0.0064 + 0.0144 + 0.0064 + 0.0004 = 0.028;
    // sample variance 0.028 / 4 = 0.007; 0.02 / 0.083666 x 19.10497 = 4.56696.
    expect(metrics.periodsPerYear).toBe(365);
    expect(metrics.sharpe).toBeCloseTo(4.5669621, 6);
  });

  it('annualises Sortino with the downside deviation over all periods', () => {
    // downside deviation sqrt(0.1^2 / 5) = 0.0447214; 0.02 / 0.0447214 x 19.10497 = 8.54400.
    expect(metrics.sortino).toBeCloseTo(8.5440037, 6);
  });

  it('measures the max drawdown from the running peak, open until the end', () => {
    // Peak 1100 on day 1, trough 990 on day 2 (-10%), never recovered by day 4.
    expect(metrics.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(metrics.maxDrawdownDurationMs).toBe(3 * day);
  });

  it('compounds CAGR over the calendar period and divides it by the drawdown for Calmar', () => {
    // 4 days at +8.9%: 1.089^(365 / 4) - 1.
    expect(metrics.cagr).toBeCloseTo(2391.1809507, 4);
    expect(metrics.calmar).toBeCloseTo(23911.809507, 3);
  });

  it('gives a CAGR of 10% for +21% over two 365-day years', () => {
    const twoYears = computeMetrics(
      reportInput({ to: t0 + 730 * day, equity: equityAt([1000, 1210]) }),
    );
    expect(twoYears.cagr).toBeCloseTo(0.1, 12);
    expect(twoYears.calmar).toBe(Infinity);
  });

  it('dates the max drawdown from its peak to the recovery of that peak', () => {
    // 1000 (day 0) → 800 (-20%) → 900 → 1000 (recovered on day 3) → 1200 → 1100 (-8.3%).
    const metrics = computeMetrics(
      reportInput({ to: t0 + 5 * day, equity: equityAt([1000, 800, 900, 1000, 1200, 1100]) }),
    );
    expect(metrics.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(metrics.maxDrawdownDurationMs).toBe(3 * day);
  });

  it('counts a drawdown from the starting cash when the first point is already below it', () => {
    const metrics = computeMetrics(reportInput({ equity: equityAt([900, 950, 1000, 1000]) }));
    // Peak 1000 at `from` (= day 0), first point 900: -10%, recovered on day 2.
    expect(metrics.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(metrics.maxDrawdownDurationMs).toBe(2 * day);
  });

  it('gives an infinite Sortino without a losing period and a positive mean', () => {
    const metrics = computeMetrics(reportInput({ equity: equityAt([1000, 1100, 1210]) }));
    expect(metrics.sortino).toBe(Infinity);
    // Returns 0, 0.1, 0.1: mean 0.0667, sample stdev 0.057735: 1.1547 x sqrt(365) = 22.0605.
    expect(metrics.sharpe).toBeCloseTo(22.0605, 3);
  });

  it('returns Sharpe, Sortino, drawdown and Calmar of 0, not NaN, on flat equity', () => {
    const metrics = computeMetrics(reportInput({ equity: equityAt([1000, 1000, 1000, 1000]) }));
    expect(metrics).toMatchObject({
      totalReturn: 0,
      cagr: 0,
      sharpe: 0,
      sortino: 0,
      maxDrawdown: 0,
      maxDrawdownDurationMs: 0,
      calmar: 0,
    });
  });

  it('annualises by the interval: 8,760 hours, 2,190 4h candles, 365/7 weeks', () => {
    expect(periodsPerYearOf('1h')).toBe(8760);
    expect(periodsPerYearOf('4h')).toBe(2190);
    expect(periodsPerYearOf('15m')).toBe(35_040);
    expect(periodsPerYearOf('1w')).toBeCloseTo(52.142857, 6);
    expect(() => periodsPerYearOf('1M')).toThrow(ValidationError);
  });
});

describe('computeMetrics: trades', () => {
  // Equity points on days 0..4. A: days 1-3 (+100), B: days 2-3 (-50, overlaps A),
  // C: entered and exited on day 0 (+30), D: open from day 4 (+20 marked to market).
  const trades = [trade(1, 3, 100, 2), trade(2, 3, -50, 2), trade(0, 0, 30), trade(4, null, 20)];
  const metrics = computeMetrics(reportInput({ trades }));

  it('counts closed and open trades, winners and losers', () => {
    expect(metrics.trades).toEqual({ total: 4, closed: 3, open: 1, wins: 2, losses: 1 });
  });

  it('computes win rate, profit factor and expectancy over closed trades only', () => {
    expect(metrics.winRate).toBeCloseTo(2 / 3, 12);
    // (100 + 30) / 50
    expect(metrics.profitFactor).toBeCloseTo(2.6, 12);
    // (100 - 50 + 30) / 3
    expect(metrics.expectancy).toBeCloseTo(26.666667, 5);
  });

  it('sums the fees of every trade, the open one included', () => {
    expect(metrics.feesPaid).toBe(6);
  });

  it('measures exposure as the share of equity points with a position held at the close', () => {
    // Held on days 1 and 2 (A, B; both exit on day 3's open) and day 4 (D): 3 of 5 points.
    expect(metrics.exposure).toBeCloseTo(0.6, 12);
  });

  it('gives an infinite profit factor without a losing trade', () => {
    const winners = computeMetrics(reportInput({ trades: [trade(1, 2, 10), trade(2, 3, 5)] }));
    expect(winners.profitFactor).toBe(Infinity);
    expect(winners.winRate).toBe(1);
  });

  it('reports all losses as a 0 win rate, 0 profit factor and a negative expectancy', () => {
    const losers = computeMetrics(reportInput({ trades: [trade(1, 2, -10), trade(2, 3, -20)] }));
    expect(losers).toMatchObject({ winRate: 0, profitFactor: 0, expectancy: -15 });
    expect(losers.trades).toEqual({ total: 2, closed: 2, open: 0, wins: 0, losses: 2 });
  });

  it('reports zeros, not NaN, without trades', () => {
    const none = computeMetrics(reportInput());
    expect(none).toMatchObject({
      winRate: 0,
      profitFactor: 0,
      expectancy: 0,
      exposure: 0,
      feesPaid: 0,
      trades: { total: 0, closed: 0, open: 0, wins: 0, losses: 0 },
    });
  });
});

describe('computeMetrics: buy-and-hold and blocked signals', () => {
  const candles = {
    // The day -1 candle is warm-up before `from` and the day 5 one is after `to`: both ignored.
    'BTC-USD': [
      candle(-1, 50, 60),
      candle(0, 100, 110),
      candle(2, 120, 130),
      candle(4, 140, 150),
      candle(5, 150, 400),
    ],
    'ETH-USD': [candle(0, 200, 190), candle(4, 185, 180)],
  };
  const metrics = computeMetrics(
    reportInput({ candles, blocked: { max_open_positions: 3, daily_loss: 2 } }),
  );

  it('buys each symbol at its first open and sells at its last close, paying the fee both ways', () => {
    // BTC 150 / 100 x 0.999^2 - 1; ETH 180 / 200 x 0.999^2 - 1.
    expect(metrics.buyAndHoldBySymbol['BTC-USD']).toBeCloseTo(0.4970015, 10);
    expect(metrics.buyAndHoldBySymbol['ETH-USD']).toBeCloseTo(-0.1017991, 10);
    expect(metrics.buyAndHoldReturn).toBeCloseTo(0.1976012, 10);
  });

  it('is buyAndHold over the same candles, period and fee', () => {
    const hold = buyAndHold({ candles, from: t0, to: t0 + 4 * day, feeBps: 10 });
    expect(hold.total).toBe(metrics.buyAndHoldReturn);
    expect(hold.bySymbol).toEqual(metrics.buyAndHoldBySymbol);
    // Without the fee and from the day -1 candle, it is another figure.
    const earlier = buyAndHold({ candles, from: t0 - day, to: t0 + 4 * day, feeBps: 0 });
    expect(earlier.bySymbol['BTC-USD']).toBeCloseTo(150 / 50 - 1, 12);
  });

  it('totals blocked signals and lists them per check in name order', () => {
    expect(metrics.blocked.total).toBe(5);
    expect(Object.entries(metrics.blocked.byCheck)).toEqual([
      ['daily_loss', 2],
      ['max_open_positions', 3],
    ]);
  });

  it('handles a single-candle run: no Sharpe, no CAGR, buy-and-hold within the candle', () => {
    const one = computeMetrics(
      reportInput({
        to: t0,
        candles: { 'BTC-USD': [candle(0, 100, 102)] },
        equity: equityAt([1010]),
      }),
    );
    expect(one.totalReturn).toBeCloseTo(0.01, 12);
    expect(one).toMatchObject({ cagr: 0, sharpe: 0, maxDrawdown: 0, exposure: 0 });
    expect(one.buyAndHoldReturn).toBeCloseTo(1.02 * 0.999 * 0.999 - 1, 12);
  });

  it('reports the starting cash as final equity and 0 buy-and-hold with no data at all', () => {
    const empty = computeMetrics(reportInput({ equity: [], candles: {} }));
    expect(empty).toMatchObject({
      finalEquity: 1000,
      totalReturn: 0,
      sharpe: 0,
      sortino: 0,
      exposure: 0,
      buyAndHoldReturn: 0,
      buyAndHoldBySymbol: {},
      blocked: { total: 0, byCheck: {} },
    });
  });
});

describe('drawdownSeries and buyAndHoldEquity', () => {
  it('gives the drawdown below the running peak at each point', () => {
    const series = drawdownSeries(1000, equityAt([900, 1200, 900, 1200]));
    expect(series.map((point) => point.drawdown)).toEqual([0.1, 0, 0.25, 0]);
    expect(series[2]?.time).toBe(t0 + 2 * day);
  });

  it('marks the equal-weight basket at the last close at or before each point', () => {
    const input = reportInput({
      candles: {
        'BTC-USD': [candle(0, 100, 110), candle(1, 110, 120), candle(3, 120, 90)],
        'ETH-USD': [candle(1, 50, 55)],
      },
      feeBps: 0,
      equity: equityAt([1000, 1000, 1000, 1000]),
    });
    // 500 buys 5 BTC at 100 and 500 buys 10 ETH at 50 (ETH is still cash on day 0).
    expect(buyAndHoldEquity(input).map((point) => point.equity)).toEqual([
      5 * 110 + 500,
      5 * 120 + 10 * 55,
      5 * 120 + 10 * 55,
      5 * 90 + 10 * 55,
    ]);
  });
});

describe('capitalExposure', () => {
  it('averages each position at cost over the time it was open, against the cash and period', () => {
    // The period is day 0 to the close of day 4 (5 days) with 1000 of cash. Positions of 100:
    // days 1 to 3 (2 days), one from day -1 counted from day 0 (1 day), one open from day 4 (1 day).
    const input = reportInput({ trades: [trade(1, 3, 5), trade(-1, 1, 5), trade(4, null, 5)] });
    expect(capitalExposure(input)).toBeCloseTo((100 * 4) / (1000 * 5), 12);
    const doubled = { ...trade(1, 3, 5), quantity: 2 };
    expect(capitalExposure(reportInput({ trades: [doubled] }))).toBeCloseTo((200 * 2) / 5000, 12);
  });

  it('is 0 without trades, cash or time', () => {
    expect(capitalExposure(reportInput({ trades: [] }))).toBe(0);
    expect(capitalExposure(reportInput({ trades: [trade(1, 3, 5)], startingCash: 0 }))).toBe(0);
    expect(capitalExposure(reportInput({ trades: [trade(1, 3, 5)], to: t0 - day }))).toBe(0);
  });
});
