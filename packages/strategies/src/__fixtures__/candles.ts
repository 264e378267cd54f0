import { readFileSync } from 'node:fs';
import type {
  Candle,
  MarketContext,
  Position,
  Signal,
  Strategy,
  StrategyContext,
  SymbolId,
} from '@lumenlink/core';

export const hourMs = 3_600_000;
export const dayMs = 24 * hourMs;
/** 2024-01-01 00:00 UTC. */
export const startTime = Date.UTC(2024, 0, 1);

let btc: readonly Candle[] | undefined;

/** The bundled real BTC/USDT 1h candles (see README.md here). */
export function loadBtc1h(): readonly Candle[] {
  if (btc !== undefined) return btc;
  const text = readFileSync(new URL('./binance-btc-usdt-1h-2024.csv', import.meta.url), 'utf8');
  btc = Object.freeze(
    text
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [time, open, high, low, close, volume] = line.split(',').map(Number);
        return Object.freeze({
          time: time!,
          open: open!,
          high: high!,
          low: low!,
          close: close!,
          volume: volume!,
        });
      }),
  );
  return btc;
}

/**
 * Candles from closes: each opens at the previous close, its high and low `spread` (a share)
 * beyond the body, volume `volume`; times `interval` apart from `start`.
 */
export function candlesFromCloses(
  closes: readonly number[],
  options: {
    readonly start?: number;
    readonly interval?: number;
    readonly spread?: number;
    readonly volume?: number;
  } = {},
): Candle[] {
  const start = options.start ?? startTime;
  const interval = options.interval ?? hourMs;
  const spread = options.spread ?? 0.001;
  return closes.map((close, i) => {
    const open = i === 0 ? close : closes[i - 1]!;
    return {
      time: start + i * interval,
      open,
      high: Math.max(open, close) * (1 + spread),
      low: Math.min(open, close) * (1 - spread),
      close,
      volume: options.volume ?? 100,
    };
  });
}

/** `count` closes moving from `from` to `to` in equal steps (excluding `from`). */
export function ramp(from: number, to: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + ((to - from) * (i + 1)) / count);
}

/** A deterministic zig-zag around a trend: for series whose RSI/EMA must move both ways. */
export function wave(count: number, base = 100, amplitude = 5, period = 40): number[] {
  return Array.from(
    { length: count },
    (_, i) => base + amplitude * Math.sin((2 * Math.PI * i) / period) + 0.3 * Math.sin(i * 1.7),
  );
}

/** A position of `quantity` at `avgEntryPrice`. */
export function position(
  quantity: number,
  avgEntryPrice: number,
  symbol: SymbolId = 'BTC-USDT',
): Position {
  return {
    symbol,
    state: 'managing',
    quantity,
    avgEntryPrice,
    realizedPnl: 0,
    fees: 0,
    openedAt: startTime,
    updatedAt: startTime,
  };
}

/** The context of a candle: decision time at its close. */
export function contextFor(
  candle: Candle,
  held: Position | null = null,
  market?: MarketContext,
  symbol: SymbolId = 'BTC-USDT',
  interval = hourMs,
): StrategyContext {
  return {
    symbol,
    time: candle.time + interval,
    position: held,
    ...(market === undefined ? {} : { market }),
  };
}

/** One candle's decision with the position the strategy saw. */
export interface Step {
  readonly index: number;
  readonly candle: Candle;
  readonly signal: Signal;
  readonly position: Position | null;
}

/** The max position in the quote currency of the simulated tracker. */
const maxPositionQuote = 1_000;

/**
 * Runs a strategy over candles with a minimal position tracker, as the engine would: a buy adds
 * `confidence x portion x max position` at the close (volume-weighted entry), a sell removes its
 * `portion` of the position (all of it by default); a sell with no position does nothing.
 */
export function runWithPositions(
  strategy: Strategy,
  candles: readonly Candle[],
  options: {
    readonly symbol?: SymbolId;
    readonly market?: (candle: Candle, index: number) => MarketContext | undefined;
    readonly trackPositions?: boolean;
  } = {},
): Step[] {
  const steps: Step[] = [];
  let held = null as Position | null;
  const track = options.trackPositions ?? true;
  for (let index = 0; index < candles.length; index++) {
    const candle = candles[index]!;
    const market = options.market?.(candle, index);
    const signal = strategy.onCandle(candle, contextFor(candle, held, market, options.symbol));
    steps.push({ index, candle, signal, position: held });
    if (!track) continue;
    if (signal.action === 'buy') {
      const quantity = (signal.confidence * (signal.portion ?? 1) * maxPositionQuote) / candle.close;
      held =
        held === null
          ? position(quantity, candle.close, options.symbol)
          : {
              ...held,
              quantity: held.quantity + quantity,
              avgEntryPrice:
                (held.avgEntryPrice * held.quantity + candle.close * quantity) /
                (held.quantity + quantity),
            };
    } else if (signal.action === 'sell' && held !== null) {
      const rest: number = held.quantity * (1 - (signal.portion ?? 1));
      held = rest > 1e-12 ? { ...held, quantity: rest } : null;
    }
  }
  return steps;
}

/** Indices of the steps with `action`. */
export function indicesOf(steps: readonly Step[], action: Signal['action']): number[] {
  return steps.filter((step) => step.signal.action === action).map((step) => step.index);
}

/** Just the signals of a run without positions. */
export function signalsOf(strategy: Strategy, candles: readonly Candle[]): Signal[] {
  return runWithPositions(strategy, candles, { trackPositions: false }).map((step) => step.signal);
}
