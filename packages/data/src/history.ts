/**
 * History backfill: pages a {@link MarketDataSource} through months of candles for symbols x
 * timeframes into a {@link CandleStore}, resumably, with progress on a terminal or in the log.
 */
import {
  ValidationError,
  candleOpenTime,
  isTimeframe,
  silentLogger,
  timeframeMs,
  type Candle,
  type CandleGap,
  type CandleStore,
  type Clock,
  type Logger,
  type MarketDataSource,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import cliProgress from 'cli-progress';
import {
  emptyRejectionCounts,
  validateCandles,
  type CandleRejectionCounts,
} from './candle-validation.js';
import { defaultCandleLimit } from './market-data-service.js';
import { utcMinute } from './time-text.js';

/** How {@link fetchHistory} shows progress: `auto` is a bar on a TTY and log lines otherwise. */
export type HistoryProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** A stream the progress bar can draw on (a TTY when `isTTY` is true). */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** The default of {@link FetchHistoryOptions.progressEveryPages}. */
export const defaultProgressEveryPages = 10;

/** The default of {@link FetchHistoryOptions.progressEveryMs}. */
export const defaultProgressEveryMs = 10_000;

/** What {@link fetchHistory} needs. */
export interface FetchHistoryOptions {
  readonly source: MarketDataSource;
  readonly store: CandleStore;
  /** Sets the end (the newest closed candle) and paces progress lines. */
  readonly clock: Clock;
  /** Receives progress lines (in `lines` mode), rejected rows and the summary; silent by default. */
  readonly logger?: Logger;
  readonly symbols: readonly SymbolId[];
  readonly timeframes: readonly Timeframe[];
  /** Calendar months back from `clock.now()` (UTC), a positive integer. */
  readonly months: number;
  /** Candles asked for per request (default 300, which every supported exchange serves). */
  readonly pageSize?: number;
  /** Default `auto`. */
  readonly progress?: HistoryProgressMode;
  /** Where the bar is drawn and what `auto` tests for a TTY (default `process.stderr`). */
  readonly stream?: ProgressStream;
  /** In `lines` mode, a line after at most this many requests (default 10) ... */
  readonly progressEveryPages?: number;
  /** ... or once this much clock time passed since the last line (default 10 s). */
  readonly progressEveryMs?: number;
  /** Stops the run between requests, rejecting with the signal's reason; what is stored stays. */
  readonly signal?: AbortSignal;
}

/** What {@link fetchHistory} did for one symbol and timeframe. */
export interface HistoryTaskResult {
  readonly symbol: SymbolId;
  readonly timeframe: Timeframe;
  /** Open time of the first candle of the range (epoch ms). */
  readonly from: number;
  /** Open time of the newest closed candle, the end of the range (epoch ms). */
  readonly to: number;
  /** Candles missing in the range before the run. */
  readonly missingBefore: number;
  /** `fetchCandles` calls made. */
  readonly requests: number;
  /** Valid closed candles received inside the missing runs. */
  readonly fetched: number;
  /** Candles written. */
  readonly stored: number;
  /** Rows rejected by validation, and per reason. */
  readonly rejected: number;
  readonly rejections: CandleRejectionCounts;
  /** Runs of candles still missing in the range: the source does not have them (or sent bad ones). */
  readonly gaps: readonly CandleGap[];
}

/** What {@link fetchHistory} did. */
export interface HistoryResult {
  /** One entry per symbol and timeframe, symbols outer, in the given order. */
  readonly tasks: readonly HistoryTaskResult[];
  /** Candles written, all tasks together. */
  readonly stored: number;
  /** Requests made, all tasks together. */
  readonly requests: number;
}

interface Task {
  readonly symbol: SymbolId;
  readonly timeframe: Timeframe;
  readonly from: number;
  readonly to: number;
  readonly gaps: readonly CandleGap[];
  readonly missing: number;
}

/**
 * Backfills `months` of candles for every symbol and timeframe. It asks the store which candles
 * of the range are missing (`findGaps`), so a second run fetches only what is new and an
 * interrupted run resumes from the last stored candle; each missing run is paged with
 * `fetchCandles({ since, limit: pageSize })` until it is covered or the source returns no new
 * candles. Only closed candles are stored (the range ends at the newest closed candle at
 * `clock.now()`), each row is validated like the {@link MarketDataService} does, and each page is
 * stored before the next is asked for. Progress: a cli-progress bar on a TTY, otherwise an info
 * line (`symbol`, `timeframe`, `fetched`, `percent`) every `progressEveryPages` requests or
 * `progressEveryMs`, whichever comes first.
 *
 * @example
 * ```ts
 * const result = await fetchHistory({ source, store: store.candles, clock: systemClock, logger,
 *   symbols: ['BTC-USD'], timeframes: ['1h', '4h'], months: 6 });
 * ```
 * @throws {ValidationError} for no symbols or timeframes, an invalid timeframe, or a month
 *   count, page size or progress pacing that is not a positive integer.
 * @throws whatever the source or the store throws (the run stops; what was stored stays, and the
 *   next run resumes), or the signal's reason when aborted.
 */
export async function fetchHistory(options: FetchHistoryOptions): Promise<HistoryResult> {
  const { source, store, clock, symbols, timeframes, months, signal } = options;
  const logger = (options.logger ?? silentLogger).child({ module: 'history' });
  if (symbols.length === 0) throw new ValidationError('fetchHistory: symbols is empty');
  if (timeframes.length === 0) throw new ValidationError('fetchHistory: timeframes is empty');
  for (const timeframe of timeframes) {
    if (!isTimeframe(timeframe)) {
      throw new ValidationError(`fetchHistory: invalid timeframe "${String(timeframe)}"`);
    }
  }
  positiveInteger('months', months);
  const pageSize = positiveInteger('pageSize', options.pageSize ?? defaultCandleLimit);
  const everyPages = positiveInteger(
    'progressEveryPages',
    options.progressEveryPages ?? defaultProgressEveryPages,
  );
  const everyMs = positiveInteger(
    'progressEveryMs',
    options.progressEveryMs ?? defaultProgressEveryMs,
  );
  signal?.throwIfAborted();

  const now = clock.now();
  const start = monthsBefore(now, months);
  const tasks: Task[] = [];
  for (const symbol of symbols) {
    for (const timeframe of timeframes) {
      const step = timeframeMs(timeframe);
      const floor = candleOpenTime(start, timeframe);
      const from = floor === start ? start : floor + step;
      const to = candleOpenTime(now, timeframe) - step;
      const gaps = from <= to ? await store.findGaps(symbol, timeframe, from, to) : [];
      const missing = gaps.reduce((sum, gap) => sum + gap.missing, 0);
      tasks.push({ symbol, timeframe, from, to, gaps, missing });
    }
  }
  const total = tasks.reduce((sum, task) => sum + task.missing, 0);
  logger.info('Fetching history', {
    symbols,
    timeframes,
    months,
    from: start,
    missing: total,
  });
  const stream = options.stream ?? process.stderr;
  const mode = options.progress ?? 'auto';
  const progress: Progress =
    mode === 'bar' || (mode === 'auto' && stream.isTTY === true)
      ? new BarProgress(stream, total)
      : mode === 'none'
        ? new Progress()
        : new LineProgress(logger, clock, total, everyPages, everyMs);

  const results: HistoryTaskResult[] = [];
  try {
    for (const task of tasks) {
      results.push(await runTask(task, { source, store, logger, pageSize, progress, signal }));
    }
  } catch (error) {
    progress.stop();
    logger.error('History fetch stopped; run it again to resume from the last stored candle', {
      done: results.length,
      tasks: tasks.length,
      stored: results.reduce((sum, result) => sum + result.stored, 0) + progress.taskStored,
      error,
    });
    throw error;
  }
  progress.stop();
  const result: HistoryResult = {
    tasks: results,
    stored: results.reduce((sum, task) => sum + task.stored, 0),
    requests: results.reduce((sum, task) => sum + task.requests, 0),
  };
  for (const task of results) {
    logger.info('History fetched', {
      symbol: task.symbol,
      timeframe: task.timeframe,
      fetched: task.fetched,
      stored: task.stored,
      rejected: task.rejected,
      missing: task.gaps.reduce((sum, gap) => sum + gap.missing, 0),
    });
  }
  return result;
}

async function runTask(
  task: Task,
  context: {
    readonly source: MarketDataSource;
    readonly store: CandleStore;
    readonly logger: Logger;
    readonly pageSize: number;
    readonly progress: Progress;
    readonly signal: AbortSignal | undefined;
  },
): Promise<HistoryTaskResult> {
  const { source, store, logger, pageSize, progress, signal } = context;
  const { symbol, timeframe } = task;
  const step = timeframeMs(timeframe);
  const rejections = emptyRejectionCounts();
  let requests = 0;
  let fetched = 0;
  let stored = 0;
  progress.beginTask(task);
  for (const gap of task.gaps) {
    let since = gap.from;
    while (since <= gap.to) {
      signal?.throwIfAborted();
      requests++;
      const rows = await source.fetchCandles(symbol, timeframe, { since, limit: pageSize });
      const { valid, rejected } = validateCandles(rows, timeframe, { from: since, to: gap.to });
      for (const row of rejected) rejections[row.reason]++;
      if (rejected.length > 0) {
        logger.warn('Rejected candles from the source; they are not stored', {
          symbol,
          timeframe,
          rejected: rejected.length,
          first: {
            time: rejected[0]?.candle.time,
            reason: rejected[0]?.reason,
            problem: rejected[0]?.problem,
          },
        });
      }
      if (valid.length === 0) break;
      fetched += valid.length;
      const written = await store.saveCandles(symbol, timeframe, valid);
      stored += written;
      const next = (valid[valid.length - 1] as Candle).time + step;
      progress.advance((next - since) / step, valid.length, written);
      since = next;
    }
    if (since <= gap.to) progress.skip((gap.to + step - since) / step);
  }
  const gaps =
    task.from <= task.to ? await store.findGaps(symbol, timeframe, task.from, task.to) : [];
  progress.endTask();
  return {
    symbol,
    timeframe,
    from: task.from,
    to: task.to,
    missingBefore: task.missing,
    requests,
    fetched,
    stored,
    rejected: Object.values(rejections).reduce((sum, count) => sum + count, 0),
    rejections,
    gaps,
  };
}

/** Progress that shows nothing; the base of the other two. Counts are per task, in candles. */
class Progress {
  /** Candles of the current task covered (fetched, or found missing at the source). */
  covered = 0;
  fetched = 0;
  /** Candles written by the current task, for the message of a stopped run. */
  taskStored = 0;
  done = 0;
  task: Task | undefined;

  beginTask(task: Task): void {
    this.task = task;
    this.covered = 0;
    this.fetched = 0;
    this.taskStored = 0;
  }

  /** One page stored: `covered` candles of the range are done. */
  advance(covered: number, fetched: number, stored: number): void {
    this.skip(covered);
    this.fetched += fetched;
    this.taskStored += stored;
  }

  /** `covered` candles the source does not have are done. */
  skip(covered: number): void {
    this.covered += covered;
    this.done += covered;
  }

  endTask(): void {
    this.taskStored = 0;
  }

  stop(): void {}
}

/** A cli-progress bar over every task's missing candles. */
class BarProgress extends Progress {
  readonly #bar: cliProgress.SingleBar;

  constructor(stream: ProgressStream, total: number) {
    super();
    this.#bar = new cliProgress.SingleBar({
      stream,
      format: '{task} [{bar}] {percentage}% | {value}/{total} candles | ETA {eta_formatted}',
      noTTYOutput: stream.isTTY !== true,
      hideCursor: true,
      emptyOnZero: true,
    });
    this.#bar.start(total, 0, { task: '' });
  }

  override beginTask(task: Task): void {
    super.beginTask(task);
    this.#bar.update(this.done, { task: `${task.symbol} ${task.timeframe}` });
  }

  override skip(covered: number): void {
    super.skip(covered);
    this.#bar.update(this.done);
  }

  override stop(): void {
    this.#bar.stop();
  }
}

/** Structured log lines, paced by requests and clock time. */
class LineProgress extends Progress {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #total: number;
  readonly #everyPages: number;
  readonly #everyMs: number;
  #pages = 0;
  #lastLineAt: number;

  constructor(logger: Logger, clock: Clock, total: number, everyPages: number, everyMs: number) {
    super();
    this.#logger = logger;
    this.#clock = clock;
    this.#total = total;
    this.#everyPages = everyPages;
    this.#everyMs = everyMs;
    this.#lastLineAt = clock.now();
  }

  override advance(covered: number, fetched: number, stored: number): void {
    super.advance(covered, fetched, stored);
    this.#pages++;
    const task = this.task;
    if (task === undefined) return;
    const now = this.#clock.now();
    if (this.#pages < this.#everyPages && now - this.#lastLineAt < this.#everyMs) return;
    this.#pages = 0;
    this.#lastLineAt = now;
    this.#logger.info('History progress', {
      symbol: task.symbol,
      timeframe: task.timeframe,
      fetched: this.fetched,
      percent: percent(this.covered, task.missing),
      overallPercent: percent(this.done, this.#total),
    });
  }
}

/** A share in percent with one decimal; 100 when there was nothing to do. */
function percent(part: number, whole: number): number {
  return whole === 0 ? 100 : Math.round((part / whole) * 1000) / 10;
}

/** `time` moved back by whole calendar months in UTC, the day clamped to the target month. */
function monthsBefore(time: number, months: number): number {
  const date = new Date(time);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return Date.UTC(
    year,
    month,
    Math.min(date.getUTCDate(), lastDay),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
    date.getUTCMilliseconds(),
  );
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`fetchHistory: ${name} ${String(value)} is not an integer >= 1`);
  }
  return value;
}

/**
 * The summary of a fetch for a terminal, one line per symbol and timeframe: the period, candles
 * stored and fetched, and what the source is missing.
 *
 * @example
 * ```ts
 * process.stdout.write(formatHistoryResult(await fetchHistory(options), 'data/lumenlink.db'));
 * ```
 */
export function formatHistoryResult(result: HistoryResult, dbPath: string): string {
  const lines = [
    `Stored ${result.stored.toLocaleString('en-US')} candles in ${dbPath} (${result.requests} requests)`,
  ];
  const rows = result.tasks.map((task) => {
    const missing = task.gaps.reduce((sum, gap) => sum + gap.missing, 0);
    return [
      `${task.symbol} ${task.timeframe}`,
      `${utcMinute(task.from)} → ${utcMinute(task.to)} UTC`,
      `${task.stored.toLocaleString('en-US')} stored`,
      `${task.fetched.toLocaleString('en-US')} fetched`,
      missing === 0 ? 'complete' : `${missing.toLocaleString('en-US')} missing at the source`,
      ...(task.rejected > 0 ? [`${task.rejected} rejected`] : []),
    ];
  });
  const widths = rows.reduce<number[]>(
    (max, row) => row.map((cell, index) => Math.max(max[index] ?? 0, cell.length)),
    [],
  );
  for (const row of rows) {
    lines.push(
      `  ${row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ')}`.trimEnd(),
    );
  }
  return `${lines.join('\n')}\n`;
}
