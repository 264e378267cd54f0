/**
 * One backtest from the command line's options: load the candles (and sentiment), run the
 * engine's backtest driver, and turn its result into the report layer's input and metrics.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  computeMetrics,
  reportInputOf,
  type BacktestMetrics,
  type ReportInput,
} from '@lumenlink/analysis';
import { ValidationError, type Strategy, type SymbolId, type Timeframe } from '@lumenlink/core';
import {
  candlePeriod,
  dataProvenanceOf,
  formatGapWarning,
  loadCandles,
  marketContextFrom,
  openEmptyStore,
  readSentimentFile,
  type LoadedCandles,
} from '@lumenlink/data';
import { runBacktest, type BacktestResult } from '@lumenlink/engine';
import { backtestOptionsOf, backtestSettingsOf } from '@lumenlink/optimize';
import type { BacktestCliOptions } from './backtest-options.js';
import type { LoadedStrategyFlags } from './config-flag.js';
import { UsageError } from './flags.js';

/** A finished run: the engine's result, the report input made from it, and its metrics. */
export interface BacktestRun {
  readonly result: BacktestResult;
  readonly input: ReportInput;
  readonly metrics: BacktestMetrics;
  /** Where the candles came from, in words. */
  readonly source: string;
  readonly interval: Timeframe;
}

/** The strategy a run uses: loaded, with its validated parameters. */
export type RunStrategy = Pick<LoadedStrategyFlags, 'loaded' | 'params'>;

/** Hooks of {@link executeBacktest}. */
export interface ExecuteBacktestHooks {
  /** The engine's progress calls: candles processed of the total. */
  readonly onProgress?: (processed: number, total: number) => void;
  /** A warning about the candles, before the run (the gaps run over with --allow-gaps). */
  readonly onWarning?: (text: string) => void;
}

/** A strategy factory for the run, with the instance's warm-up; bad parameters fail here. */
function strategyFactory(
  strategy: RunStrategy,
  interval: Timeframe,
): { create: (symbol: SymbolId) => Strategy; warmup: number } {
  const create = (): Strategy => strategy.loaded.definition.create(strategy.params, { interval });
  let probe: Strategy;
  try {
    probe = create();
  } catch (error) {
    if (ValidationError.isInstance(error)) {
      throw new UsageError('--param', `${error.message} (with --interval ${interval})`);
    }
    throw error;
  }
  return { create, warmup: probe.warmup };
}

/** The run's candles (warm-up included) and its strategy factory, once the interval is known. */
async function loadRun(
  options: BacktestCliOptions,
  strategy: RunStrategy,
): Promise<{ loaded: LoadedCandles; factory: ReturnType<typeof strategyFactory> }> {
  const interval: Timeframe | undefined =
    options.source.kind === 'csv' ? options.interval : (options.interval ?? '1h');
  const early = interval === undefined ? undefined : strategyFactory(strategy, interval);
  const loaded = await loadCandles({
    source: options.source,
    symbols: options.symbols,
    interval,
    from: options.from,
    to: options.to,
    warmupCandles: Math.max(early?.warmup ?? 0, options.atrPeriod + 1),
  });
  return { loaded, factory: early ?? strategyFactory(strategy, loaded.interval) };
}

/**
 * Every setting of `options` that changes results, as `--rerun` reads them back: the candle
 * source, symbols, interval and period asked for, the fill model, risk and stops, and the
 * sentiment file with the SHA-256 of its bytes.
 */
async function runSettingsOf(options: BacktestCliOptions): Promise<Record<string, unknown>> {
  const { source, symbols, interval, from, to, sentimentFile } = options;
  const hash = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
  const sentimentSha256 = sentimentFile && hash(await readFile(sentimentFile));
  const candles = { source, symbols, interval, from, to };
  return { ...candles, ...backtestSettingsOf(options), sentimentFile, sentimentSha256 };
}

/**
 * Runs one backtest.
 *
 * @example
 * ```ts
 * const command = parseBacktestArgs(['--strategy', 'ema_crossover']);
 * if (command.kind === 'run') {
 *   const { loaded, params } = await loadStrategyFlags(command.options, process.cwd());
 *   const run = await executeBacktest(command.options, { loaded, params });
 *   console.log(run.metrics.totalReturn);
 * }
 * ```
 * @throws {UsageError} for inputs that turn out bad once read (files, symbols, an empty period).
 * @throws {DataInputError} for a missing or malformed candle file, or gaps without --allow-gaps.
 */
export async function executeBacktest(
  options: BacktestCliOptions,
  strategy: RunStrategy,
  hooks: ExecuteBacktestHooks = {},
): Promise<BacktestRun> {
  if (options.sentimentFile !== undefined && !existsSync(options.sentimentFile)) {
    throw new UsageError('--sentiment', `${options.sentimentFile}: no such file`);
  }
  const { loaded, factory } = await loadRun(options, strategy);
  if (loaded.gaps?.length) hooks.onWarning?.(formatGapWarning(loaded.gaps));
  const { interval } = loaded;
  const inPeriod = candlePeriod(loaded.candles, options.from, options.to).candles;
  const marketContext =
    options.sentimentFile === undefined
      ? undefined
      : marketContextFrom(await readSentimentFile(options.sentimentFile));
  const store = options.db === undefined ? undefined : await openEmptyStore(options.db);
  let result: BacktestResult;
  try {
    result = await runBacktest({
      candles: loaded.candles,
      interval,
      strategy: factory.create,
      ...backtestOptionsOf(backtestSettingsOf(options)),
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.to === undefined ? {} : { to: options.to }),
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

  const { description, candles } = loaded;
  const provenance = {
    strategy: strategy.loaded.provenance,
    params: strategy.params,
    settings: await runSettingsOf(options),
    data: dataProvenanceOf({ description, candles, symbols: [...candles.keys()], interval }),
  };
  const input = reportInputOf(result, {
    strategy: strategy.loaded.definition.key,
    params: strategy.params,
    interval,
    candles,
    feeBps: options.feeBps,
    slippageBps: options.slippageBps,
    fillMode: options.fillMode,
    provenance,
  });
  return { result, input, metrics: computeMetrics(input), source: description, interval };
}
