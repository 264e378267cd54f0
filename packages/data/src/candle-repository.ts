/**
 * The `candles` table behind core's {@link CandleStore} port.
 */
import {
  DataIntegrityError,
  ValidationError,
  candleOpenTime,
  candleProblem,
  isTimeframe,
  timeframeMs,
  type Candle,
  type CandleGap,
  type CandleStore,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { guarded } from './store-errors.js';

const candleColumns = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Candles per upsert statement: 100 rows bind 800 parameters, far below SQLite's limit of
 * 32766, and amortise the per-statement cost.
 */
const upsertChunkRows = 100;

/** Renders an epoch-ms time for messages: ISO with the number, or the raw value when invalid. */
function describeTime(time: number): string {
  return Number.isSafeInteger(time) && Math.abs(time) < 8.64e15
    ? `${new Date(time).toISOString()} (${time})`
    : String(time);
}

/**
 * Asserts that a timeframe read from a caller is valid before it becomes part of a key.
 *
 * @throws {ValidationError} unless `timeframe` is a valid timeframe.
 */
export function checkTimeframe(timeframe: string): asserts timeframe is Timeframe {
  if (!isTimeframe(timeframe)) {
    throw new ValidationError(
      `Invalid timeframe "${timeframe}": expected a count and a unit m, h, d or w`,
    );
  }
}

function checkTime(name: string, value: number): void {
  if (!Number.isSafeInteger(value)) {
    throw new ValidationError(`${name} ${String(value)} is not an epoch time in ms`);
  }
}

function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new ValidationError(`limit ${String(limit)} is not a non-negative integer`);
  }
}

/**
 * Candles in SQLite. `saveCandles` validates the whole batch first, then upserts it in chunks of
 * 100 rows through prepared statements (their SQL compiled by kysely, so it stays portable)
 * inside one immediate transaction: all of the batch is stored or none of it. A re-saved candle
 * with the same values is not rewritten and not counted.
 */
export class SqliteCandleStore implements CandleStore {
  readonly #db: Kysely<Database>;
  readonly #sqlite: BetterSqlite3.Database;
  readonly #upserts = new Map<number, BetterSqlite3.Statement<unknown[]>>();

  constructor(db: Kysely<Database>, sqlite: BetterSqlite3.Database) {
    this.#db = db;
    this.#sqlite = sqlite;
  }

  /**
   * Upserts candles in one transaction and returns how many rows were inserted or changed
   * (candles stored before with the same values count 0).
   *
   * @throws {DataIntegrityError} naming the first bad candle (broken OHLCV invariant, or an open
   *   time not aligned to the timeframe); nothing of the batch is stored.
   * @throws {ValidationError} for an invalid timeframe.
   * @throws {StorageError} when SQLite fails; the transaction is rolled back, nothing is stored.
   */
  async saveCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    candles: readonly Candle[],
  ): Promise<number> {
    checkTimeframe(timeframe);
    const context = `saveCandles ${symbol} ${timeframe}`;
    if (candles.length === 0) return 0;
    const duration = timeframeMs(timeframe);
    const anchor = candleOpenTime(0, timeframe);
    for (let index = 0; index < candles.length; index++) {
      const candle = candles[index] as Candle;
      const problem =
        candleProblem(candle) ??
        ((candle.time - anchor) % duration === 0
          ? undefined
          : `time is not the open time of a ${timeframe} candle`);
      if (problem !== undefined) {
        throw new DataIntegrityError(
          `${context}: candle ${index + 1} of ${candles.length} at ${describeTime(candle.time)}: ${problem}; nothing of the batch was stored`,
        );
      }
    }
    return guarded(context, () =>
      this.#db.connection().execute(() => {
        // The connection is ours (kysely's lock), so no kysely transaction is open around this.
        const many = this.#upsertStatement(upsertChunkRows);
        const one = this.#upsertStatement(1);
        const write = this.#sqlite.transaction((rows: readonly Candle[]) => {
          let written = 0;
          let start = 0;
          const values = new Array<unknown>(upsertChunkRows * 8);
          for (; start + upsertChunkRows <= rows.length; start += upsertChunkRows) {
            for (let offset = 0; offset < upsertChunkRows; offset++) {
              const row = rows[start + offset] as Candle;
              const at = offset * 8;
              values[at] = symbol;
              values[at + 1] = timeframe;
              values[at + 2] = row.time;
              values[at + 3] = row.open;
              values[at + 4] = row.high;
              values[at + 5] = row.low;
              values[at + 6] = row.close;
              values[at + 7] = row.volume;
            }
            written += many.run(values).changes;
          }
          for (; start < rows.length; start++) {
            const row = rows[start] as Candle;
            written += one.run(
              symbol,
              timeframe,
              row.time,
              row.open,
              row.high,
              row.low,
              row.close,
              row.volume,
            ).changes;
          }
          return written;
        });
        return Promise.resolve(write.immediate(candles));
      }),
    );
  }

  /**
   * The latest `limit` candles, ascending.
   *
   * @throws {ValidationError} for a bad timeframe or limit.
   * @throws {StorageError} when SQLite fails.
   */
  async getRecentCandles(symbol: SymbolId, timeframe: Timeframe, limit: number): Promise<Candle[]> {
    checkTimeframe(timeframe);
    checkLimit(limit);
    if (limit === 0) return [];
    const rows = await guarded(`getRecentCandles ${symbol} ${timeframe}`, () =>
      this.#db
        .selectFrom('candles')
        .select(candleColumns)
        .where('symbol', '=', symbol)
        .where('interval', '=', timeframe)
        .orderBy('time', 'desc')
        .limit(limit)
        .execute(),
    );
    return rows.reverse();
  }

  /**
   * Candles with open time in [from, to], ascending.
   *
   * @throws {ValidationError} for a bad timeframe or time.
   * @throws {StorageError} when SQLite fails.
   */
  async getCandles(
    symbol: SymbolId,
    timeframe: Timeframe,
    from: number,
    to: number,
  ): Promise<Candle[]> {
    checkTimeframe(timeframe);
    checkTime('from', from);
    checkTime('to', to);
    return guarded(`getCandles ${symbol} ${timeframe}`, () =>
      this.#db
        .selectFrom('candles')
        .select(candleColumns)
        .where('symbol', '=', symbol)
        .where('interval', '=', timeframe)
        .where('time', '>=', from)
        .where('time', '<=', to)
        .orderBy('time', 'asc')
        .execute(),
    );
  }

  /**
   * Runs of missing candles among the aligned open times in [from, to], ascending. Reads the
   * stored open times of the range once, in order, and walks them.
   *
   * @example
   * ```ts
   * await store.candles.findGaps('BTC-USD', '1h', Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2));
   * // [{ from: 1704085200000, to: 1704092400000, missing: 3 }]
   * ```
   * @throws {ValidationError} for a bad timeframe or time.
   * @throws {StorageError} when SQLite fails.
   */
  async findGaps(
    symbol: SymbolId,
    timeframe: Timeframe,
    from: number,
    to: number,
  ): Promise<CandleGap[]> {
    checkTimeframe(timeframe);
    checkTime('from', from);
    checkTime('to', to);
    const step = timeframeMs(timeframe);
    const anchor = candleOpenTime(0, timeframe);
    /** Open time of the candle containing `time`, without re-parsing the timeframe. */
    const openTime = (time: number): number => time - ((((time - anchor) % step) + step) % step);
    const floor = openTime(from);
    const first = floor === from ? from : floor + step;
    const last = openTime(to);
    if (first > last) return [];
    const rows = await guarded(`findGaps ${symbol} ${timeframe}`, () =>
      this.#db
        .selectFrom('candles')
        .select('time')
        .where('symbol', '=', symbol)
        .where('interval', '=', timeframe)
        .where('time', '>=', first)
        .where('time', '<=', last)
        .orderBy('time', 'asc')
        .execute(),
    );
    const gaps: CandleGap[] = [];
    let expected = first;
    for (const { time } of rows) {
      if (time < expected) continue;
      if (time > expected) {
        const missingUntil = openTime(time - 1);
        if (missingUntil >= expected) {
          gaps.push({
            from: expected,
            to: missingUntil,
            missing: (missingUntil - expected) / step + 1,
          });
        }
      }
      expected = openTime(time) + step;
    }
    if (expected <= last) {
      gaps.push({ from: expected, to: last, missing: (last - expected) / step + 1 });
    }
    return gaps;
  }

  /**
   * Open time of the latest stored candle, or `null` when there is none.
   *
   * @throws {StorageError} when SQLite fails.
   */
  async latestCandleTime(symbol: SymbolId, timeframe: Timeframe): Promise<number | null> {
    checkTimeframe(timeframe);
    const row = await guarded(`latestCandleTime ${symbol} ${timeframe}`, () =>
      this.#db
        .selectFrom('candles')
        .select((eb) => eb.fn.max('time').as('time'))
        .where('symbol', '=', symbol)
        .where('interval', '=', timeframe)
        .executeTakeFirst(),
    );
    return row?.time ?? null;
  }

  /**
   * The upsert of `rows` candles, compiled by kysely once (portable SQL) and prepared on the raw
   * handle. A candle re-saved with the same values is not rewritten, so `changes` counts only
   * real changes.
   */
  #upsertStatement(rows: number): BetterSqlite3.Statement<unknown[]> {
    const cached = this.#upserts.get(rows);
    if (cached !== undefined) return cached;
    const sentinel = {
      symbol: '',
      interval: '',
      time: 0,
      open: 1,
      high: 2,
      low: 3,
      close: 4,
      volume: 5,
    };
    const compiled = this.#db
      .insertInto('candles')
      .values(Array.from({ length: rows }, () => sentinel))
      .onConflict((conflict) =>
        conflict
          .columns(['symbol', 'interval', 'time'])
          .doUpdateSet((eb) => ({
            open: eb.ref('excluded.open'),
            high: eb.ref('excluded.high'),
            low: eb.ref('excluded.low'),
            close: eb.ref('excluded.close'),
            volume: eb.ref('excluded.volume'),
          }))
          .where((eb) =>
            eb.or([
              eb('candles.open', '<>', eb.ref('excluded.open')),
              eb('candles.high', '<>', eb.ref('excluded.high')),
              eb('candles.low', '<>', eb.ref('excluded.low')),
              eb('candles.close', '<>', eb.ref('excluded.close')),
              eb('candles.volume', '<>', eb.ref('excluded.volume')),
            ]),
          ),
      )
      .compile();
    // The statement must bind row by row, in column order: symbol, interval, time, open..volume.
    if (compiled.parameters.join() !== Array(rows).fill(',,0,1,2,3,4,5').join()) {
      throw new Error(`Unexpected candle upsert parameters: ${compiled.sql}`);
    }
    const statement = this.#sqlite.prepare<unknown[]>(compiled.sql);
    this.#upserts.set(rows, statement);
    return statement;
  }
}
