/**
 * One backtest from the command line's options: load the candles (and sentiment), run the
 * engine's backtest driver, and turn its result into the report layer's input and metrics.
 */
import { existsSync } from 'node:fs';
import {
  ValidationError,
  type MarketContext,
  type Strategy,
  type SymbolId,
  type Timeframe,
} from '@lumenlink/core';
import {
  loadCandles,
  marketContextFrom,
  openStore,
  readSentimentFile,
  type LumenLinkStore,
} from '@lumenlink/data';
import { runBacktest, type BacktestResult } from '@lumenlink/engine';
import { getStrategyDefinition } from '@lumenlink/strategies';
import type { BacktestCliOptions } from './backtest-options.js';
import { UsageError } from './flags.js';
import {
  computeMetrics,
  formatTime,
  reportInputOf,
  type Metrics,
  type ReportInput,
} from '@lumenlink/analysis';

/** A finished run: the engine's result, the report input made from it, and its metrics. */
export interface BacktestRun {
  readonly result: BacktestResult;
  readonly input: ReportInput;
  readonly metrics: Metrics;
  /** Where the candles came from, in words. */
  readonly source: string;
  readonly interval: Timeframe;
}

/** Hooks of {@link executeBacktest}. */
export interface ExecuteBacktestHooks {
  /** The engine's progress calls: candles processed of the total. */
  readonly onProgress?: (processed: number, total: number) => void;
}

/** A strategy factory for the run, with the instance's warm-up; bad parameters fail here. */
function strategyFactory(
  options: BacktestCliOptions,
  interval: Timeframe,
): { create: (symbol: SymbolId) => Strategy; warmup: number } {
  const definition = getStrategyDefinition(options.strategy);
  const create = (): Strategy => definition.create(options.params, { interval });
  let probe: Strategy;
  try {
    probe = create();
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new UsageError('--param', `${error.message} (with --interval ${interval})`);
    }
    throw error;
  }
  return { create, warmup: probe.warmup };
}

/** Opens `--db` and checks it holds no earlier run or bot state (orders, positions, trading state). */
async function openRunStore(path: string): Promise<LumenLinkStore> {
  const store = await openStore({ path });
  try {
    const [orders, positions, state] = await Promise.all([
      store.orders.listOrders({ limit: 1 }),
      store.portfolio.listPositions(),
      store.runtime.getTradingState(),
    ]);
    if (orders.length > 0 || positions.length > 0 || state !== null) {
      throw new UsageError(
        '--db',
        `${path} already holds ${orders.length > 0 ? 'orders' : positions.length > 0 ? 'positions' : 'a trading state'} (an earlier run, or the bot's database): give a new file, a backtest's orders and positions start from nothing`,
      );
    }
    return store;
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * Runs one backtest.
 *
 * @example
 * ```ts
 * const command = parseBacktestArgs(['--strategy', 'ema_crossover']);
 * if (command.kind === 'run') {
 *   const run = await executeBacktest(command.options);
 *   console.log(run.metrics.totalReturn);
 * }
 * ```
 * @throws {UsageError} for inputs that turn out bad once read (files, symbols, an empty period).
 * @throws {DataIntegrityError} for malformed candles.
 */
export async function executeBacktest(
  options: BacktestCliOptions,
  hooks: ExecuteBacktestHooks = {},
): Promise<BacktestRun> {
  if (options.sentimentFile !== undefined && !existsSync(options.sentimentFile)) {
    throw new UsageError('--sentiment', `${options.sentimentFile}: no such file`);
  }
  let interval: Timeframe | undefined =
    options.source.kind === 'csv' ? options.interval : (options.interval ?? '1h');
  let factory = interval === undefined ? undefined : strategyFactory(options, interval);
  const loaded = await loadCandles({
    source: options.source,
    symbols: options.symbols,
    interval,
    from: options.from,
    to: options.to,
    warmupCandles: Math.max(factory?.warmup ?? 0, options.atrPeriod + 1),
  });
  interval = loaded.interval;
  factory ??= strategyFactory(options, interval);

  const from = options.from ?? Number.NEGATIVE_INFINITY;
  const to = options.to ?? Number.POSITIVE_INFINITY;
  let inPeriod = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const list of loaded.candles.values()) {
    first = Math.min(first, list[0]?.time ?? first);
    last = Math.max(last, list.at(-1)?.time ?? last);
    for (const candle of list) if (candle.time >= from && candle.time <= to) inPeriod++;
  }
  if (inPeriod === 0) {
    const range = Number.isFinite(first)
      ? `${formatTime(first)} → ${formatTime(last)} UTC`
      : 'nothing';
    throw new UsageError(
      options.from === undefined ? '--to' : '--from',
      `no candles between --from and --to; the data covers ${range}`,
    );
  }

  let marketContext: ((time: number) => MarketContext | undefined) | undefined;
  if (options.sentimentFile !== undefined) {
    marketContext = marketContextFrom(await readSentimentFile(options.sentimentFile));
  }

  const store = options.db === undefined ? undefined : await openRunStore(options.db);
  let result: BacktestResult;
  try {
    result = await runBacktest({
      candles: loaded.candles,
      interval,
      strategy: factory.create,
      startingCash: options.startingCash,
      feeBps: options.feeBps,
      slippageBps: options.slippageBps,
      fillMode: options.fillMode,
      risk: options.risk,
      protections: options.protections,
      atrPeriod: options.atrPeriod,
      trailingStopAtrMultiple: options.trailingStopAtrMultiple,
      ...(options.stopLossPct === undefined ? {} : { stopLossPct: options.stopLossPct }),
      ...(options.takeProfitPct === undefined ? {} : { takeProfitPct: options.takeProfitPct }),
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
      closeAtEnd: options.closeAtEnd,
      ...(store === undefined ? {} : { stores: store }),
      ...(marketContext === undefined ? {} : { marketContext }),
      ...(hooks.onProgress === undefined
        ? {}
        : {
            onProgress: hooks.onProgress,
            progressEvery: Math.max(1_000, Math.floor(inPeriod / 200)),
          }),
    });
  } finally {
    await store?.close();
  }

  const input = reportInputOf(result, {
    strategy: options.strategy,
    params: options.params,
    interval,
    candles: loaded.candles,
    feeBps: options.feeBps,
    slippageBps: options.slippageBps,
    fillMode: options.fillMode,
  });
  return { result, input, metrics: computeMetrics(input), source: loaded.description, interval };
}
