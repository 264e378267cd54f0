import {
  checkInteger,
  fillWarmUp,
  checkPositive,
  outputColumns,
  type StreamingIndicator,
} from './indicator.js';

/** Options of {@link BollingerBands}. */
export interface BollingerBandsOptions {
  /** Values in the window (default 20). */
  readonly period?: number;
  /** Band distance from the middle, in standard deviations (default 2). */
  readonly stdDev?: number;
}

/** One value of {@link BollingerBands}. */
export interface BollingerBandsResult {
  /** The SMA of the window. */
  readonly middle: number;
  /** `middle + stdDev * σ`. */
  readonly upper: number;
  /** `middle - stdDev * σ`. */
  readonly lower: number;
  /** `(upper - lower) / middle`: the band width relative to price (0 for a flat window). */
  readonly bandwidth: number;
  /** `(value - lower) / (upper - lower)`: 0 on the lower band, 1 on the upper; 0.5 when flat. */
  readonly percentB: number;
}

/**
 * Re-sum when the window's spread falls below this share of its sum of squared deviations from
 * the shift, or that sum below this share of the square just evicted: then most of its digits
 * have cancelled, and the rounding of the running sums could show.
 */
const resumBelow = 1e-2;

/**
 * Passes over the window between two periodic exact re-sums: rounding drift grows with the
 * square root of the slides since the last one, so 32 passes (640 slides at period 20) keep the
 * sums within about 1e-14 of their size, at a small share of the cost of re-summing every pass.
 */
const resumPasses = 32;

/** {@link bollingerBands}' output: one column per field of {@link BollingerBandsResult}. */
export type BollingerBandsSeries = { readonly [K in keyof BollingerBandsResult]: Float64Array };

/** The mutable fields behind {@link BollingerBandsResult}: a class, as `ScratchCandle` says why. */
class BollingerBandsValue implements BollingerBandsResult {
  middle = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  bandwidth = Number.NaN;
  percentB = Number.NaN;
}

/**
 * Bollinger Bands: the SMA of the last `period` values, with bands `stdDev` population standard
 * deviations (σ, divided by `period`, as TA-Lib and technicalindicators) above and below. First
 * value after `period` inputs; fields `NaN` before. Amortised O(1) per update: the mean and σ
 * come from a running sum and sum of squares of the window's deviations from a shift kept near
 * its mean; an exact re-sum of the window (which also moves the shift to the mean) once per 32
 * passes over the window, and sooner when an eviction or a tightening window cancels most of the sums'
 * digits, bounds the rounding drift, so a long series at a high price level stays as accurate as
 * the two-pass formula. A window of one repeated value has σ exactly 0: bands equal to the middle,
 * bandwidth 0 and percentB 0.5 (technicalindicators gives `NaN` there).
 *
 * `update` returns one result object, reused and overwritten by every update (copy it to keep it);
 * its fields are `NaN` while warming up.
 *
 * @example
 * ```ts
 * const bands = new BollingerBands({ period: 20, stdDev: 2 });
 * const value = bands.update(close);
 * if (value.percentB > 1) console.log('closed above the upper band');
 * ```
 * @throws {ValidationError} for a period that is not an integer >= 1 or a stdDev that is not > 0.
 */
export class BollingerBands implements StreamingIndicator<number, BollingerBandsResult> {
  readonly period: number;
  readonly stdDev: number;
  readonly #window: Float64Array;
  readonly #inverse: number;
  /** The input being added (see `add`). */
  #input = Number.NaN;
  #next = 0;
  #count = 0;
  /** Passes over the window since the last periodic re-sum. */
  #passes = 0;
  readonly #result = new BollingerBandsValue();
  /**
   * The running sums, in a typed array (unboxed, one memory access each): `[shift, sum, squares,
   * stale]`. The window's values are summed as deviations from `shift`, kept near their mean: `sum`
   * is Σ (value − shift) and `squares` Σ (value − shift)²; `stale` is 1 when an eviction cancelled
   * most of `squares`, so that the next output re-sums first.
   */
  readonly #state = new Float64Array(4);

  constructor(options: BollingerBandsOptions = {}) {
    this.period = checkInteger('BollingerBands', 'period', options.period ?? 20);
    this.stdDev = checkPositive('BollingerBands', 'stdDev', options.stdDev ?? 2);
    this.#window = new Float64Array(this.period);
    this.#inverse = 1 / this.period;
  }

  update(input: number): BollingerBandsResult {
    this.add(input);
    return this.#result;
  }

  add(input: number): void {
    // A double passed to a call V8 does not inline is boxed: park it in a field (stored in place)
    // and step with no argument.
    this.#input = input;
    this.#step();
  }

  /**
   * Adds `column[index]`, as {@link add} does `input`: no number argument to box when the call is
   * not inlined (see `SMA.addFrom`). Used by {@link BollingerSqueeze}.
   */
  addFrom(column: Float64Array, index: number): void {
    this.#input = column[index]!;
    this.#step();
  }

  // The update is split into small methods that V8 inlines into the caller (it inlines nothing
  // larger than 460 bytes of bytecode): one slide of the window, and the outputs.
  #step(): void {
    const slot = this.#next;
    if (this.#count < this.period) this.#fill();
    else this.#slide();
    this.#window[slot] = this.#input;
    if (slot + 1 === this.period) {
      // Once per resumPasses passes over the window: the exact re-sum that bounds the drift.
      this.#next = 0;
      if (++this.#passes === resumPasses) {
        this.#passes = 0;
        resum(this.#window, 0, this.#count, 0, 0, this.#state);
      }
    } else {
      this.#next = slot + 1;
    }
    if (this.#count === this.period) this.#write();
  }

  /** Adds the input while the window fills. */
  #fill(): void {
    const state = this.#state;
    if (this.#count++ === 0) state[0] = this.#input;
    const deviation = this.#input - state[0]!;
    state[1]! += deviation;
    state[2]! += deviation * deviation;
  }

  /** Adds the input in place of the oldest value of a full window. */
  #slide(): void {
    const state = this.#state;
    const shift = state[0]!;
    const deviation = this.#input - shift;
    const evicted = this.#window[this.#next]! - shift;
    const evictedSquare = evicted * evicted;
    state[1]! += deviation - evicted;
    const squares = state[2]! + (deviation * deviation - evictedSquare);
    state[2] = squares;
    if (squares < evictedSquare * resumBelow) state[3] = 1;
  }

  /** Writes the result from the sums. */
  #write(): void {
    const state = this.#state;
    const inverse = this.#inverse;
    let spread = state[2]! - state[1]! * state[1]! * inverse;
    if (state[3] !== 0 || spread < state[2]! * resumBelow) {
      // Most digits of the sums have cancelled: re-sum before their rounding could show.
      resum(this.#window, 0, this.#count, 0, 0, state);
      spread = state[2]! - state[1]! * state[1]! * inverse;
    }
    const middle = state[0]! + state[1]! * inverse;
    const width = this.stdDev * Math.sqrt((spread > 0 ? spread : 0) * inverse);
    const upper = middle + width;
    const lower = middle - width;
    const result = this.#result;
    result.middle = middle;
    result.upper = upper;
    result.lower = lower;
    result.bandwidth = (2 * width) / middle;
    result.percentB = width === 0 ? 0.5 : (this.#input - lower) / (2 * width);
  }

  get value(): BollingerBandsResult {
    return this.#result;
  }

  get isReady(): boolean {
    return this.#count === this.period;
  }

  reset(): void {
    this.#next = 0;
    this.#count = 0;
    this.#passes = 0;
    this.#state.fill(0);
    const result = this.#result;
    result.middle = Number.NaN;
    result.upper = Number.NaN;
    result.lower = Number.NaN;
    result.bandwidth = Number.NaN;
    result.percentB = Number.NaN;
  }
}

/**
 * Re-sums a window exactly, as deviations from its mean: `state` is `[shift, sum, squares, stale]`,
 * read for the old shift and sum and written with the new four (sums of exactly 0 around the value
 * itself for a window of one repeated value). The corrected two-pass algorithm; shared by the class
 * and the batch function so that they agree exactly. The window is read in slot order as up to two
 * runs of `source`: `source[from..to)`, then `source[wrapFrom..wrapTo)`.
 */
function resum(
  source: ArrayLike<number>,
  from: number,
  to: number,
  wrapFrom: number,
  wrapTo: number,
  state: Float64Array,
): void {
  const size = to - from + (wrapTo - wrapFrom);
  const first = source[from]!;
  const shift = state[0]! + state[1]! / size;
  const wrapShift = wrapFrom - to;
  let sum = 0;
  let squares = 0;
  let isFlat = true;
  for (let k = from; k < to + (wrapTo - wrapFrom); k++) {
    const value = source[k < to ? k : k + wrapShift]!;
    if (value !== first) isFlat = false;
    const deviation = value - shift;
    sum += deviation;
    squares += deviation * deviation;
  }
  state[3] = 0;
  if (isFlat) {
    state[0] = first;
    state[1] = 0;
    state[2] = 0;
    return;
  }
  state[0] = shift;
  state[1] = sum;
  state[2] = squares;
}

/**
 * {@link resum} of the streaming class's full window after input `i`, read from `values`: slot k
 * holds `values[i - i % period + k]` for k up to `i % period`, and the input one period before
 * that for the slots after it.
 */
function resumSlots(
  values: ArrayLike<number>,
  i: number,
  period: number,
  state: Float64Array,
): void {
  const base = i - (i % period);
  resum(values, base, i + 1, i + 1 - period, base, state);
}

/**
 * Bollinger Bands of a series; every column `NaN` for the first `period - 1` entries. Agrees
 * exactly with {@link BollingerBands}. Writes into the columns of `out` when given.
 *
 * @example
 * ```ts
 * const { upper, lower, percentB } = bollingerBands(closes, { period: 20, stdDev: 2 });
 * ```
 * @throws {ValidationError} for a bad period or stdDev, or an `out` column of another length.
 */
export function bollingerBands(
  values: ArrayLike<number>,
  options: BollingerBandsOptions = {},
  out?: BollingerBandsSeries,
): BollingerBandsSeries {
  const { period, stdDev } = new BollingerBands(options);
  const n = values.length;
  const result = outputColumns(
    'BollingerBands',
    ['middle', 'upper', 'lower', 'bandwidth', 'percentB'],
    n,
    out,
  );
  const { middle, upper, lower, bandwidth, percentB } = result;
  for (const column of [middle, upper, lower, bandwidth, percentB]) {
    fillWarmUp(column, period - 1);
  }
  bollingerLoop(values, period, stdDev, middle, upper, lower, bandwidth, percentB);
  return result;
}

/**
 * {@link bollingerBands}' loop, on its own: it sees only numbers and the columns, so its type
 * feedback stays the same whatever options objects and outputs the callers pass (mixed ones made
 * V8 drop the optimized loop, at twice the time per value).
 */
function bollingerLoop(
  values: ArrayLike<number>,
  period: number,
  stdDev: number,
  middles: Float64Array,
  uppers: Float64Array,
  lowers: Float64Array,
  bandwidth: Float64Array,
  percentB: Float64Array,
): void {
  const n = values.length;
  // The streaming class's arithmetic, in the same order. Its window slot k holds the latest input
  // whose index is k modulo the period, so the window needs no copy here: the evicted value is
  // values[i - period], and a re-sum reads the slots from `values`.
  // state: [shift, sum, squares, stale (0 or 1), passes since the periodic re-sum, slot of the
  // last input (i modulo the period, counted rather than divided)].
  const state = new Float64Array(6);
  const warm = Math.min(n, period);
  for (let i = 0; i < warm; i++) {
    if (i === 0) state[0] = values[0]!;
    const deviation = values[i]! - state[0]!;
    state[1]! += deviation;
    state[2]! += deviation * deviation;
  }
  state[5] = period - 2;
  // In chunks: a function called many times gets V8's fully optimized code, where one long call
  // runs on code entered mid-loop (on-stack replacement), which was twice as slow here.
  for (let from = period - 1; from < n; from += bollingerChunkLength) {
    const to = Math.min(n, from + bollingerChunkLength);
    bollingerChunk(
      values,
      from,
      to,
      period,
      stdDev,
      state,
      middles,
      uppers,
      lowers,
      bandwidth,
      percentB,
    );
  }
}

/** Inputs per call of {@link bollingerChunk}. */
const bollingerChunkLength = 4_096;

/** {@link bollingerLoop} over inputs `from` to `to`, carrying its running sums in `state`. */
function bollingerChunk(
  values: ArrayLike<number>,
  from: number,
  to: number,
  period: number,
  stdDev: number,
  state: Float64Array,
  middles: Float64Array,
  uppers: Float64Array,
  lowers: Float64Array,
  bandwidth: Float64Array,
  percentB: Float64Array,
): void {
  const inverse = 1 / period;
  let shift = state[0]!;
  let sum = state[1]!;
  let squares = state[2]!;
  let stale = state[3] === 1;
  let passes = state[4]!;
  let slot = state[5]!;
  for (let i = from; i < to; i++) {
    const input = values[i]!;
    slot = slot + 1 === period ? 0 : slot + 1;
    if (i >= period) {
      const deviation = input - shift;
      const evicted = values[i - period]! - shift;
      const evictedSquare = evicted * evicted;
      sum += deviation - evicted;
      squares += deviation * deviation - evictedSquare;
      if (squares < evictedSquare * resumBelow) stale = true;
    }
    if (slot === period - 1 && ++passes === resumPasses) {
      // The window just wrapped for the resumPasses-th time: the periodic re-sum.
      passes = 0;
      state[0] = shift;
      state[1] = sum;
      resumSlots(values, i, period, state);
      shift = state[0]!;
      sum = state[1]!;
      squares = state[2]!;
      stale = false;
    }
    let spread = squares - sum * sum * inverse;
    if (stale || spread < squares * resumBelow) {
      state[0] = shift;
      state[1] = sum;
      resumSlots(values, i, period, state);
      shift = state[0]!;
      sum = state[1]!;
      squares = state[2]!;
      stale = false;
      spread = squares - sum * sum * inverse;
    }
    const middle = shift + sum * inverse;
    const width = stdDev * Math.sqrt((spread > 0 ? spread : 0) * inverse);
    const upper = middle + width;
    const lower = middle - width;
    middles[i] = middle;
    uppers[i] = upper;
    lowers[i] = lower;
    bandwidth[i] = (2 * width) / middle;
    percentB[i] = width === 0 ? 0.5 : (input - lower) / (2 * width);
  }
  state[0] = shift;
  state[1] = sum;
  state[2] = squares;
  state[3] = stale ? 1 : 0;
  state[4] = passes;
  state[5] = slot;
}
