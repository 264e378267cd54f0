import { describe, expect, it } from 'vitest';
import { computeMetrics } from './metrics.js';
import { formatSummary } from './summary.js';
import type { Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from './types.js';

const day = 86_400_000;
const t0 = Date.UTC(2024, 0, 1);

function candle(index: number, open: number, close: number): ReportCandle {
  return { time: t0 + index * day, open, high: close, low: open, close, volume: 1 };
}

function trade(entryDay: number, exitDay: number, pnl: number, fees: number): Trade {
  return {
    symbol: 'BTC-USD',
    side: 'long',
    entrySignalTime: t0 + (entryDay - 1) * day,
    entryTime: t0 + entryDay * day,
    entryPrice: 100,
    exitSignalTime: t0 + (exitDay - 1) * day,
    exitTime: t0 + exitDay * day,
    exitPrice: 100 + pnl,
    quantity: 1,
    fees,
    pnl,
    exitReason: 'signal',
  };
}

const input: ReportInput = {
  title: 'ema_crossover on BTC-USD, ETH-USD 1d',
  strategy: 'ema_crossover',
  params: { slow: 21, fast: 9 },
  interval: '1d',
  from: t0,
  to: t0 + 4 * day,
  startingCash: 1000,
  feeBps: 10,
  slippageBps: 5,
  fillMode: 'next-open',
  candles: {
    'BTC-USD': [candle(0, 100, 110), candle(4, 140, 150)],
    'ETH-USD': [candle(0, 200, 190), candle(4, 185, 180)],
  },
  trades: [trade(1, 3, 100, 2), trade(3, 4, -11, 1)],
  equity: [1000, 1100, 990, 1089, 1089].map((equity, index) => ({
    time: t0 + index * day,
    equity,
    cash: equity,
  })),
  blocked: { daily_loss: 2, max_open_positions: 3 },
};

describe('formatSummary', () => {
  const text = formatSummary(input, computeMetrics(input));
  const lines = text.split('\n');
  const line = (label: string): string =>
    lines.find((candidate) => candidate.startsWith(`  ${label}  `)) ?? `(no ${label} line)`;

  it('opens with the title and the run settings', () => {
    expect(lines[0]).toBe('LumenLink backtest: ema_crossover on BTC-USD, ETH-USD 1d');
    expect(line('Strategy')).toMatch(/^ {2}Strategy +ema_crossover$/);
    expect(line('Parameters')).toMatch(/^ {2}Parameters +\{"fast":9,"slow":21\}$/);
    expect(line('Period')).toMatch(/^ {2}Period +2024-01-01 00:00 → 2024-01-05 00:00 UTC {2}4d$/);
    expect(line('Interval')).toMatch(/1d {2}365 periods a year$/);
    expect(line('Symbols')).toMatch(/ BTC-USD, ETH-USD$/);
    expect(line('Starting cash')).toMatch(/ 1,000\.00$/);
    expect(line('Fee')).toMatch(/ 10 bps {2}per side$/);
    expect(line('Slippage')).toMatch(/ 5 bps {2}per market fill$/);
    expect(line('Fills')).toMatch(/ next candle's open {2}next-open$/);
  });

  it('shows the metrics with their hand-computed values', () => {
    expect(line('Total return')).toMatch(
      / \+8\.90% {2}net profit \+89\.00, final equity 1,089\.00$/,
    );
    // BTC 150/100 and ETH 180/200, each x 0.999^2: (49.70% - 10.18%) / 2.
    expect(line('Buy and hold')).toMatch(/ \+19\.76% {2}equal weight/);
    expect(line('Sharpe')).toMatch(/ 4\.57 {2}annualised, risk-free 0$/);
    expect(line('Sortino')).toMatch(/ 8\.54 {2}annualised, target 0$/);
    expect(line('Max drawdown')).toMatch(/ -10\.00% {2}3d from peak to recovery or end$/);
    // Held on days 1, 2 and 3 of the points on days 0..4.
    expect(line('Exposure')).toMatch(/ 60\.00% {2}time in a position$/);
  });

  it('shows the trade statistics', () => {
    expect(line('Trades')).toMatch(/ 2 {2}2 closed, 0 open$/);
    expect(line('Win rate')).toMatch(/ 50\.00% {2}1 won, 1 lost$/);
    // 100 / 11
    expect(line('Profit factor')).toMatch(/ 9\.09 {2}gross profit \/ gross loss$/);
    // (100 - 11) / 2
    expect(line('Expectancy')).toMatch(/ \+44\.50 {2}net pnl per closed trade$/);
    expect(line('Fees paid')).toMatch(/ 3\.00$/);
  });

  it('lists buy-and-hold per symbol and the blocked signals per check, most first', () => {
    expect(line('BTC-USD')).toMatch(/ \+49\.70%$/);
    expect(line('ETH-USD')).toMatch(/ -10\.18%$/);
    const blocked = lines.slice(lines.indexOf('Signals blocked by risk') + 1);
    expect(blocked[0]).toMatch(/^ {2}max_open_positions +3$/);
    expect(blocked[1]).toMatch(/^ {2}daily_loss +2$/);
    expect(blocked[2]).toMatch(/^ {2}Total +5$/);
  });

  it('right-aligns every value of the metric sections in one column', () => {
    const ends = [
      ['Total return', '+8.90%'],
      ['Sharpe', '4.57'],
      ['Trades', '2'],
      ['Fees paid', '3.00'],
      ['max_open_positions', '3'],
      ['Total', '5'],
    ].map(([label = '', value = '']) => line(label).indexOf(` ${value}`) + value.length + 1);
    expect(new Set(ends).size).toBe(1);
  });

  it('prints no escape codes without colour, and green gains and red losses with it', () => {
    const escape = '\u001b';
    expect(text).not.toContain(escape);
    const colored = formatSummary(input, computeMetrics(input), { color: true });
    const coloredLine = (label: string): string =>
      colored.split('\n').find((candidate) => candidate.startsWith(`  ${label}  `)) ?? '';
    expect(colored).toContain(`${escape}[1mPerformance${escape}[0m`);
    expect(coloredLine('Total return')).toMatch(/\[32m +\+8\.90%.\[0m {2}.\[2mnet profit/);
    expect(coloredLine('Max drawdown')).toMatch(/\[31m +-10\.00%.\[0m/);
    // A value without a tone stays plain; only its note is dimmed.
    expect(coloredLine('Calmar').split(escape)[0]).toMatch(/^ {2}Calmar +23,911\.81 {2}$/);
    // Without the escape codes, the coloured summary is the plain one.
    const stripped = colored
      .split(escape)
      .map((part, index) => (index === 0 ? part : part.replace(/^\[[0-9;]*m/, '')))
      .join('');
    expect(stripped).toBe(text);
  });

  it('says none when risk blocked nothing, and shows infinite ratios as ∞', () => {
    const clean = { ...input, trades: [trade(1, 3, 100, 2)], blocked: {} };
    const summary = formatSummary(clean, computeMetrics(clean)).split('\n');
    expect(summary.at(-2)).toBe('  none');
    expect(summary.find((row) => row.startsWith('  Profit factor'))).toMatch(
      / ∞ {2}no losing trade$/,
    );
  });
});
