/**
 * The `runtime_state` table behind core's {@link RuntimeStateStore} port: JSON values under a
 * kind and a key, checked when written and when read back.
 */
import {
  DataIntegrityError,
  ValidationError,
  tradingStates,
  type Clock,
  type RuntimeStateStore,
  type SymbolId,
  type SymbolPause,
  type PositionAdjustment,
  type Timeframe,
  type TradingState,
  type TradingStateRecord,
  type TrailingStopState,
} from '@lumenlink/core';
import type { Kysely } from 'kysely';
import { checkTimeframe } from './candle-repository.js';
import { Checker } from './checks.js';
import type { Database } from './database.js';
import { guarded } from './store-errors.js';
import { defaultStoreRedactor, redactJsonStrings, type TextRedactor } from './store-redaction.js';

/** The kinds of rows in `runtime_state`. */
const kinds = {
  tradingState: 'trading_state',
  trailingStop: 'trailing_stop',
  lastCandle: 'last_candle',
  symbolPause: 'symbol_pause',
  positionAdjustment: 'position_adjustment',
} as const;
type Kind = (typeof kinds)[keyof typeof kinds];

/** The key of the single trading-state row. */
const tradingStateKey = 'current';

const states = Object.fromEntries(tradingStates.map((state) => [state, true])) as Record<
  TradingState,
  true
>;

function checkTradingState(value: unknown, check: Checker): TradingStateRecord {
  const record = check.record('trading state', value);
  return {
    state: check.oneOf('state', record.state, states),
    reason: check.string('reason', record.reason, true),
    changedBy: check.string('changedBy', record.changedBy),
    changedAt: check.integer('changedAt', record.changedAt),
    until: record.until === null ? null : check.integer('until', record.until),
  };
}

function checkTrailingStop(value: unknown, check: Checker): TrailingStopState {
  const stop = check.record('trailing stop', value);
  return {
    symbol: check.string('symbol', stop.symbol) as SymbolId,
    stopPrice: check.number('stopPrice', stop.stopPrice, { positive: true }),
    highWater: check.number('highWater', stop.highWater, { positive: true }),
    atrMultiple: check.number('atrMultiple', stop.atrMultiple, { min: 0 }),
    updatedAt: check.integer('updatedAt', stop.updatedAt),
  };
}

function checkSymbolPause(value: unknown, check: Checker): SymbolPause {
  const pause = check.record('symbol pause', value);
  const ids = (name: string, list: unknown): string[] => {
    const items = list ?? [];
    if (!Array.isArray(items)) check.fail(`${name} ${JSON.stringify(items)} is not a list`);
    return (items as unknown[]).map((id, index) => check.string(`${name}[${index}]`, id));
  };
  return {
    symbol: check.string('symbol', pause.symbol) as SymbolId,
    reason: check.string('reason', pause.reason, true),
    pausedBy: check.string('pausedBy', pause.pausedBy),
    pausedAt: check.integer('pausedAt', pause.pausedAt),
    resumedAt:
      pause.resumedAt === undefined || pause.resumedAt === null
        ? null
        : check.integer('resumedAt', pause.resumedAt),
    issues: ids('issues', pause.issues),
    acknowledged: ids('acknowledged', pause.acknowledged),
  };
}

function checkPositionAdjustment(value: unknown, check: Checker): PositionAdjustment {
  const adjustment = check.record('position adjustment', value);
  return {
    id: check.string('id', adjustment.id),
    symbol: check.string('symbol', adjustment.symbol) as SymbolId,
    quantity: check.number('quantity', adjustment.quantity, { positive: true }),
    price: check.number('price', adjustment.price, { positive: true }),
    reason: check.string('reason', adjustment.reason, true),
    adjustedBy: check.string('adjustedBy', adjustment.adjustedBy),
    at: check.integer('at', adjustment.at),
    afterTradeId:
      adjustment.afterTradeId === undefined || adjustment.afterTradeId === null
        ? null
        : check.string('afterTradeId', adjustment.afterTradeId),
  };
}

function lastCandleKey(symbol: SymbolId, timeframe: Timeframe): string {
  return `${symbol}|${timeframe}`;
}

/**
 * Runtime state in SQLite: the trading state, trailing stops and last processed candles. Every
 * text inside a stored value (the trading state's reason and who changed it) is redacted before
 * it is written.
 */
export class SqliteRuntimeStateStore implements RuntimeStateStore {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #redact: TextRedactor;

  /** @param redact applied to every text written (default: well-known secret shapes only). */
  constructor(db: Kysely<Database>, clock: Clock, redact: TextRedactor = defaultStoreRedactor) {
    this.#db = db;
    this.#clock = clock;
    this.#redact = redact;
  }

  /**
   * The persisted trading state, or `null` before it was ever set.
   *
   * @throws {DataIntegrityError} when the stored value is not a trading state record.
   * @throws {StorageError} when SQLite fails.
   */
  async getTradingState(): Promise<TradingStateRecord | null> {
    const value = await this.#get('getTradingState', kinds.tradingState, tradingStateKey);
    return value === undefined
      ? null
      : checkTradingState(value, new Checker(DataIntegrityError, 'Stored trading state'));
  }

  /**
   * Persists the trading state with its reason, replacing the previous one.
   *
   * @throws {ValidationError} when the record breaks its type.
   * @throws {StorageError} when SQLite fails.
   */
  async setTradingState(record: TradingStateRecord): Promise<void> {
    const checked = checkTradingState(record, new Checker(ValidationError, 'setTradingState'));
    await this.#put('setTradingState', kinds.tradingState, tradingStateKey, checked);
  }

  /**
   * Every stored trailing stop, by symbol.
   *
   * @throws {DataIntegrityError} when a stored value is not a trailing stop.
   * @throws {StorageError} when SQLite fails.
   */
  async listTrailingStops(): Promise<TrailingStopState[]> {
    const rows = await guarded('listTrailingStops', () =>
      this.#db
        .selectFrom('runtime_state')
        .select(['key', 'value'])
        .where('kind', '=', kinds.trailingStop)
        .orderBy('key', 'asc')
        .execute(),
    );
    return rows.map((row) => {
      const check = new Checker(DataIntegrityError, `Stored trailing stop ${row.key}`);
      return checkTrailingStop(check.json('value', row.value), check);
    });
  }

  /**
   * Stores the trailing stop of its symbol, replacing the previous one.
   *
   * @throws {ValidationError} when the stop breaks its type.
   * @throws {StorageError} when SQLite fails.
   */
  async saveTrailingStop(stop: TrailingStopState): Promise<void> {
    const checked = checkTrailingStop(stop, new Checker(ValidationError, 'saveTrailingStop'));
    await this.#put(`saveTrailingStop ${stop.symbol}`, kinds.trailingStop, checked.symbol, checked);
  }

  /**
   * Removes the trailing stop of a symbol; removing none is not an error.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async deleteTrailingStop(symbol: SymbolId): Promise<void> {
    await guarded(`deleteTrailingStop ${symbol}`, () =>
      this.#db
        .deleteFrom('runtime_state')
        .where('kind', '=', kinds.trailingStop)
        .where('key', '=', symbol)
        .execute(),
    );
  }

  /**
   * Open time of the last candle the engine processed for a symbol and timeframe, or `null`.
   *
   * @throws {DataIntegrityError} when the stored value is not an epoch time.
   * @throws {StorageError} when SQLite fails.
   */
  async getLastProcessedCandle(symbol: SymbolId, timeframe: Timeframe): Promise<number | null> {
    checkTimeframe(timeframe);
    const key = lastCandleKey(symbol, timeframe);
    const value = await this.#get(`getLastProcessedCandle ${key}`, kinds.lastCandle, key);
    return value === undefined
      ? null
      : new Checker(DataIntegrityError, `Stored last candle ${key}`).integer('time', value);
  }

  /**
   * Records the open time of the last processed candle for a symbol and timeframe.
   *
   * @throws {ValidationError} when `time` is not an epoch time in ms.
   * @throws {StorageError} when SQLite fails.
   */
  async setLastProcessedCandle(
    symbol: SymbolId,
    timeframe: Timeframe,
    time: number,
  ): Promise<void> {
    checkTimeframe(timeframe);
    const key = lastCandleKey(symbol, timeframe);
    const checked = new Checker(ValidationError, `setLastProcessedCandle ${key}`).integer(
      'time',
      time,
    );
    await this.#put(`setLastProcessedCandle ${key}`, kinds.lastCandle, key, checked);
  }

  /**
   * Every symbol paused alone, by symbol.
   *
   * @throws {DataIntegrityError} when a stored value is not a symbol pause.
   * @throws {StorageError} when SQLite fails.
   */
  async listSymbolPauses(): Promise<SymbolPause[]> {
    const rows = await guarded('listSymbolPauses', () =>
      this.#db
        .selectFrom('runtime_state')
        .select(['key', 'value'])
        .where('kind', '=', kinds.symbolPause)
        .orderBy('key', 'asc')
        .execute(),
    );
    return rows.map((row) => {
      const check = new Checker(DataIntegrityError, `Stored symbol pause ${row.key}`);
      return checkSymbolPause(check.json('value', row.value), check);
    });
  }

  /**
   * Pauses a symbol, replacing its previous pause.
   *
   * @throws {ValidationError} when the pause breaks its type.
   * @throws {StorageError} when SQLite fails.
   */
  async setSymbolPause(pause: SymbolPause): Promise<void> {
    const checked = checkSymbolPause(pause, new Checker(ValidationError, 'setSymbolPause'));
    await this.#put(`setSymbolPause ${pause.symbol}`, kinds.symbolPause, checked.symbol, checked);
  }

  /**
   * Lifts a symbol's pause; lifting none is not an error.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async deleteSymbolPause(symbol: SymbolId): Promise<void> {
    await guarded(`deleteSymbolPause ${symbol}`, () =>
      this.#db
        .deleteFrom('runtime_state')
        .where('kind', '=', kinds.symbolPause)
        .where('key', '=', symbol)
        .execute(),
    );
  }

  /**
   * Every position write-off, oldest first.
   *
   * @throws {DataIntegrityError} when a stored value is not a position adjustment.
   * @throws {StorageError} when SQLite fails.
   */
  async listPositionAdjustments(): Promise<PositionAdjustment[]> {
    const rows = await guarded('listPositionAdjustments', () =>
      this.#db
        .selectFrom('runtime_state')
        .select(['key', 'value'])
        .where('kind', '=', kinds.positionAdjustment)
        .execute(),
    );
    return rows
      .map((row) => {
        const check = new Checker(DataIntegrityError, `Stored position adjustment ${row.key}`);
        return checkPositionAdjustment(check.json('value', row.value), check);
      })
      .sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }

  /**
   * Stores a position write-off under its id.
   *
   * @throws {ValidationError} when the adjustment breaks its type.
   * @throws {StorageError} when SQLite fails.
   */
  async savePositionAdjustment(adjustment: PositionAdjustment): Promise<void> {
    const checked = checkPositionAdjustment(
      adjustment,
      new Checker(ValidationError, 'savePositionAdjustment'),
    );
    await this.#put(
      `savePositionAdjustment ${checked.id}`,
      kinds.positionAdjustment,
      checked.id,
      checked,
    );
  }

  /** The parsed JSON value under (kind, key), or `undefined` when there is none. */
  async #get(context: string, kind: Kind, key: string): Promise<unknown> {
    const row = await guarded(context, () =>
      this.#db
        .selectFrom('runtime_state')
        .select('value')
        .where('kind', '=', kind)
        .where('key', '=', key)
        .executeTakeFirst(),
    );
    return row === undefined
      ? undefined
      : new Checker(DataIntegrityError, `Stored ${kind} ${key}`).json('value', row.value);
  }

  /** Upserts a JSON value under (kind, key), every text in it redacted. */
  async #put(context: string, kind: Kind, key: string, value: unknown): Promise<void> {
    const json = JSON.stringify(redactJsonStrings(value, this.#redact));
    const updatedAt = this.#clock.now();
    await guarded(context, () =>
      this.#db
        .insertInto('runtime_state')
        .values({ kind, key, value: json, updated_at: updatedAt })
        .onConflict((conflict) =>
          conflict.columns(['kind', 'key']).doUpdateSet({ value: json, updated_at: updatedAt }),
        )
        .execute(),
    );
  }
}
