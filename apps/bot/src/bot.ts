/**
 * The bot's wiring: from a validated config to a running bot. The store (migrations on open),
 * the restored trading state, portfolio, trailing stops and brackets, the trade cycle with risk
 * in front of the paper or live broker, reconciliation before the first trade, the four
 * scheduler loops, alerts, Telegram commands and the HTTP server; and an orderly stop.
 * Nothing about a trade is decided here: the loops only drive `TradeCycle`.
 */
import {
  ConfigError,
  StorageError,
  ManualClock,
  configSecrets,
  symbolParts,
  systemClock,
  timeframeMs,
  type AccountSnapshot,
  type AlertEvent,
  type Broker,
  type Clock,
  type Config,
  type DecisionOutcome,
  type Logger,
  type MarketContext,
  type MarketDataSource,
  type MarketInfo,
  type SymbolId,
} from '@lumenlink/core';
import { createLogger, createRedactor, type Redactor } from '@lumenlink/core/logging';
import {
  createAlertDispatcher,
  createConsoleNotifier,
  createDiscordChannel,
  createTelegramChannel,
  createTelegramCommandBot,
  type AlertChannel,
  type AlertDispatcher,
} from '@lumenlink/alerts';
import {
  MarketDataService,
  createSentimentService,
  openStore,
  type SentimentService,
} from '@lumenlink/data';
import {
  TradeCycle,
  liveStartingCash,
  restoreBrackets,
  roleFills,
  settledShortfalls,
  shortfallReason,
  storedHistory,
  writeOffMissing,
  type StoredHistory,
  type Trade,
} from '@lumenlink/engine';
import {
  ccxtExchangeFromConfig,
  checkExchangeTimeframe,
  type CcxtExchange,
} from '@lumenlink/exchanges';
import {
  LiveBroker,
  Portfolio,
  Reconciler,
  TrailingStopManager,
  createExchangePolicies,
  type ReconcileReport,
} from '@lumenlink/execution';
import {
  RiskEngine,
  RiskProtections,
  SymbolPauses,
  TradingStateMachine,
  riskConfigFromConfig,
} from '@lumenlink/risk';
import { createStrategy, isStrategyKey, strategyKeys } from '@lumenlink/strategies';
import { BotController } from './bot-controller.js';
import { BotMetrics } from './bot-metrics.js';
import { CandleDriver } from './candle-driver.js';
import { DecisionCounter } from './decision-counter.js';
import { startHttpServer, type HttpServerHandle } from './http-server.js';
import { ReplayFeed, loadReplayData, type ReplayData } from './replay-feed.js';
import { ResumablePaperBroker } from './resumable-paper-broker.js';
import { Scheduler, standardLoops, usesJitter, type StandardLoopName } from './scheduler.js';
import { SerialLock } from './serial-lock.js';

/** Options of {@link startBot}, beyond the config. */
export interface StartBotOptions {
  /** Where the bot logs (default a logger at `LOG_LEVEL` on stdout, secrets redacted). */
  readonly logger?: Logger;
  /** Listen on this port instead of `HTTP_PORT`; 0 picks a free one. */
  readonly httpPort?: number;
  /** When the port is taken, listen on a free one instead of failing (the demo). */
  readonly httpPortFallback?: boolean;
  /** Alert channels besides the console (the demo's trade printer). */
  readonly alertChannels?: readonly AlertChannel[];
  /** Telegram and Discord as configured, alerts and commands (default true; the demo: false). */
  readonly externalChannels?: boolean;
  /** Sentiment feeds with live market data (default true). */
  readonly sentiment?: boolean;
  /** Replay only the first this many candle times (`DATA_SOURCE=replay`). */
  readonly replayCandles?: number;
  /** Replay pace in candles per second, instead of `DEMO_SPEED`; 0 = as fast as possible. */
  readonly replaySpeed?: number;
  /** Wraps the source the market-data loop reads (tests inject failures with it). */
  readonly wrapMarketData?: (source: MarketDataSource) => MarketDataSource;
  /** Readiness age limits per loop name, in ms (default 5x the interval, at least 10 s in replay). */
  readonly loopMaxAgeMs?: Readonly<Record<string, number>>;
}

/** A replay in progress. */
interface ReplayProgress {
  /** Where the candles come from, in words. */
  readonly source: string;
  /** The replayed candles, per symbol in config order. */
  readonly candles: ReplayData['candles'];
  /** Candle times of the whole replay. */
  readonly total: number;
  /** Resolves when every candle time was processed. */
  readonly finished: Promise<void>;
  /** Whether every candle time was processed. */
  readonly done: boolean;
}

/** What the bot did, for a summary. Money in the quote currency. */
export interface BotReport {
  readonly trades: readonly Trade[];
  /** Decisions of this run per outcome. */
  readonly decisions: Readonly<Partial<Record<DecisionOutcome, number>>>;
  /** Signals of this run that did not become orders, per reason (risk check, cooldown, ...). */
  readonly blocked: Readonly<Record<string, number>>;
  readonly orders: number;
  readonly fills: number;
  readonly account: AccountSnapshot;
  readonly startingCash: number;
  /** Candles processed by this run. */
  readonly candlesProcessed: number;
}

/** A running bot. */
export interface Bot {
  readonly config: Config;
  /** The HTTP server's base URL. */
  readonly url: string;
  readonly control: BotController;
  readonly scheduler: Scheduler;
  readonly metrics: BotMetrics;
  readonly dbPath: string;
  /** The replay, with `DATA_SOURCE=replay`; `null` with live market data. */
  readonly replay: ReplayProgress | null;
  /** The first reconciliation's report (`null` until one completed). */
  readonly reconciled: ReconcileReport | null;
  report(): Promise<BotReport>;
  /**
   * Stops the bot: the loops (an order in flight finishes), Telegram, the HTTP server, then
   * persists the portfolio, drains the alerts and closes the database. Idempotent.
   */
  stop(): Promise<void>;
}

/** Start-up reads (markets, balance): retried about 30 s; a ban asking longer fails at once. */
const startupRetries = { retries: 6, initialDelayMs: 500, maxDelayMs: 15_000 };
/** Readiness age floor of the replay loops: their intervals are tiny. */
const replayMaxAgeMs = 10_000;
/** How long shutdown waits for alerts still queued. */
const alertDrainMs = 5_000;

/**
 * Builds and starts the bot from a validated config (see `loadConfigWithSecrets`).
 *
 * Start-up: open the store (migrations run on open); with `DATA_SOURCE=replay` load the candles
 * to replay; restore the trading state (`KILL_SWITCH`), the portfolio from the stored fills,
 * the paper book from the stored paper orders, the trailing stops and the brackets; reconcile
 * every non-final order before the first trade; re-warm the strategies on the candles processed
 * before a restart; then start the loops and the HTTP server.
 *
 * @example
 * ```ts
 * const { config } = await loadConfigWithSecrets(env, { logger });
 * const bot = await startBot(config);
 * console.log(bot.url); // http://127.0.0.1:8787
 * await bot.stop();
 * ```
 * @throws {ConfigError} when `STRATEGY` names no registered strategy (checked before anything is
 *   opened), or the replay data or the symbols cannot be had.
 * @throws {StorageError} when the database cannot be opened or migrated.
 */
export async function startBot(config: Config, options: StartBotOptions = {}): Promise<Bot> {
  const logger =
    options.logger ?? createLogger({ level: config.log.level, secrets: configSecrets(config) });
  const log = logger.child({ module: 'bot' });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await assemble(config, options, logger, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((cleanupError: unknown) =>
        log.warn('clean-up after a failed start failed', { error: cleanupError }),
      );
    }
    throw error;
  }
}

async function assemble(
  config: Config,
  options: StartBotOptions,
  logger: Logger,
  cleanups: (() => Promise<void>)[],
): Promise<Bot> {
  const log = logger.child({ module: 'bot' });
  const startedAt = systemClock.now();
  const metrics = new BotMetrics();
  const startupReads = createExchangePolicies({
    logger,
    ...startupRetries,
  });
  const replaying = config.data.source === 'replay';
  const stepMs = timeframeMs(config.interval);
  // A bad key is a config error (exit 2), found before the database or the exchange is touched.
  if (!isStrategyKey(config.strategy)) {
    throw new ConfigError([
      {
        key: 'STRATEGY',
        problem: `"${config.strategy}" is not a registered strategy`,
        accepted: strategyKeys.join(', '),
      },
    ]);
  }
  // INTERVAL must be a candle size the exchange serves (known without a request).
  if (!replaying) checkExchangeTimeframe(config.exchange.id, config.interval);

  const redact = createRedactor(configSecrets(config));
  const store = await openStore({ path: config.data.dbPath, logger, redact });
  cleanups.push(() => store.close());
  if (store.appliedMigrations.length > 0) {
    log.info('database migrated', { path: store.path, applied: store.appliedMigrations });
  }

  // Market data: the replay, or the exchange.
  let replayData: ReplayData | null = null;
  let exchange: CcxtExchange | null = null;
  let markets: ReadonlyMap<SymbolId, MarketInfo> | undefined;
  if (replaying) {
    replayData = await loadReplayData(config, store, {
      ...(options.replayCandles === undefined ? {} : { candleTimes: options.replayCandles }),
    });
  } else {
    exchange = ccxtExchangeFromConfig(config, { logger, clock: systemClock });
    const source = exchange;
    // One 429, 418 or 5xx during start-up is retried with backoff (a long ban is not).
    markets = await startupReads.read(() => tradedMarkets(source, config.symbols));
  }

  const cursors = await Promise.all(
    config.symbols.map((symbol) => store.runtime.getLastProcessedCandle(symbol, config.interval)),
  );
  const resumeAt = cursors.some((cursor) => cursor === null)
    ? null
    : Math.min(...cursors.filter((cursor): cursor is number => cursor !== null));
  const manualClock =
    replayData === null
      ? null
      : new ManualClock(resumeAt === null ? (replayData.times[0] ?? 0) : resumeAt + stepMs);
  const clock: Clock = manualClock ?? systemClock;

  // Alerts: the console always; Telegram and Discord as configured.
  const external = options.externalChannels ?? true;
  const channels: AlertChannel[] = [
    createConsoleNotifier(logger),
    ...(options.alertChannels ?? []),
  ];
  const { telegram, discord } = config;
  // Alert texts carry error messages, which may quote a secret (an exchange error page that
  // echoes the request's headers): what leaves the process is redacted, as logs are.
  const redactAlert = redactingChannel(redact);
  if (external && telegram.botToken !== undefined && telegram.chatIds.length > 0) {
    channels.push(
      redactAlert(
        createTelegramChannel({
          token: telegram.botToken,
          chatIds: telegram.chatIds,
          ...(telegram.apiRoot === undefined ? {} : { apiRoot: telegram.apiRoot }),
        }),
      ),
    );
  }
  if (external && discord.webhookUrl !== undefined) {
    channels.push(redactAlert(createDiscordChannel({ webhookUrl: discord.webhookUrl })));
  }
  const alerts: AlertDispatcher = createAlertDispatcher({ channels, clock: systemClock, logger });
  cleanups.push(() => alerts.close({ timeoutMs: alertDrainMs }));

  // The broker and what it restores from.
  let broker: Broker;
  let paperBroker: ResumablePaperBroker | null = null;
  let liveBroker: LiveBroker | null = null;
  let history: StoredHistory;
  let startingCash = config.paper.startingCash;
  if (config.mode === 'paper') {
    history = await storedHistory(store.orders, 'paper');
    paperBroker = new ResumablePaperBroker({
      clock,
      feeBps: config.paper.feeBps,
      slippageBps: config.paper.slippageBps,
      startingCash,
      ...(markets === undefined ? {} : { markets }),
      ...(exchange === null ? {} : { marketData: exchange }),
      restore: history,
    });
    broker = paperBroker;
  } else {
    if (exchange === null) {
      throw new ConfigError([
        {
          key: 'DATA_SOURCE',
          problem: '"replay" cannot be used with MODE=live',
          accepted: 'exchange when MODE=live',
        },
      ]);
    }
    liveBroker = new LiveBroker({
      exchange,
      policies: createExchangePolicies({
        logger,
        onBreakerChange: (change) =>
          alerts.notify({
            type: 'error',
            code: 'CIRCUIT_BREAKER',
            message: `exchange circuit breaker ${change.state}${change.reason === null ? '' : `: ${change.reason}`} (entries are blocked while it is open)`,
            at: change.at,
          }),
      }),
    });
    broker = liveBroker;
    history = await storedHistory(store.orders, broker.name);
  }
  const fills = roleFills(history);
  if (liveBroker !== null && exchange !== null) {
    const account = exchange;
    const fromBalance = liveStartingCash(
      await startupReads.read(() => account.fetchBalance()),
      config.symbols,
      fills,
    );
    startingCash = fromBalance.startingCash;
    log.info('live account', { quote: fromBalance.quote, startingCash });
  }

  const portfolio = await Portfolio.restore(store.portfolio, {
    clock,
    startingCash,
    fills,
    adjustments: await store.runtime.listPositionAdjustments(),
    ...(markets === undefined ? {} : { markets }),
  });
  const tradingState = await TradingStateMachine.open({
    store: store.runtime,
    clock,
    killSwitch: config.killSwitch,
  });
  // Stored fills that do not add up never stop the start: the symbol is paused until an
  // operator has looked (entries blocked, exits allowed), and it is alerted.
  const pauses = await SymbolPauses.open({ store: store.runtime, clock });
  const pauseSymbol = async (
    symbol: SymbolId,
    reason: string,
    by: string,
    issues: readonly string[] = [],
  ): Promise<void> => {
    let stored = true;
    try {
      if (!(await pauses.pause(symbol, reason, by, issues))) return;
    } catch (error) {
      // In force anyway (it fails closed), but a restart would forget it: say so.
      if (pauses.reason(symbol) === null) throw error;
      stored = false;
      log.error('the symbol pause could not be stored: in force until a restart', {
        symbol,
        error,
      });
    }
    log.error('symbol paused until an operator resumes it', { symbol, reason });
    alerts.notify({
      type: 'error',
      code: 'SYMBOL_PAUSED',
      message: `${symbol} paused (exits only) until an operator resumes it (POST /resume {"symbol":"${symbol}"}): ${reason}${stored ? '' : ' (the pause could not be stored: it lasts until a restart)'}`,
      at: systemClock.now(),
    });
  };
  for (const issue of portfolio.restoreIssues) {
    if (issue.kind === 'fee') {
      log.warn('a stored fill fee is not counted', {
        symbol: issue.symbol,
        problem: issue.problem,
      });
      continue;
    }
    log.error('a stored fill does not add up', { symbol: issue.symbol, problem: issue.problem });
    if (config.symbols.includes(issue.symbol)) {
      await pauseSymbol(issue.symbol, issue.problem, 'restore', [issue.tradeId]);
    } else {
      alerts.notify({
        type: 'error',
        code: 'FILL_INCONSISTENT',
        message: issue.problem,
        at: systemClock.now(),
      });
    }
  }
  const trailingStops = await TrailingStopManager.restore({ clock, store: store.runtime });
  const decisions = new DecisionCounter(store.decisions, metrics);
  const brackets = await restoreBrackets({
    clock,
    positions: portfolio.positions(),
    history,
    decisions,
    ...(config.trading.stopLossPct === undefined
      ? {}
      : { stopLossPct: config.trading.stopLossPct }),
    ...(config.trading.takeProfitPct === undefined
      ? {}
      : { takeProfitPct: config.trading.takeProfitPct }),
    logger,
  });

  const riskOptions = riskConfigFromConfig(config);
  const strategies = new Map(
    config.symbols.map((symbol) => [
      symbol,
      createStrategy(config.strategy, undefined, { interval: config.interval }),
    ]),
  );
  const warmupCandles = Math.max(
    ...[...strategies.values()].map((strategy) => strategy.warmup),
    config.trading.atrPeriod + 1,
  );
  let marketContext: MarketContext | undefined;
  const cycle = new TradeCycle({
    clock,
    settings: {
      mode: config.mode,
      allowLiveTrading: config.allowLiveTrading,
      intervalMs: stepMs,
      atrPeriod: config.trading.atrPeriod,
      trailingStopAtrMultiple: config.trading.trailingStopAtrMult,
      ...(config.trading.stopLossPct === undefined
        ? {}
        : { stopLossPct: config.trading.stopLossPct }),
      ...(config.trading.takeProfitPct === undefined
        ? {}
        : { takeProfitPct: config.trading.takeProfitPct }),
      cooldownMs: config.trading.signalCooldownMs,
      // As the backtest driver: room for the fee and a price that moved by the next open.
      cashReserveBps: config.paper.feeBps + config.paper.slippageBps + 100,
      priceBandPct: config.trading.priceBandPct,
    },
    symbolPaused: (symbol) => pauses.reason(symbol),
    // A fill beyond the position while trading: counted as far as it was the bot's; paused.
    onFillIssue: (issue) => {
      pauseSymbol(issue.symbol, issue.problem, 'trade', [issue.tradeId]).catch((error: unknown) =>
        log.error('the symbol could not be paused', { symbol: issue.symbol, error }),
      );
    },
    strategies,
    risk: new RiskEngine(riskOptions),
    tradingState,
    protections: new RiskProtections({ tradingState, clock, limits: riskOptions }),
    broker,
    orders: store.orders,
    decisions,
    portfolio,
    trailingStops,
    brackets,
    ...(markets === undefined ? {} : { markets }),
    // Replay has no quotes: the ticker and book guards report "no book", as in a backtest.
    ...(exchange === null ? {} : { marketData: exchange }),
    ...(replaying ? {} : { marketContext: () => marketContext }),
    notifier: alerts,
    logger,
    ...(liveBroker === null ? {} : { entryBreaker: liveBroker.entryBreaker }),
    // The paper broker is in this process: its "not found" is final at once.
    ...(paperBroker === null ? {} : { notFoundGrace: { checks: 1, windowMs: 0 } }),
  });

  // Every non-final order is reconciled before the first trade.
  const reconciler = new Reconciler({
    broker,
    orders: store.orders,
    clock,
    manager: cycle.orderManager,
    symbols: config.symbols,
    logger,
    onResurrected: (order) =>
      alerts.notify({
        type: 'error',
        code: 'ORDER_RESURRECTED',
        message: `${order.clientOrderId} (${order.side} ${order.quantity} ${order.symbol}) was proven never placed, yet the exchange shows it ${order.status}: its fills are now stored`,
        at: systemClock.now(),
      }),
    onAdopted: (order) =>
      alerts.notify({
        type: 'error',
        code: 'ORDER_ADOPTED',
        message: `adopted ${order.clientOrderId} (${order.side} ${order.quantity} ${order.symbol}), an order of ours the store did not know`,
        at: systemClock.now(),
      }),
    onForeignOrder: (order) =>
      log.warn('an open exchange order that is not ours; left alone', {
        exchangeOrderId: order.exchangeOrderId,
        symbol: order.symbol,
      }),
    onConflict: (exchangeOrder, stored) =>
      alerts.notify({
        type: 'error',
        code: 'ORDER_CONFLICT',
        message: `${stored.clientOrderId} is ${stored.status} in the store but open on the exchange (${exchangeOrder.exchangeOrderId})`,
        at: systemClock.now(),
      }),
  });
  let reconciled: ReconcileReport | null = null;
  // Live: the exchange must hold at least the bot's positions; less means coins were sold or
  // moved outside the bot (or a fill is missing): the symbol is paused and sells are capped at
  // the free balance by risk.
  const checkHoldings = async (): Promise<void> => {
    // No position, nothing to hold: no balance read (weight 20 on Binance).
    if (liveBroker === null || portfolio.positions().length === 0) return;
    const balance = await liveBroker.fetchBalance();
    for (const shortfall of await settledShortfalls(cycle, portfolio, balance, markets)) {
      for (const symbol of shortfall.symbols) {
        await pauseSymbol(symbol, shortfallReason(shortfall), 'reconcile');
      }
    }
  };
  const reconcile = async (): Promise<void> => {
    const report = await reconciler.reconcile();
    await checkHoldings();
    if (reconciled === null || report.changed > 0 || report.adopted.length > 0) {
      log.info('reconciled', {
        checked: report.checked,
        changed: report.changed,
        adopted: report.adopted.length,
        conflicts: report.conflicts.length,
        fills: report.fills,
      });
    }
    reconciled = report;
  };
  if (paperBroker !== null) {
    await reconcile();
  } else {
    await reconcile().catch((error: unknown) => {
      log.error('the first reconciliation failed; no trade until one completes', { error });
      alerts.notify({
        type: 'error',
        code: 'RECONCILE_FAILED',
        message: `reconciliation failed, no trading until it completes: ${describe(error)}`,
        at: systemClock.now(),
      });
    });
  }

  const lock = new SerialLock();
  const driver = await CandleDriver.open({
    cycle,
    paperBroker,
    portfolio,
    candles: store.candles,
    runtime: store.runtime,
    symbols: config.symbols,
    timeframe: config.interval,
    clock,
    manualClock,
    lock,
    metrics,
    notifier: alerts,
    logger,
    warmupCandles,
  });

  // The replay feed, resuming after the last candle processed by every symbol.
  let feed: ReplayFeed | null = null;
  let markFinished = (): void => undefined;
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
  });
  let replayDone = false;
  if (replayData !== null) {
    const rewarmed = driver.rewarm(replayData.candles);
    feed = new ReplayFeed({
      data: replayData,
      config,
      resumeAfter: driver.resumePoint,
      ...(options.wrapMarketData === undefined ? {} : { wrap: options.wrapMarketData }),
    });
    log.info('replay ready', {
      source: replayData.source,
      candleTimes: feed.total,
      resumeAfter: driver.resumePoint,
      rewarmed,
    });
  }

  // Sentiment, with live market data only: a replay has no history of it (nor has a backtest).
  let sentiment: SentimentService | null = null;
  if (!replaying && (options.sentiment ?? true)) {
    sentiment = createSentimentService({
      clock: systemClock,
      logger,
      ...(config.sentiment.cryptoPanicToken === undefined
        ? {}
        : { cryptoPanicToken: config.sentiment.cryptoPanicToken }),
      newsCurrencies: [...new Set(config.symbols.map((symbol) => symbolParts(symbol).base))],
    });
  }
  const marketDataService =
    exchange === null
      ? null
      : new MarketDataService({
          source: options.wrapMarketData?.(exchange) ?? exchange,
          store: store.candles,
          clock: systemClock,
          logger,
          symbols: config.symbols,
          timeframe: config.interval,
        });

  let reconcileBeforeTrading = false;
  const runStrategy = async (): Promise<void> => {
    if (feed !== null) {
      const batch = feed.take();
      if (batch !== null) await driver.process(batch.time, batch.candles);
      if (feed.finished && !replayDone) {
        replayDone = true;
        log.info('replay finished', { candleTimes: feed.total });
        markFinished();
      }
      return;
    }
    await driver.processStored(clock.now());
    if (exchange !== null) {
      const source = exchange;
      await driver.checkTicks(async (symbol) => (await source.fetchTicker(symbol)).last);
    }
  };

  const runs: Record<StandardLoopName, () => Promise<void>> = {
    'market-data': async () => {
      if (feed !== null) {
        await feed.poll();
        return;
      }
      const result = await marketDataService?.poll();
      if (result !== undefined && result.failed.length > 0) {
        const errors = result.symbols
          .filter((symbol) => symbol.status === 'failed')
          .map((symbol) => `${symbol.symbol}: ${symbol.error?.message ?? 'failed'}`);
        throw new Error(`market data failed for ${errors.join('; ')}`);
      }
    },
    strategy: async () => {
      if (reconciled === null) {
        throw new Error('waiting for the first complete reconciliation before trading');
      }
      // After a storage failure the store may lack an order's result: reconcile before trading.
      if (reconcileBeforeTrading) {
        await reconcile();
        reconcileBeforeTrading = false;
      }
      try {
        await runStrategy();
      } catch (error) {
        if (causedByStorage(error)) reconcileBeforeTrading = true;
        throw error;
      }
    },
    reconcile,
    sentiment: async () => {
      if (sentiment === null) return;
      const result = await sentiment.refresh();
      marketContext = await sentiment.snapshot();
      const enabled = sentiment.status().filter((part) => part.enabled).length;
      if (enabled > 0 && result.failed.length >= enabled) {
        throw new Error(
          `every sentiment feed failed (${result.failed.join(', ')}); trading goes on without sentiment`,
        );
      }
    },
  };

  const scheduler = new Scheduler({
    clock: systemClock,
    logger,
    jitter: usesJitter(config),
    onLoopError: (name, error, failures) => {
      metrics.loopFailed(name);
      alerts.notify({
        type: 'error',
        code: `LOOP_FAILED_${name.toUpperCase().replace('-', '_')}`,
        message: `the ${name} loop failed (${failures} in a row; it backs off and the other loops go on): ${describe(error)}`,
        at: systemClock.now(),
      });
    },
  });
  const speed = options.replaySpeed ?? config.demo.speed;
  const replayIntervalMs = speed > 0 ? Math.max(1, Math.round(1000 / speed)) : 1;
  const maxAgeMs: Record<string, number> = {};
  for (const loop of standardLoops(config)) {
    const paced = replaying && (loop.name === 'market-data' || loop.name === 'strategy');
    const intervalMs = paced ? replayIntervalMs : loop.intervalMs;
    const enabled = loop.enabled && !(loop.name === 'sentiment' && sentiment === null);
    if (paced) maxAgeMs[loop.name] = Math.max(replayMaxAgeMs, intervalMs * 5);
    const run = runs[loop.name];
    scheduler.addLoop({
      name: loop.name,
      intervalMs,
      enabled,
      run: async () => {
        const started = performance.now();
        try {
          await run();
        } finally {
          metrics.loopRun(loop.name, (performance.now() - started) / 1000);
        }
      },
    });
  }

  const controller = new BotController({
    mode: config.mode,
    exchange: replaying ? `${config.exchange.id} (replay)` : config.exchange.id,
    symbols: config.symbols,
    timeframe: config.interval,
    strategy: config.strategy,
    cycle,
    driver,
    lock,
    broker,
    portfolio,
    tradingState,
    pauses,
    orders: store.orders,
    decisions,
    candles: store.candles,
    clock,
    notifier: alerts,
    exitPrice: async (symbol) => {
      if (exchange !== null) return (await exchange.fetchTicker(symbol)).last;
      const close = paperBroker?.lastCandle(symbol)?.close;
      if (close === undefined) throw new Error(`no price for ${symbol} yet: no candle processed`);
      return close;
    },
    circuitOpen: () => liveBroker?.breakerState() === 'open',
    startedAt,
    ...(markets === undefined ? {} : { markets }),
    adjustments: () => store.runtime.listPositionAdjustments(),
    writeOffMissing: async (symbol, reason, adjustedBy) => {
      if (liveBroker === null || exchange === null) return null;
      // Reconciled first, so a fill that came late is counted before anything is written off.
      await reconciler.reconcile();
      const source = exchange;
      const adjustment = await writeOffMissing({
        cycle,
        portfolio,
        runtime: store.runtime,
        clock,
        symbol,
        balance: await liveBroker.fetchBalance(),
        price: await source
          .fetchTicker(symbol)
          .then((ticker) => ticker.last)
          .catch((error: unknown) => {
            log.warn('no ticker for the write-off: valued at the average entry price', {
              symbol,
              error,
            });
            return null;
          }),
        reason,
        adjustedBy,
        ...(markets === undefined ? {} : { markets }),
      });
      if (adjustment !== null) {
        log.warn('position written off: the exchange no longer holds it', { ...adjustment });
      }
      return adjustment;
    },
  });

  const http = await listen(config, options, {
    control: controller,
    health: () => scheduler.health(),
    metrics: async () => {
      metrics.refresh(
        await store.orders.listOrders(),
        portfolio.snapshot(clock.now()),
        tradingState.state,
      );
      return metrics.registry.exposition();
    },
    logger,
    maxAgeMs: { ...maxAgeMs, ...options.loopMaxAgeMs },
    secrets: configSecrets(config),
  });
  cleanups.push(() => http.close());

  let telegramBot: ReturnType<typeof createTelegramCommandBot> | null = null;
  if (external && telegram.botToken !== undefined && telegram.chatIds.length > 0) {
    telegramBot = createTelegramCommandBot({
      token: telegram.botToken,
      ...(telegram.apiRoot === undefined ? {} : { apiRoot: telegram.apiRoot }),
      control: controller,
      allowedChatIds: telegram.chatIds,
      clock: systemClock,
      logger,
      secrets: configSecrets(config),
    });
    const commands = telegramBot;
    commands.start().catch((error: unknown) => {
      log.error('Telegram commands stopped; alerts still go out', { error });
    });
  }

  scheduler.start();
  log.info('bot started', {
    mode: config.mode,
    dataSource: config.data.source,
    strategy: config.strategy,
    symbols: config.symbols,
    tradingState: tradingState.state,
    url: http.url,
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('stopping: loops first, an order in flight finishes');
      await scheduler.stop();
      await telegramBot?.stop().catch((error: unknown) => {
        log.warn('Telegram commands did not stop cleanly', { error });
      });
      await http.close();
      await lock.idle();
      await portfolio.persist().catch((error: unknown) => {
        log.error('the portfolio could not be persisted at shutdown', { error });
      });
      await alerts.close({ timeoutMs: alertDrainMs });
      await store.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return {
    config,
    url: http.url,
    control: controller,
    scheduler,
    metrics,
    dbPath: store.path,
    replay:
      feed === null || replayData === null
        ? null
        : {
            source: replayData.source,
            candles: replayData.candles,
            total: feed.total,
            finished,
            get done() {
              return replayDone;
            },
          },
    get reconciled() {
      return reconciled;
    },
    report: async () => {
      const [orders, fills, trades] = await Promise.all([
        store.orders.listOrders(),
        store.orders.listFills(),
        controller.allTrades(),
      ]);
      const ours = new Set(
        orders
          .filter((order) => order.exchange === broker.name)
          .map((order) => order.clientOrderId),
      );
      return {
        trades,
        decisions: { ...decisions.outcomes },
        blocked: { ...decisions.blocked },
        orders: ours.size,
        fills: fills.filter((fill) => ours.has(fill.clientOrderId)).length,
        account: portfolio.snapshot(clock.now()),
        startingCash,
        candlesProcessed: driver.processed,
      };
    },
    stop,
  };
}

/** Whether an error, or any of its causes, is a storage failure. */
function causedByStorage(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof StorageError) return true;
  }
  return false;
}

/**
 * Wraps an alert channel so each event is sent with its texts redacted (numbers untouched). The
 * same event always becomes the same redacted object, so a channel's per-event bookkeeping
 * (Telegram's delivered chats) holds on a retry.
 */
function redactingChannel(redact: Redactor): (channel: AlertChannel) => AlertChannel {
  const texts = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (Array.isArray(value)) return value.map(texts);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, texts(item)]));
    }
    return value;
  };
  return (channel) => {
    const redacted = new WeakMap<AlertEvent, AlertEvent>();
    return {
      name: channel.name,
      send: (event, signal) => {
        let safe = redacted.get(event);
        if (safe === undefined) {
          safe = texts(event) as AlertEvent;
          redacted.set(event, safe);
        }
        return channel.send(safe, signal);
      },
    };
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The markets of the traded symbols; a symbol the exchange does not list is a config error. */
async function tradedMarkets(
  exchange: CcxtExchange,
  symbols: readonly SymbolId[],
): Promise<ReadonlyMap<SymbolId, MarketInfo>> {
  const all = await exchange.loadMarkets();
  const missing = symbols.filter((symbol) => !all.has(symbol));
  if (missing.length > 0) {
    throw new ConfigError([
      {
        key: 'SYMBOLS',
        problem: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a spot market of the exchange`,
        accepted:
          'BASE-QUOTE symbols the exchange lists, e.g. BTC-USDT on binance, BTC-USD on coinbase',
      },
    ]);
  }
  return new Map(symbols.map((symbol) => [symbol, all.get(symbol) as MarketInfo]));
}

/** Starts the HTTP server on the configured (or given) port, or a free one when allowed. */
async function listen(
  config: Config,
  options: StartBotOptions,
  server: Omit<Parameters<typeof startHttpServer>[0], 'host' | 'port' | 'token'>,
): Promise<HttpServerHandle> {
  const base = {
    ...server,
    host: config.http.host,
    allowedHosts: config.http.allowedHosts,
    ...(config.http.token === undefined ? {} : { token: config.http.token }),
  };
  const port = options.httpPort ?? config.http.port;
  try {
    return await startHttpServer({ ...base, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (options.httpPortFallback !== true || code !== 'EADDRINUSE') throw error;
    server.logger.warn(`port ${port} is taken; the HTTP server listens on a free port instead`);
    return startHttpServer({ ...base, port: 0 });
  }
}
