/**
 * The bot's wiring: from a validated config to a running `@lumenlink/runtime` trading node. This
 * file only picks the adapters: the SQLite store, the ccxt exchange or the replay, the paper or
 * live broker, the alert channels, Telegram commands and the HTTP server.
 */
import {
  ConfigError,
  createRedactor,
  symbolParts,
  systemClock,
  type Logger,
  type MarketDataSource,
  type Redactor,
} from '@lumenlink/core';
import { configSecrets, type Config } from '@lumenlink/config';
import { createLogger } from '@lumenlink/core/logging';
import { createMetricsRegistry } from '@lumenlink/core/metrics';
import {
  createAlertDispatcher,
  createConsoleNotifier,
  createDiscordChannel,
  createTelegramChannel,
  createTelegramCommandBot,
  redactingChannel,
  type AlertChannel,
  type AlertDispatcher,
} from '@lumenlink/alerts';
import {
  MarketDataService,
  createSentimentService,
  dataProvenanceOf,
  loadReplayData,
  openStore,
  type CreateSentimentServiceOptions,
  type LumenLinkStore,
  type ReplayData,
} from '@lumenlink/data';
import {
  ReplayFeed,
  ccxtExchangeFromConfig,
  checkExchangeTimeframe,
  tradedMarkets,
} from '@lumenlink/exchanges';
import { LiveBroker, createExchangePolicies } from '@lumenlink/execution';
import { riskConfigFromConfig } from '@lumenlink/risk';
import {
  createTradingNode,
  startHttpServer,
  type BotController,
  type NodeReport,
  type ReplayProgress,
  type TradingNode,
  type TradingNodePorts,
  type TradingNodeSettings,
  type HttpServerHandle,
} from '@lumenlink/runtime';
import {
  loadConfiguredStrategy,
  type ConfiguredStrategy,
  type StrategyFlags,
} from '@lumenlink/strategy-loader';
import { logStrategy, runProvenance } from './bot-strategy.js';

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
  /** Telegram and Discord alerts and commands, the mode's startup alert (default true; demo: no). */
  readonly externalChannels?: boolean;
  /** Sentiment feeds with live market data, for a strategy that reads them (default true). */
  readonly sentiment?: boolean;
  /** The sentiment feeds' base URLs and retries (tests point them at a local server). */
  readonly sentimentFeeds?: Pick<CreateSentimentServiceOptions, 'baseUrls' | 'retries'>;
  /** Replay only the first this many candle times (`DATA_SOURCE=replay`). */
  readonly replayCandles?: number;
  /** Replay pace in candles per second, instead of `DEMO_SPEED`; 0 = as fast as possible. */
  readonly replaySpeed?: number;
  /** Wraps the source the market-data loop reads (tests inject failures with it). */
  readonly wrapMarketData?: (source: MarketDataSource) => MarketDataSource;
  /** Readiness age limits per loop name, in ms (default 5x the interval, at least 10 s in replay). */
  readonly loopMaxAgeMs?: Readonly<Record<string, number>>;
  /** `--params-file` and `--param`, over `STRATEGY_PARAMS`. */
  readonly strategyFlags?: StrategyFlags;
}

/** What the bot did, for a summary (see `NodeReport` of `@lumenlink/runtime`). */
export type BotReport = NodeReport;

/** A running bot. */
export interface Bot extends Pick<
  TradingNode,
  'control' | 'scheduler' | 'metrics' | 'reconciled' | 'report'
> {
  readonly config: Config;
  /** The strategy run, with its parameters and where they came from. */
  readonly strategy: ConfiguredStrategy;
  /** The HTTP server's base URL. */
  readonly url: string;
  readonly dbPath: string;
  /** The replay, with `DATA_SOURCE=replay`; `null` with live market data. */
  readonly replay: (ReplayProgress & Pick<ReplayData, 'source' | 'candles'>) | null;
  /** Stops the loops, Telegram, the HTTP server, the node, the alerts, the store. Idempotent. */
  stop(): Promise<void>;
}

/** Start-up reads (markets, balance): retried about 30 s; a ban asking longer fails at once. */
const startupRetries = { retries: 6, initialDelayMs: 500, maxDelayMs: 15_000 };
/** How long shutdown waits for alerts still queued. */
const alertDrainMs = 5_000;

/**
 * Builds and starts the bot from a validated config (see `loadConfigWithSecrets`).
 *
 * @example
 * ```ts
 * const bot = await startBot(config);
 * console.log(bot.url); // http://127.0.0.1:8787
 * await bot.stop();
 * ```
 * @throws {ConfigError} for a `STRATEGY` that does not load or bad parameters (before anything
 *   is opened), replay data or symbols that cannot be had, or `DATA_SOURCE=replay` with
 *   `MODE=live`.
 * @throws {StorageError} when the database cannot be opened or migrated.
 */
export async function startBot(config: Config, options: StartBotOptions = {}): Promise<Bot> {
  const secrets = configSecrets(config);
  const logger = options.logger ?? createLogger({ level: config.log.level, secrets });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    return await assemble(config, options, logger, cleanups);
  } catch (error) {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((cleanupError: unknown) =>
        logger.warn('clean-up after a failed start failed', { error: cleanupError }),
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
  checkConfig(config);
  const strategy = await loadConfiguredStrategy(config, options.strategyFlags);
  logStrategy(logger.child({ module: 'bot' }), strategy);
  const replaying = config.data.source === 'replay';
  const redact = createRedactor(configSecrets(config));
  const store = await openStore({ path: config.data.dbPath, logger, redact });
  cleanups.push(() => store.close());
  if (store.appliedMigrations.length > 0) {
    logger.info('database migrated', { path: store.path, applied: store.appliedMigrations });
  }
  const replay = replaying
    ? await loadReplayData({ ...config, ...config.data }, store, {
        candleTimes: options.replayCandles,
      })
    : null;
  await recordStart(store, config, strategy, replay);
  const alerts = alertDispatcher(config, options, logger, redact);
  cleanups.push(() => alerts.close({ timeoutMs: alertDrainMs }));
  const registry = createMetricsRegistry({ prefix: 'lumenlink_', collectDefaultMetrics: true });
  const ports = {
    logger,
    metrics: registry,
    notifier: alerts,
    stores: store,
    strategy: () =>
      strategy.loaded.definition.create(strategy.params, { interval: config.interval }),
    ...(replay === null
      ? await exchangePorts(config, options, store, alerts, logger)
      : { venue: { kind: 'paper' }, marketData: replayPorts(config, options, replay) }),
  } satisfies TradingNodePorts;
  const node = await createTradingNode(ports, nodeSettings(config, strategy, options));
  const http = await serve(config, options, node, () => registry.exposition(), logger);
  cleanups.push(() => http.close());
  const commands = telegramCommands(config, options, node.control, logger);
  node.start();
  const { mode, symbols } = config;
  const started = {
    mode,
    dataSource: config.data.source,
    strategy: strategy.loaded.label,
    symbols,
    url: http.url,
    tradingMode: node.tradingMode.kind,
  };
  logger
    .child({ module: 'bot' })
    .info('bot started', { ...started, tradingState: node.tradingState });
  const progress = node.replay;
  return {
    config,
    strategy,
    url: http.url,
    control: node.control,
    scheduler: node.scheduler,
    metrics: node.metrics,
    dbPath: store.path,
    replay: progress === null || replay === null ? null : replayProgress(progress, replay),
    get reconciled() {
      return node.reconciled;
    },
    report: () => node.report(),
    stop: stopper(logger, [
      () => node.scheduler.stop(),
      () =>
        commands?.stop().catch((error: unknown) => {
          logger.warn('Telegram commands did not stop cleanly', { error });
        }),
      () => http.close(),
      () => node.stop(),
      () => alerts.close({ timeoutMs: alertDrainMs }),
      () => store.close(),
    ]),
  };
}

/** Records this start in the database's `runs`: strategy, parameters, settings, replayed data. */
async function recordStart(
  store: LumenLinkStore,
  config: Config,
  strategy: ConfiguredStrategy,
  replay: ReplayData | null,
): Promise<void> {
  const { symbols, interval } = config;
  const data =
    replay === null
      ? undefined
      : dataProvenanceOf({
          description: replay.source,
          candles: replay.candles,
          symbols,
          interval,
        });
  const provenance = runProvenance(config, strategy, data);
  await store.runs.recordRun({ startedAt: systemClock.now(), mode: config.mode, provenance });
}

/** The node's settings: the config, the venue's name, risk, and the strategy with its source. */
function nodeSettings(
  config: Config,
  strategy: ConfiguredStrategy,
  options: StartBotOptions,
): TradingNodeSettings {
  const { loaded, params } = strategy;
  return {
    ...config,
    exchange:
      config.data.source === 'replay' ? `${config.exchange.id} (replay)` : config.exchange.id,
    risk: riskConfigFromConfig(config),
    strategy: loaded.definition.key,
    strategyLabel: loaded.label,
    strategyProvenance: loaded.provenance,
    strategyParams: params,
    startupAlert: options.externalChannels !== false,
  };
}

/** The HTTP server over the node's control, health and metrics. */
function serve(
  config: Config,
  options: StartBotOptions,
  node: TradingNode,
  exposition: () => Promise<string>,
  logger: Logger,
): Promise<HttpServerHandle> {
  return startHttpServer({
    host: config.http.host,
    port: options.httpPort ?? config.http.port,
    portFallback: options.httpPortFallback === true,
    allowedHosts: config.http.allowedHosts,
    ...(config.http.token === undefined ? {} : { token: config.http.token }),
    control: node.control,
    health: () => node.scheduler.health(),
    feeds: () => node.feeds(),
    tradingMode: node.tradingMode,
    metrics: async () => {
      await node.refreshMetrics();
      return exposition();
    },
    logger,
    maxAgeMs: { ...node.loopMaxAgeMs, ...options.loopMaxAgeMs },
    secrets: configSecrets(config),
  });
}

/**
 * The bot's stop, once: the loops first (an order in flight finishes), Telegram, the HTTP
 * server, the node (the portfolio is persisted), the alerts, the database.
 */
function stopper(logger: Logger, steps: readonly (() => Promise<void> | undefined)[]) {
  let stopping: Promise<void> | null = null;
  return (): Promise<void> => {
    stopping ??= (async () => {
      const log = logger.child({ module: 'bot' });
      log.info('stopping: loops first, an order in flight finishes');
      for (const step of steps) await step();
      log.info('stopped');
    })();
    return stopping;
  };
}

function replayProgress(progress: ReplayProgress, replay: ReplayData): Bot['replay'] {
  return {
    source: replay.source,
    candles: replay.candles,
    total: progress.total,
    finished: progress.finished,
    get done() {
      return progress.done;
    },
  };
}

/** Config errors (exit 2) found before the database or the exchange is touched. */
function checkConfig(config: Config): void {
  if (config.data.source !== 'replay') {
    // INTERVAL must be a candle size the exchange serves (known without a request).
    checkExchangeTimeframe(config.exchange.id, config.interval);
  } else if (config.mode === 'live') {
    throw new ConfigError([
      {
        key: 'DATA_SOURCE',
        problem: '"replay" cannot be used with MODE=live',
        accepted: 'exchange when MODE=live',
      },
    ]);
  }
}

/** The replay: bundled data, a CSV file or the stored candles, one candle time per poll. */
function replayPorts(
  config: Config,
  options: StartBotOptions,
  replay: ReplayData,
): TradingNodePorts['marketData'] {
  return {
    kind: 'replay',
    candles: replay.candles,
    speed: options.replaySpeed ?? config.demo.speed,
    feed: (resumeAfter) =>
      new ReplayFeed({
        candles: replay.candles,
        symbols: config.symbols,
        timeframe: config.interval,
        resumeAfter,
        ...(options.wrapMarketData === undefined ? {} : { wrap: options.wrapMarketData }),
      }),
  };
}

/** The exchange: its markets, the paper or live broker, candle polling and sentiment. */
async function exchangePorts(
  config: Config,
  options: StartBotOptions,
  store: LumenLinkStore,
  alerts: AlertDispatcher,
  logger: Logger,
): Promise<Pick<TradingNodePorts, 'venue' | 'marketData' | 'markets' | 'sentiment'>> {
  const exchange = ccxtExchangeFromConfig(config, { logger, clock: systemClock });
  const startupReads = createExchangePolicies({ logger, ...startupRetries });
  // One 429, 418 or 5xx during start-up is retried with backoff (a long ban is not).
  const markets = await startupReads.read(() => tradedMarkets(exchange, config.symbols));
  const poller = new MarketDataService({
    source: options.wrapMarketData?.(exchange) ?? exchange,
    store: store.candles,
    clock: systemClock,
    logger,
    symbols: config.symbols,
    timeframe: config.interval,
  });
  const { cryptoPanicToken } = config.sentiment;
  const sentiment =
    options.sentiment === false
      ? {}
      : {
          sentiment: createSentimentService({
            clock: systemClock,
            logger,
            ...(cryptoPanicToken === undefined ? {} : { cryptoPanicToken }),
            ...options.sentimentFeeds,
            newsCurrencies: [...new Set(config.symbols.map((symbol) => symbolParts(symbol).base))],
          }),
        };
  const marketData = { kind: 'live', poll: () => poller.poll(), quotes: exchange } as const;
  if (config.mode === 'paper')
    return { venue: { kind: 'paper' }, marketData, markets, ...sentiment };
  const policies = createExchangePolicies({
    logger,
    onBreakerChange: (change) =>
      alerts.notify({
        type: 'error',
        code: 'CIRCUIT_BREAKER',
        message: `exchange circuit breaker ${change.state}${change.reason === null ? '' : `: ${change.reason}`} (entries are blocked while it is open)`,
        at: change.at,
      }),
  });
  const broker = new LiveBroker({ exchange, policies });
  const balance = await startupReads.read(() => exchange.fetchBalance());
  return { venue: { kind: 'live', broker, balance }, marketData, markets, ...sentiment };
}

/** Alerts: the console always; Telegram and Discord as configured, their texts redacted. */
function alertDispatcher(
  config: Config,
  options: StartBotOptions,
  logger: Logger,
  redact: Redactor,
): AlertDispatcher {
  const channels: AlertChannel[] = [
    createConsoleNotifier(logger),
    ...(options.alertChannels ?? []),
  ];
  const { telegram, discord } = config;
  const external = options.externalChannels ?? true;
  if (external && telegram.botToken !== undefined && telegram.chatIds.length > 0) {
    const { botToken: token, chatIds, apiRoot } = telegram;
    channels.push(
      redactingChannel(
        redact,
        createTelegramChannel({ token, chatIds, ...(apiRoot === undefined ? {} : { apiRoot }) }),
      ),
    );
  }
  if (external && discord.webhookUrl !== undefined) {
    channels.push(
      redactingChannel(redact, createDiscordChannel({ webhookUrl: discord.webhookUrl })),
    );
  }
  return createAlertDispatcher({ channels, clock: systemClock, logger });
}

/** Telegram commands against the node's control, when Telegram is configured. */
function telegramCommands(
  config: Config,
  options: StartBotOptions,
  control: BotController,
  logger: Logger,
): ReturnType<typeof createTelegramCommandBot> | null {
  const { botToken: token, chatIds, apiRoot } = config.telegram;
  if (options.externalChannels === false || token === undefined || chatIds.length === 0) {
    return null;
  }
  const commands = createTelegramCommandBot({
    token,
    ...(apiRoot === undefined ? {} : { apiRoot }),
    control,
    allowedChatIds: chatIds,
    clock: systemClock,
    logger,
    secrets: configSecrets(config),
  });
  commands.start().catch((error: unknown) => {
    logger.error('Telegram commands stopped; alerts still go out', { error });
  });
  return commands;
}
