import { DataIntegrityError } from './errors.js';

/**
 * One OHLCV candle. `time` is the candle's open time in epoch milliseconds (UTC), as in
 * exchange APIs and the bundled CSV files; prices are in the quote currency, volume in the base.
 */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** The part of a candle that range indicators read. */
export type CandleLike = Pick<Candle, 'high' | 'low' | 'close' | 'volume'>;

/**
 * The first invariant a candle breaks, or `undefined` for a sound candle: finite numbers,
 * non-negative volume, positive prices, `low <= open, close <= high`, integer time.
 */
export function candleProblem(candle: Candle): string | undefined {
  const { time, open, high, low, close, volume } = candle;
  if (!Number.isSafeInteger(time) || time < 0)
    return `time ${String(time)} is not an epoch time in ms`;
  // Field by field, not a loop over pairs: a sound candle allocates nothing.
  if (!(open > 0) || !Number.isFinite(open)) return priceProblem('open', open);
  if (!(high > 0) || !Number.isFinite(high)) return priceProblem('high', high);
  if (!(low > 0) || !Number.isFinite(low)) return priceProblem('low', low);
  if (!(close > 0) || !Number.isFinite(close)) return priceProblem('close', close);
  if (!Number.isFinite(volume) || volume < 0)
    return `volume ${String(volume)} is not a non-negative number`;
  if (low > high) return `low ${low} is above high ${high}`;
  if (open > high || open < low) return `open ${open} is outside low..high ${low}..${high}`;
  if (close > high || close < low) return `close ${close} is outside low..high ${low}..${high}`;
  return undefined;
}

function priceProblem(name: string, value: number): string {
  return `${name} ${String(value)} is not a positive price`;
}

/**
 * Throws when a candle breaks an invariant: trading on bad data is unsafe, so it fails fast.
 *
 * @throws {DataIntegrityError} naming the symbol, the candle time and the broken invariant.
 */
export function assertValidCandle(candle: Candle, symbol = 'candle'): void {
  const problem = candleProblem(candle);
  if (problem !== undefined) {
    throw new DataIntegrityError(`${symbol} candle at ${candle.time}: ${problem}`);
  }
}
