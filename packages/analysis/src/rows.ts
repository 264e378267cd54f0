import {
  describeFillMode,
  formatDuration,
  formatMoney,
  formatPercent,
  formatRatio,
  formatTime,
} from './format.js';
import { canonicalize } from './json.js';
import type { BacktestMetrics } from './metrics.js';
import type { ReportInput } from './types.js';

/**
 * One labelled line of a report: the terminal summary and the HTML page show the same rows.
 * `tone` marks a value as good (`up`) or bad (`down`) for colouring.
 */
export interface ReportRow {
  readonly label: string;
  readonly value: string;
  readonly note?: string;
  readonly tone?: 'up' | 'down';
}

/** A titled group of rows. */
export interface ReportSection {
  readonly title: string;
  readonly rows: readonly ReportRow[];
}

/** The run's settings: strategy and parameters, period, symbols, cash and costs. */
export function settingRows(input: ReportInput, metrics: BacktestMetrics): ReportRow[] {
  const symbols = Object.keys(input.candles);
  return [
    { label: 'Strategy', value: input.strategy },
    { label: 'Parameters', value: JSON.stringify(canonicalize(input.params)) },
    {
      label: 'Period',
      value: `${formatTime(input.from)} → ${formatTime(input.to)} UTC`,
      note: formatDuration(input.to - input.from),
    },
    {
      label: 'Interval',
      value: input.interval,
      note: `${formatRatio(metrics.periodsPerYear).replace(/\.00$/, '')} periods a year`,
    },
    { label: 'Symbols', value: symbols.length > 0 ? symbols.join(', ') : 'none' },
    { label: 'Starting cash', value: formatMoney(input.startingCash) },
    { label: 'Fee', value: `${input.feeBps} bps`, note: 'per side' },
    { label: 'Slippage', value: `${input.slippageBps} bps`, note: 'per market fill' },
    { label: 'Fills', value: describeFillMode(input.fillMode), note: input.fillMode },
  ];
}

/** The statistics, in two sections: performance and trades. */
export function metricSections(metrics: BacktestMetrics): ReportSection[] {
  const { trades } = metrics;
  const performance: ReportRow[] = [
    {
      label: 'Total return',
      value: formatPercent(metrics.totalReturn, { sign: true }),
      note: `net profit ${formatMoney(metrics.netProfit, { sign: true })}, final equity ${formatMoney(metrics.finalEquity)}`,
      ...tone(metrics.totalReturn),
    },
    {
      label: 'Buy and hold',
      value: formatPercent(metrics.buyAndHoldReturn, { sign: true }),
      note: 'equal weight, first open to last close, fee both ways',
      ...tone(metrics.buyAndHoldReturn),
    },
    {
      label: 'CAGR',
      value: formatPercent(metrics.cagr, { sign: true }),
      note: 'over the calendar period',
      ...tone(metrics.cagr),
    },
    {
      label: 'Sharpe',
      value: formatRatio(metrics.sharpe),
      note: 'annualised, risk-free 0',
      ...tone(metrics.sharpe),
    },
    {
      label: 'Sortino',
      value: formatRatio(metrics.sortino),
      note: 'annualised, target 0',
      ...tone(metrics.sortino),
    },
    {
      label: 'Max drawdown',
      value: formatPercent(-metrics.maxDrawdown),
      note:
        metrics.maxDrawdown > 0
          ? `${formatDuration(metrics.maxDrawdownDurationMs)} from peak to recovery or end`
          : 'none',
      ...tone(-metrics.maxDrawdown),
    },
    { label: 'Calmar', value: formatRatio(metrics.calmar), note: 'CAGR / max drawdown' },
    { label: 'Exposure', value: formatPercent(metrics.exposure), note: 'time in a position' },
  ];
  const tradeRows: ReportRow[] = [
    {
      label: 'Trades',
      value: String(trades.total),
      note: `${trades.closed} closed, ${trades.open} open`,
    },
    {
      label: 'Win rate',
      value: formatPercent(metrics.winRate),
      note: `${trades.wins} won, ${trades.losses} lost`,
    },
    {
      label: 'Profit factor',
      value: formatRatio(metrics.profitFactor),
      note: metrics.profitFactor === Infinity ? 'no losing trade' : 'gross profit / gross loss',
    },
    {
      label: 'Expectancy',
      value: formatMoney(metrics.expectancy, { sign: true }),
      note: 'net pnl per closed trade',
      ...tone(metrics.expectancy),
    },
    { label: 'Fees paid', value: formatMoney(metrics.feesPaid) },
  ];
  const sections: ReportSection[] = [
    { title: 'Performance', rows: performance },
    { title: 'Trades', rows: tradeRows },
  ];
  const bySymbol = Object.entries(metrics.buyAndHoldBySymbol);
  if (bySymbol.length > 1) {
    sections.push({
      title: 'Buy and hold per symbol',
      rows: bySymbol.map(([symbol, value]) => ({
        label: symbol,
        value: formatPercent(value, { sign: true }),
        ...tone(value),
      })),
    });
  }
  return sections;
}

/** Signals blocked per risk check, most first, then the total; empty when none were. */
export function blockedRows(metrics: BacktestMetrics): ReportRow[] {
  const entries = Object.entries(metrics.blocked.byCheck)
    .filter(([, count]) => count > 0)
    .sort(([nameA, countA], [nameB, countB]) => countB - countA || compare(nameA, nameB));
  if (entries.length === 0) return [];
  return [
    ...entries.map(([check, count]) => ({ label: check, value: String(count) })),
    { label: 'Total', value: String(metrics.blocked.total) },
  ];
}

function tone(value: number): { tone?: 'up' | 'down' } {
  if (value > 0) return { tone: 'up' };
  if (value < 0) return { tone: 'down' };
  return {};
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
