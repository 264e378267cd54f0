import type { SymbolId } from '@lumenlink/core';
import type { EquityPoint, ExitReason, Trade } from '@lumenlink/engine';
import type { ReportCandle, ReportInput } from '../src/types.js';

const hourMs = 3_600_000;
/** 2024-01-01T00:00:00Z */
export const sampleStart = Date.UTC(2024, 0, 1);

interface PlannedTrade {
  readonly symbol: SymbolId;
  /** Index of the candle whose close signals the entry; it fills at the next open. */
  readonly entrySignal: number;
  /** Index of the candle that signals the exit, or `null` to stay open at the end. */
  readonly exitSignal: number | null;
  readonly exitReason: ExitReason;
}

/** Base price per symbol of the synthetic data. */
const basePrice: Record<string, number> = { 'BTC-USD': 42_000, 'ETH-USD': 2_300, 'SOL-USD': 95 };

/**
 * A deterministic synthetic run: hourly candles of smooth waves per symbol, a few trades filled
 * at the next candle's open with slippage and fees, and the equity those trades produce, so
 * the numbers in a report made from it are consistent with each other.
 */
export function sampleReportInput(
  options: { readonly symbols?: readonly SymbolId[]; readonly candleCount?: number } = {},
): ReportInput {
  const symbols = options.symbols ?? ['BTC-USD', 'ETH-USD'];
  const count = options.candleCount ?? 300;
  const feeBps = 10;
  const slippageBps = 5;
  const fee = feeBps / 10_000;
  const slip = slippageBps / 10_000;
  const candles: Record<string, ReportCandle[]> = {};
  for (const [offset, symbol] of symbols.entries()) {
    candles[symbol] = syntheticCandles(basePrice[symbol] ?? 100, count, offset);
  }
  const first: SymbolId = symbols[0] ?? 'BTC-USD';
  const second = symbols[1] ?? first;
  const planned: PlannedTrade[] = (
    [
      { symbol: first, entrySignal: 20, exitSignal: 60, exitReason: 'signal' },
      { symbol: second, entrySignal: 50, exitSignal: 90, exitReason: 'take_profit' },
      { symbol: first, entrySignal: 100, exitSignal: 130, exitReason: 'stop' },
      { symbol: second, entrySignal: 150, exitSignal: 200, exitReason: 'trailing_stop' },
      { symbol: first, entrySignal: count - 50, exitSignal: null, exitReason: 'end' },
    ] satisfies PlannedTrade[]
  ).filter((plan) => plan.entrySignal + 1 < count && (plan.exitSignal ?? 0) + 1 < count);

  const startingCash = 10_000;
  const notional = 2_000;
  let cash = startingCash;
  const held = new Map<PlannedTrade, { quantity: number; price: number; fee: number }>();
  const trades = new Map<PlannedTrade, Trade>();
  const equity: EquityPoint[] = [];
  for (let index = 0; index < count; index++) {
    for (const plan of planned) {
      const series = candles[plan.symbol] ?? [];
      const candle = series[index];
      if (candle === undefined) continue;
      if (plan.entrySignal + 1 === index) {
        const price = candle.open * (1 + slip);
        const quantity = notional / price;
        const entryFee = notional * fee;
        cash -= notional + entryFee;
        held.set(plan, { quantity, price, fee: entryFee });
      }
      const position = held.get(plan);
      if (plan.exitSignal !== null && plan.exitSignal + 1 === index && position !== undefined) {
        const price = candle.open * (1 - slip);
        const exitFee = position.quantity * price * fee;
        cash += position.quantity * price - exitFee;
        held.delete(plan);
        trades.set(plan, {
          symbol: plan.symbol,
          side: 'long',
          entrySignalTime: timeOf(plan.entrySignal),
          entryTime: timeOf(plan.entrySignal + 1),
          entryPrice: position.price,
          exitSignalTime: timeOf(plan.exitSignal),
          exitTime: candle.time,
          exitPrice: price,
          quantity: position.quantity,
          fees: position.fee + exitFee,
          pnl: position.quantity * (price - position.price) - position.fee - exitFee,
          exitReason: plan.exitReason,
        });
      }
    }
    let value = cash;
    for (const [plan, position] of held) {
      value += position.quantity * (candles[plan.symbol]?.[index]?.close ?? position.price);
    }
    equity.push({ time: timeOf(index), equity: value, cash });
  }
  for (const [plan, position] of held) {
    const last = candles[plan.symbol]?.at(-1)?.close ?? position.price;
    trades.set(plan, {
      symbol: plan.symbol,
      side: 'long',
      entrySignalTime: timeOf(plan.entrySignal),
      entryTime: timeOf(plan.entrySignal + 1),
      entryPrice: position.price,
      exitSignalTime: null,
      exitTime: null,
      exitPrice: null,
      quantity: position.quantity,
      fees: position.fee,
      pnl: position.quantity * (last - position.price) - position.fee,
      exitReason: null,
    });
  }

  return {
    title: `ema_crossover on ${symbols.join(', ')} 1h`,
    strategy: 'ema_crossover',
    params: { slow: 21, fast: 9, confirm: true },
    interval: '1h',
    from: sampleStart,
    to: timeOf(count - 1),
    startingCash,
    feeBps,
    slippageBps,
    fillMode: 'next-open',
    candles,
    trades: planned.flatMap((plan) => trades.get(plan) ?? []),
    equity,
    blocked: { max_open_positions: 4, daily_loss: 1 },
  };
}

function timeOf(index: number): number {
  return sampleStart + index * hourMs;
}

function syntheticCandles(base: number, count: number, phase: number): ReportCandle[] {
  const level = (step: number): number =>
    base * (1 + 0.08 * Math.sin(step / 18 + phase) + 0.02 * Math.sin(step / 3.3 + 2 * phase));
  const candles: ReportCandle[] = [];
  for (let index = 0; index < count; index++) {
    const open = level(index);
    const close = level(index + 1);
    const wick = base * 0.004 * (1 + Math.abs(Math.sin(index * 1.7 + phase)));
    candles.push({
      time: timeOf(index),
      open,
      high: Math.max(open, close) + wick,
      low: Math.min(open, close) - wick,
      close,
      volume: 100 + 50 * Math.abs(Math.cos(index / 5 + phase)),
    });
  }
  return candles;
}
