import {
  candleProblem,
  DataIntegrityError,
  parseTimeframe,
  signalSchema,
  StrategyError,
  ValidationError,
  type Candle,
  type Signal,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import type { z } from 'zod';
import { parametersFromSchema, parseStrategyParams, type StrategyParameter } from './params.js';

/** Options for making a strategy instance. */
export interface CreateStrategyOptions {
  /** The base candle interval the instance is fed (default `1h`, the default `INTERVAL`). */
  readonly interval?: Timeframe;
  /**
   * How the strategy is named in its errors: default its key. A strategy loaded from a file is
   * named with the file (`my_idea (strategies/my-idea.ts)`), so an error says where to look.
   */
  readonly label?: string;
  /**
   * The longest one `onCandle` may take, in milliseconds (default {@link defaultSlowCandleMs}):
   * a slower call is a `StrategyError` naming the candle (a backtest stops with it; the bot alerts
   * and goes on with the other symbols). `Infinity` turns the check off.
   *
   * Candles that arrive one at a time (the bot) are each timed: two clock reads, about 0.15 µs on
   * a VM, nothing beside a minute's wait. Candles fed back to back (a backtest, the demo) would pay
   * that on every candle, as much as a light strategy's whole candle, so after 64 fast
   * back-to-back candles the clock is read once per 64 candles instead; a block slower than the
   * limit switches back to timing each candle. There, a strategy that is slow on every candle is stopped within one block;
   * one slow candle among fast ones is not reported.
   */
  readonly slowCandleMs?: number;
}

/** The default {@link CreateStrategyOptions.slowCandleMs}: one second for one candle. */
export const defaultSlowCandleMs = 1_000;

/**
 * How many fast back-to-back candles switch the slow-candle check to reading the clock once per
 * block of that many candles (see {@link CreateStrategyOptions.slowCandleMs}).
 */
const sampledAfterCandles = 64;

/** The most time between one candle's end and the next one's start that counts as back to back. */
const backToBackMs = 1;

/**
 * The per-candle logic of a strategy, as a definition builds it: the instance's warm-up and its
 * `onCandle`. {@link defineStrategy} wraps it in the guard that every instance gets.
 */
export interface StrategyLogic {
  /** Closed base candles needed before signals are meaningful (covers higher timeframes). */
  readonly warmup: number;
  onCandle(candle: Candle, context: StrategyContext): Signal;
}

/** What {@link defineStrategy} needs: a key, a params schema with defaults, and a builder. */
export interface StrategySpec<Params, ParamsInput = Params> {
  /** The key that `STRATEGY` and `createStrategy` use: lower snake case. */
  readonly key: string;
  /** One or two sentences: what the strategy trades on. */
  readonly description: string;
  /** Validates parameters and fills defaults; an empty object must parse. */
  readonly paramsSchema: z.ZodType<Params, ParamsInput>;
  /**
   * Each parameter documented; used in error messages, the README and by other tools. Default:
   * read from the schema (bounds, choices, and each parameter's `.describe()` text).
   */
  readonly parameters?: readonly StrategyParameter[];
  /** Makes the per-candle logic from validated parameters. May throw a `ValidationError`. */
  build(params: Readonly<Params>, options: { readonly interval: Timeframe }): StrategyLogic;
}

/**
 * A strategy definition as this package makes them: core's {@link StrategyDefinition} plus its
 * documented parameters and defaults. `create` validates its parameters again (JavaScript
 * callers are not held to the types) and returns a guarded instance.
 */
export interface DefinedStrategy<
  Params = unknown,
  ParamsInput = Params,
> extends StrategyDefinition<Params> {
  readonly paramsSchema: z.ZodType<Params, ParamsInput>;
  /** Every parameter with its default and what it accepts, groups flattened (`weights.macd`). */
  readonly parameters: readonly StrategyParameter[];
  /** The parameters used when none are given. */
  readonly defaults: Readonly<Params>;
  /**
   * Validates parameters and fills defaults.
   *
   * @throws {StrategyParamsError} naming the strategy, each bad parameter and what it accepts.
   */
  parseParams(input?: ParamsInput | Readonly<Params>): Params;
  /**
   * Makes a guarded instance for one symbol: every exception from its `onCandle`, every invalid
   * signal and every unsound or out-of-order candle surfaces as a `StrategyError` naming the
   * strategy and the symbol.
   *
   * @throws {StrategyParamsError} for bad parameters; `ValidationError` for a bad interval.
   */
  create(
    params?: ParamsInput | Readonly<Params>,
    options?: CreateStrategyOptions,
  ): Strategy<Params>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

/**
 * Makes a strategy definition whose instances are guarded. Use it for custom strategies too, so
 * they fail the way the built-in ones do.
 *
 * @example
 * ```ts
 * import { hold } from '@lumenlink/core';
 * import { z } from 'zod';
 *
 * const idle = hold('never trades');
 * const noop = defineStrategy({
 *   key: 'noop',
 *   description: 'Never trades.',
 *   paramsSchema: z.strictObject({}),
 *   build: () => ({ warmup: 0, onCandle: () => idle }),
 * });
 * const strategy = noop.create({}, { interval: '1h' });
 * ```
 * @throws {StrategyParamsError} when the schema does not accept empty parameters (every parameter
 * needs a default).
 */
export function defineStrategy<Params, ParamsInput = Params>(
  spec: StrategySpec<Params, ParamsInput>,
): DefinedStrategy<Params, ParamsInput> {
  // Without a parameters table the schema documents itself (bounds, choices, .describe()).
  let parameters: readonly StrategyParameter[] = deepFreeze([...(spec.parameters ?? [])]);
  const parseParams = (input?: unknown): Params =>
    parseStrategyParams(spec.key, spec.paramsSchema, parameters, input);
  const defaults = deepFreeze(parseParams({}));
  if (spec.parameters === undefined) {
    parameters = deepFreeze(parametersFromSchema(spec.paramsSchema, defaults));
  }
  return Object.freeze({
    key: spec.key,
    description: spec.description,
    paramsSchema: spec.paramsSchema,
    parameters,
    defaults,
    parseParams,
    create(params?: unknown, options: CreateStrategyOptions = {}): Strategy<Params> {
      const parsed = deepFreeze(parseParams(params));
      const interval = parseTimeframe(options.interval ?? '1h');
      const slowCandleMs = options.slowCandleMs ?? defaultSlowCandleMs;
      if (!(slowCandleMs > 0)) {
        throw new ValidationError(
          `slowCandleMs must be a number of milliseconds > 0 (or Infinity), got ${String(slowCandleMs)}`,
        );
      }
      return new GuardedStrategy(spec.key, parsed, spec.build(parsed, { interval }), {
        label: options.label ?? spec.key,
        slowCandleMs,
      });
    },
  });
}

/** Whether a candle is sound, without allocating (core's `candleProblem` explains a failure). */
function isSoundCandle(candle: Candle): boolean {
  if (typeof candle !== 'object' || candle === null) return false;
  const { time, open, high, low, close, volume } = candle;
  return (
    Number.isSafeInteger(time) &&
    time >= 0 &&
    open > 0 &&
    high > 0 &&
    low > 0 &&
    close > 0 &&
    Number.isFinite(open) &&
    Number.isFinite(high) &&
    Number.isFinite(low) &&
    Number.isFinite(close) &&
    volume >= 0 &&
    Number.isFinite(volume) &&
    low <= high &&
    open >= low &&
    open <= high &&
    close >= low &&
    close <= high
  );
}

function isPrice(value: unknown): boolean {
  return value === undefined || (typeof value === 'number' && value > 0 && Number.isFinite(value));
}

/** Whether a signal obeys core's `signalSchema`, without allocating on the way. */
function isValidSignal(signal: Signal): boolean {
  if (typeof signal !== 'object' || signal === null) return false;
  const { action, confidence, reason, portion } = signal;
  return (
    (action === 'hold' || action === 'buy' || action === 'sell') &&
    typeof confidence === 'number' &&
    confidence >= 0 &&
    confidence <= 1 &&
    typeof reason === 'string' &&
    reason.length > 0 &&
    (portion === undefined || (typeof portion === 'number' && portion > 0 && portion <= 1)) &&
    isPrice(signal.stopLoss) &&
    isPrice(signal.takeProfit) &&
    isPrice(signal.limitPrice)
  );
}

function describeTime(time: number): string {
  return Number.isSafeInteger(time) && time >= 0 && time < 8.64e15
    ? new Date(time).toISOString()
    : String(time);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The guard around every instance: checks the candle (sound, after the previous one), that the
 * instance serves one symbol, runs the logic, and checks the signal. Any failure is a
 * `StrategyError` naming the strategy, the symbol and the candle time.
 */
class GuardedStrategy<Params> implements Strategy<Params> {
  readonly key: string;
  readonly params: Readonly<Params>;
  readonly warmup: number;
  readonly #logic: StrategyLogic;
  readonly #label: string;
  readonly #slowCandleMs: number;
  #symbol: SymbolId | undefined;
  #lastTime = Number.NEGATIVE_INFINITY;
  /** When the last timed `onCandle` ended (`performance.now()`), or when the current block began. */
  #clock = Number.NEGATIVE_INFINITY;
  /** Consecutive timed candles that came back to back; a block's candles so far once sampling. */
  #streak = 0;
  /** Whether the clock is read once per block (back-to-back candles) instead of per candle. */
  #sampling = false;

  constructor(
    key: string,
    params: Readonly<Params>,
    logic: StrategyLogic,
    guard: { readonly label: string; readonly slowCandleMs: number },
  ) {
    this.key = key;
    this.params = params;
    this.warmup = logic.warmup;
    this.#logic = logic;
    this.#label = guard.label;
    this.#slowCandleMs = guard.slowCandleMs;
  }

  onCandle(candle: Candle, context: StrategyContext): Signal {
    if (!isSoundCandle(candle)) {
      const problem =
        typeof candle === 'object' && candle !== null ? candleProblem(candle) : 'not a candle';
      throw this.#fail(context, candle, `rejected an unsound candle: ${problem}`, {
        cause: new DataIntegrityError(`${context.symbol} candle: ${problem}`),
      });
    }
    if (candle.time <= this.#lastTime) {
      throw this.#fail(
        context,
        candle,
        `rejected a candle that is not after the previous one (${describeTime(this.#lastTime)}): feed each closed candle once, in time order`,
        { cause: new DataIntegrityError(`${context.symbol} candle out of order`) },
      );
    }
    if (this.#symbol === undefined) {
      this.#symbol = context.symbol;
    } else if (context.symbol !== this.#symbol) {
      throw this.#fail(
        context,
        candle,
        `this instance serves ${this.#symbol}; make one instance per symbol`,
      );
    }
    this.#lastTime = candle.time;
    const limit = this.#slowCandleMs;
    const timed = limit !== Number.POSITIVE_INFINITY && !this.#sampling;
    const started = timed ? performance.now() : 0;
    let signal: Signal;
    try {
      signal = this.#logic.onCandle(candle, context);
    } catch (error) {
      throw this.#fail(context, candle, `onCandle threw: ${errorMessage(error)}`, {
        cause: error,
      });
    }
    if (timed) this.#timeCandle(context, candle, started, limit);
    else if (this.#sampling && ++this.#streak === sampledAfterCandles) this.#endBlock(limit);
    if (!isValidSignal(signal)) {
      const checked = signalSchema.safeParse(signal);
      const problem = checked.success
        ? 'not a signal'
        : checked.error.issues
            .map((issue) => `${issue.path.join('.') || 'signal'}: ${issue.message}`)
            .join('; ');
      throw this.#fail(context, candle, `returned an invalid signal (${problem})`);
    }
    return signal;
  }

  /** Checks one timed candle; after enough fast back-to-back ones, starts sampling. */
  #timeCandle(context: StrategyContext, candle: Candle, started: number, limit: number): void {
    const ended = performance.now();
    const took = ended - started;
    if (took > limit) {
      throw this.#fail(
        context,
        candle,
        `onCandle took ${Math.round(took)} ms, over the ${limit} ms allowed for one candle: keep per-candle work O(1) (streaming indicators, no loops over history); code that makes instances can raise the limit with the create option slowCandleMs`,
      );
    }
    this.#streak = started - this.#clock <= backToBackMs ? this.#streak + 1 : 0;
    this.#clock = ended;
    if (this.#streak === sampledAfterCandles) {
      this.#sampling = true;
      this.#streak = 0;
    }
  }

  /** Ends a sampled block: a block slower than the limit goes back to timing each candle. */
  #endBlock(limit: number): void {
    const now = performance.now();
    this.#sampling = now - this.#clock <= limit;
    this.#clock = now;
    this.#streak = 0;
  }

  #fail(
    context: StrategyContext,
    candle: Candle,
    message: string,
    options: { readonly cause?: unknown } = {},
  ): StrategyError {
    const symbol = typeof context === 'object' && context !== null ? context.symbol : 'unknown';
    const time = typeof candle === 'object' && candle !== null ? describeTime(candle.time) : '?';
    return new StrategyError(this.#label, `${symbol} candle at ${time}: ${message}`, options);
  }
}

/**
 * Whether `value` is a strategy definition made by {@link defineStrategy} (from any copy of this
 * package): what a strategy module must export. Checks the shape, not the origin.
 */
export function isDefinedStrategy(value: unknown): value is DefinedStrategy {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof DefinedStrategy, unknown>>;
  const schema = candidate.paramsSchema as { safeParse?: unknown } | null | undefined;
  return (
    typeof candidate.key === 'string' &&
    typeof candidate.description === 'string' &&
    typeof schema === 'object' &&
    schema !== null &&
    typeof schema.safeParse === 'function' &&
    Array.isArray(candidate.parameters) &&
    typeof candidate.parseParams === 'function' &&
    typeof candidate.create === 'function'
  );
}
