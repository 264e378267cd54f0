/**
 * The trading node: from ports and settings to a running pipeline. Restores the trading state,
 * the portfolio, the paper book, the trailing stops and the brackets; reconciles every non-final
 * order before the first trade; re-warms the strategies; runs the four scheduler loops (market
 * data, strategy with tick checks, reconcile, and sentiment: an optional feed, run only for a
 * strategy that reads the market context); and stops in order. It says its trading mode (paper,
 * live dry run, live) in its first log line and alert. Nothing about a
 * trade is decided here: the loops only drive the engine's `TradeCycle`.
 */
import {
  ManualClock,
  StorageError,
  ValidationError,
  noopMetrics,
  systemClock,
  timeframeMs,
  type AccountSnapshot,
  type BotStrategyStatus,
  type Broker,
  type Clock,
  type Decision,
  type DecisionOutcome,
  type SymbolId,
  type TradingState,
} from '@lumenlink/core';
import type { Trade } from '@lumenlink/engine';
import type { ReconcileReport } from '@lumenlink/execution';
import { BotController } from './bot-controller.js';
import { CandleDriver } from './candle-driver.js';
import type {
  LiveMarketData,
  SentimentPort,
  TradingNodePorts,
  TradingNodeSettings,
} from './node-ports.js';
import { NodeMetrics } from './node-metrics.js';
import { restoreNode, type RestoredNode } from './node-restore.js';
import {
  FeedMonitor,
  feedOff,
  marketContextUse,
  type FeedHealth,
  type FeedPartHealth,
} from './optional-feeds.js';
import { Scheduler, standardLoops, type StandardLoopName } from './scheduler.js';
import { SerialLock } from './serial-lock.js';
import { tradingModeOf, type TradingMode } from './trading-mode.js';

/** A replay in progress. */
export interface ReplayProgress {
  /** Candle times of the whole replay. */
  readonly total: number;
  /** Resolves when every candle time was processed. */
  readonly finished: Promise<void>;
  /** Whether every candle time was processed. */
  readonly done: boolean;
}

/** What the node did, for a summary. Money in the quote currency. */
export interface NodeReport {
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

/** A trading node, restored and reconciled; its loops run between `start` and `stop`. */
export interface TradingNode {
  /** The control surface of the Telegram commands and the HTTP server. */
  readonly control: BotController;
  readonly scheduler: Scheduler;
  readonly metrics: NodeMetrics;
  readonly broker: Broker;
  /** The replay, with replayed market data; `null` live. */
  readonly replay: ReplayProgress | null;
  /** The last reconciliation's report (`null` until one completed). */
  readonly reconciled: ReconcileReport | null;
  /** The trading state now (active, reducing, halted). */
  readonly tradingState: TradingState;
  /** Readiness age limits of the paced replay loops, by loop name (empty live). */
  readonly loopMaxAgeMs: Readonly<Record<string, number>>;
  /** Paper, live dry run or live, in words: logged and alerted at creation, shown by `/status`. */
  readonly tradingMode: TradingMode;
  /** The optional feeds' health (sentiment): `off` with why, or how its runs went. */
  feeds(): readonly FeedHealth[];
  /** The latest decisions of `symbol`, newest first. */
  latestDecisions(symbol: SymbolId, limit?: number): Promise<readonly Decision[]>;
  /** Updates the gauges read at scrape time (orders, account, trading state). */
  refreshMetrics(): Promise<void>;
  report(): Promise<NodeReport>;
  /**
   * The trades of this run as the engine's ledger records them, as a backtest reports them (a
   * fill at the open time of the candle it filled on); open ones marked at the last close the
   * paper broker saw (live: at their entry). `report().trades` rebuilds every run's trades
   * from the stores instead.
   */
  sessionTrades(): readonly Trade[];
  /** Starts the loops. */
  start(): void;
  /** Stops the loops (an order in flight finishes), then persists the portfolio. Idempotent. */
  stop(): Promise<void>;
}

/** Readiness age floor of the replay loops: their intervals are tiny. */
const replayMaxAgeMs = 10_000;

/**
 * Builds a trading node: restores its state from the stores, reconciles before the first trade
 * (paper: a failure throws; live: it is alerted and trading waits until one completes), opens the
 * candle driver and re-warms the strategies after a restart. Call `start()` to run the loops.
 *
 * @example
 * ```ts
 * const node = await createTradingNode(
 *   { logger, notifier, stores: store, strategy: () => createStrategy('ema_crossover'),
 *     venue: { kind: 'paper' }, marketData: { kind: 'replay', candles, feed } },
 *   settings,
 * );
 * node.start();
 * await node.replay?.finished;
 * await node.stop();
 * ```
 * @throws {ValidationError} when the settings contradict the ports (see {@link checkNodeWiring}),
 *   before anything runs.
 * @throws {StorageError} when a store fails; whatever the first paper reconciliation throws.
 */
export async function createTradingNode(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
): Promise<TradingNode> {
  checkNodeWiring(ports, settings);
  const wall = ports.clock ?? systemClock;
  const startedAt = wall.now();
  const metrics = new NodeMetrics(ports.metrics ?? noopMetrics);
  const manualClock = await replayClock(ports, settings);
  const node = await restoreNode(ports, settings, {
    clock: manualClock ?? wall,
    wall,
    metrics,
  });
  const tradingMode = announceMode(ports, settings, wall);
  await firstReconcile(node, ports, wall);
  const lock = new SerialLock();
  const driver = await CandleDriver.open({
    cycle: node.cycle,
    paperBroker: node.paperBroker,
    portfolio: node.portfolio,
    candles: ports.stores.candles,
    runtime: ports.stores.runtime,
    symbols: settings.symbols,
    timeframe: settings.interval,
    clock: node.clock,
    manualClock,
    lock,
    metrics,
    notifier: ports.notifier,
    logger: ports.logger,
    warmupCandles: node.warmupCandles,
  });
  const loops = buildLoops(node, ports, settings, driver, wall);
  const controller = buildController(node, ports, settings, { driver, lock, startedAt });
  const log = ports.logger.child({ module: 'bot' });
  let stopping: Promise<void> | null = null;
  return {
    control: controller,
    scheduler: loops.scheduler,
    metrics,
    broker: node.broker,
    replay: loops.replay,
    get reconciled() {
      return node.reconciled();
    },
    get tradingState() {
      return node.tradingState.state;
    },
    loopMaxAgeMs: loops.maxAgeMs,
    tradingMode,
    feeds: () => [loops.sentiment.health()],
    latestDecisions: (symbol, limit = 20) => ports.stores.decisions.recentDecisions(symbol, limit),
    refreshMetrics: async () => {
      const orders = await ports.stores.orders.listOrders();
      const account = node.portfolio.snapshot(node.clock.now());
      metrics.refresh(orders, account, node.tradingState.state);
    },
    report: () => nodeReport(node, ports, controller, driver),
    sessionTrades: () => {
      const marks = new Map<SymbolId, number>();
      for (const symbol of settings.symbols) {
        const close = node.paperBroker?.lastCandle(symbol)?.close;
        if (close !== undefined) marks.set(symbol, close);
      }
      return node.cycle.ledger.trades(marks);
    },
    start: () => loops.scheduler.start(),
    stop: () => {
      stopping ??= (async () => {
        await loops.scheduler.stop();
        await lock.idle();
        await node.portfolio.persist().catch((error: unknown) => {
          log.error('the portfolio could not be persisted at shutdown', { error });
        });
      })();
      return stopping;
    },
  };
}

/** In replay, a manual clock at the candle after the last one every symbol processed. */
async function replayClock(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
): Promise<ManualClock | null> {
  if (ports.marketData.kind !== 'replay') return null;
  const cursors = await Promise.all(
    settings.symbols.map((symbol) =>
      ports.stores.runtime.getLastProcessedCandle(symbol, settings.interval),
    ),
  );
  if (cursors.every((cursor): cursor is number => cursor !== null)) {
    return new ManualClock(Math.min(...cursors) + timeframeMs(settings.interval));
  }
  let first = Number.POSITIVE_INFINITY;
  for (const candles of ports.marketData.candles.values()) {
    first = Math.min(first, candles[0]?.time ?? first);
  }
  return new ManualClock(Number.isFinite(first) ? first : 0);
}

/**
 * Logs the trading mode (`paper trading: ...`, `live dry run: no order will be sent ...`,
 * `LIVE trading: ...`) and, unless `settings.startupAlert` is false, alerts it: before the first
 * reconciliation, so it is the first alert of the run.
 */
function announceMode(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  wall: Clock,
): TradingMode {
  const mode = tradingModeOf(settings);
  const { strategyLabel, strategy, symbols, interval } = settings;
  const what = `${strategyLabel ?? strategy} on ${symbols.join(', ')} (${interval})`;
  ports.logger
    .child({ module: 'bot' })
    .info(mode.text, { tradingMode: mode.kind, exchange: settings.exchange, strategy: what });
  if (settings.startupAlert !== false) {
    ports.notifier.notify({
      type: 'error',
      severity: 'info',
      code: 'BOT_STARTING',
      message: `${mode.text}. Strategy ${what}.`,
      at: wall.now(),
    });
  }
  return mode;
}

/** Every non-final order is reconciled before the first trade. */
async function firstReconcile(
  node: RestoredNode,
  ports: TradingNodePorts,
  wall: Clock,
): Promise<void> {
  if (node.paperBroker !== null) {
    await node.reconcile();
    return;
  }
  await node.reconcile().catch((error: unknown) => {
    ports.logger
      .child({ module: 'bot' })
      .error('the first reconciliation failed; no trade until one completes', { error });
    ports.notifier.notify({
      type: 'error',
      code: 'RECONCILE_FAILED',
      message: `reconciliation failed, no trading until it completes: ${describe(error)}`,
      at: wall.now(),
    });
  });
}

interface Loops {
  readonly scheduler: Scheduler;
  readonly replay: ReplayProgress | null;
  readonly maxAgeMs: Record<string, number>;
  readonly sentiment: SentimentFeed;
}

/** The four loops on a scheduler, and the replay's progress. */
function buildLoops(
  node: RestoredNode,
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  driver: CandleDriver,
  wall: Clock,
): Loops {
  const { marketData, notifier } = ports;
  const replaying = marketData.kind === 'replay';
  const sentiment = sentimentFeed(ports, settings, wall);
  const runs = loopRuns(node, ports, driver, sentiment);
  const standard = standardLoops(settings);
  const optional: ReadonlySet<string> = new Set(
    standard.filter((loop) => loop.optional).map((loop) => loop.name),
  );
  const scheduler = new Scheduler({
    clock: wall,
    logger: ports.logger,
    jitter: !replaying,
    onLoopError: (name, error, failures) => {
      node.metrics.loopFailed(name);
      // An optional feed's failures are its monitor's warnings, rate-limited.
      if (optional.has(name)) return;
      notifier.notify({
        type: 'error',
        code: `LOOP_FAILED_${name.toUpperCase().replace('-', '_')}`,
        message: `the ${name} loop failed (${failures} in a row; it backs off and the other loops go on): ${describe(error)}`,
        at: wall.now(),
      });
    },
  });
  const speed = replaying ? (marketData.speed ?? 0) : 0;
  const replayIntervalMs = speed > 0 ? Math.max(1, Math.round(1000 / speed)) : 1;
  const maxAgeMs: Record<string, number> = {};
  for (const loop of standard) {
    const paced = replaying && (loop.name === 'market-data' || loop.name === 'strategy');
    const intervalMs = paced ? replayIntervalMs : loop.intervalMs;
    if (paced) maxAgeMs[loop.name] = Math.max(replayMaxAgeMs, intervalMs * 5);
    const run = runs.runs[loop.name];
    scheduler.addLoop({
      name: loop.name,
      intervalMs,
      enabled: loop.enabled && !(loop.name === 'sentiment' && sentiment.port === null),
      optional: loop.optional,
      run: async () => {
        const started = performance.now();
        try {
          await run();
        } finally {
          node.metrics.loopRun(loop.name, (performance.now() - started) / 1000);
        }
      },
    });
  }
  return { scheduler, replay: runs.progress, maxAgeMs, sentiment };
}

/** The sentiment feed: its port and monitor when it runs, why not when it does not. */
interface SentimentFeed {
  readonly port: SentimentPort | null;
  readonly monitor: FeedMonitor | null;
  health(): FeedHealth;
}

/**
 * Whether the sentiment feed runs: with live market data, a sentiment port, and a strategy that
 * reads the market context ({@link marketContextUse}). Logged either way, with why.
 */
function sentimentFeed(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  wall: Clock,
): SentimentFeed {
  const use = marketContextUse({
    key: settings.strategy,
    kind: settings.strategyProvenance?.kind,
    params: settings.strategyParams,
  });
  const port = ports.sentiment;
  const why =
    ports.marketData.kind === 'replay'
      ? 'replayed candles: the market context is not fetched in replay'
      : port === undefined
        ? 'no sentiment source was given to the node'
        : use.why;
  const log = ports.logger.child({ module: 'bot' });
  if (ports.marketData.kind === 'replay' || port === undefined || !use.uses) {
    log.info('sentiment feed off', { why });
    const off = feedOff('sentiment', why);
    return { port: null, monitor: null, health: () => off };
  }
  log.info('sentiment feed on: an optional feed, its failures never make the node unready', {
    why,
  });
  const monitor = new FeedMonitor({
    name: 'sentiment',
    why,
    clock: wall,
    notifier: ports.notifier,
    parts: () => sentimentParts(port),
  });
  return { port, monitor, health: () => monitor.health() };
}

/** The enabled sentiment sources, each with its state. */
function sentimentParts(port: SentimentPort): FeedPartHealth[] {
  return port
    .status()
    .filter((part) => part.enabled)
    .map((part) => ({
      name: part.part,
      feed: part.feed,
      status:
        part.lastError !== null ? 'degraded' : part.lastAttemptAt === null ? 'starting' : 'ok',
      lastError:
        part.lastError === null ? null : `${part.lastError.code}: ${part.lastError.message}`,
      ageMs: part.ageMs,
    }));
}

/**
 * One run of the sentiment loop: refresh, hand the context to the strategies, tell the monitor.
 * Throws (so the loop backs off) only when every source failed.
 */
async function refreshSentiment(node: RestoredNode, feed: SentimentFeed): Promise<void> {
  const { port, monitor } = feed;
  if (port === null || monitor === null) return;
  let failure: string;
  try {
    const result = await port.refresh();
    node.setMarketContext(await port.snapshot());
    const enabled = port.status().filter((part) => part.enabled);
    const failed = enabled.filter((part) => result.failed.includes(part.part));
    if (failed.length === 0) {
      monitor.succeeded();
      return;
    }
    // Each message names its provider (`Fear & Greed: HTTP 500 from ...`).
    failure = failed.map((part) => part.lastError?.message ?? `${part.feed} failed`).join('; ');
    if (failed.length < enabled.length) {
      monitor.failed(failure);
      return;
    }
  } catch (error) {
    failure = describe(error);
  }
  monitor.failed(failure);
  throw new Error(`every sentiment feed failed (${failure}); trading goes on without sentiment`);
}

/** What each loop runs; in replay, the feed resumes after the last candle processed. */
function loopRuns(
  node: RestoredNode,
  ports: TradingNodePorts,
  driver: CandleDriver,
  sentiment: SentimentFeed,
): {
  readonly runs: Record<StandardLoopName, () => Promise<void>>;
  readonly progress: (ReplayProgress & { finish(): void }) | null;
} {
  const { marketData } = ports;
  const log = ports.logger.child({ module: 'bot' });
  const feed = marketData.kind === 'replay' ? marketData.feed(driver.resumePoint) : null;
  const progress = feed === null ? null : replayProgress(feed.total);
  if (marketData.kind === 'replay' && feed !== null) {
    const rewarmed = driver.rewarm(marketData.candles);
    log.info('replay ready', {
      candleTimes: feed.total,
      resumeAfter: driver.resumePoint,
      rewarmed,
    });
  }
  let reconcileBeforeTrading = false;
  const trade = async (): Promise<void> => {
    if (feed !== null && progress !== null) {
      const batch = feed.take();
      if (batch !== null) await driver.process(batch.time, batch.candles);
      if (feed.finished && !progress.done) {
        log.info('replay finished', { candleTimes: feed.total });
        progress.finish();
      }
      return;
    }
    await driver.processStored(node.clock.now());
    if (marketData.kind === 'live') {
      const quotes = marketData.quotes;
      await driver.checkTicks(async (symbol) => (await quotes.fetchTicker(symbol)).last);
    }
  };
  const runs: Record<StandardLoopName, () => Promise<void>> = {
    'market-data': () => (feed === null ? pollLive(marketData as LiveMarketData) : feed.poll()),
    strategy: async () => {
      if (node.reconciled() === null) {
        throw new Error('waiting for the first complete reconciliation before trading');
      }
      // After a storage failure the store may lack an order's result: reconcile before trading.
      if (reconcileBeforeTrading) {
        await node.reconcile();
        reconcileBeforeTrading = false;
      }
      try {
        await trade();
      } catch (error) {
        if (causedByStorage(error)) reconcileBeforeTrading = true;
        throw error;
      }
    },
    reconcile: () => node.reconcile(),
    sentiment: () => refreshSentiment(node, sentiment),
  };
  return { runs, progress };
}

/** The market-data loop's run with live data: a symbol that failed fails the run. */
async function pollLive(marketData: LiveMarketData): Promise<void> {
  const result = await marketData.poll();
  const errors = result.symbols
    .filter((symbol) => symbol.status === 'failed')
    .map((symbol) => `${symbol.symbol}: ${symbol.error?.message ?? 'failed'}`);
  if (errors.length > 0) throw new Error(`market data failed for ${errors.join('; ')}`);
}

function replayProgress(total: number): ReplayProgress & { finish(): void } {
  let finish = (): void => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let done = false;
  return {
    total,
    finished,
    get done() {
      return done;
    },
    finish: () => {
      done = true;
      finish();
    },
  };
}

/** The strategy as `/status` shows it: key, label, source and parameters. */
function strategyStatus(settings: TradingNodeSettings): BotStrategyStatus {
  const { strategy: id, strategyLabel, strategyProvenance, strategyParams } = settings;
  const status: BotStrategyStatus = {
    id,
    label: strategyLabel ?? id,
    ...(strategyParams === undefined ? {} : { params: strategyParams }),
  };
  if (strategyProvenance === undefined) return status;
  // The provenance's `key` is `id` here: redaction would hide a field named `key`.
  const { key: _key, ...source } = strategyProvenance;
  return { ...status, source };
}

/** The control surface over the restored node. */
function buildController(
  node: RestoredNode,
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  parts: { driver: CandleDriver; lock: SerialLock; startedAt: number },
): BotController {
  const { stores, marketData, markets } = ports;
  const quotes = marketData.kind === 'live' ? marketData.quotes : null;
  const live = ports.venue.kind === 'live' ? ports.venue.broker : null;
  return new BotController({
    mode: settings.mode,
    modeText: tradingModeOf(settings).text,
    exchange: settings.exchange,
    symbols: settings.symbols,
    timeframe: settings.interval,
    strategy: settings.strategy,
    strategyStatus: strategyStatus(settings),
    cycle: node.cycle,
    driver: parts.driver,
    lock: parts.lock,
    broker: node.broker,
    portfolio: node.portfolio,
    tradingState: node.tradingState,
    pauses: node.pauses,
    orders: stores.orders,
    decisions: node.decisions,
    candles: stores.candles,
    clock: node.clock,
    notifier: ports.notifier,
    exitPrice: async (symbol) => {
      if (quotes !== null) return (await quotes.fetchTicker(symbol)).last;
      const close = node.paperBroker?.lastCandle(symbol)?.close;
      if (close === undefined) throw new Error(`no price for ${symbol} yet: no candle processed`);
      return close;
    },
    circuitOpen: () => live?.breakerState() === 'open',
    startedAt: parts.startedAt,
    ...(markets === undefined ? {} : { markets }),
    adjustments: () => stores.runtime.listPositionAdjustments(),
    writeOffMissing: (symbol, reason, adjustedBy) =>
      live === null || quotes === null
        ? Promise.resolve(null)
        : node.writeOff(symbol, reason, adjustedBy, quotes),
  });
}

async function nodeReport(
  node: RestoredNode,
  ports: TradingNodePorts,
  controller: BotController,
  driver: CandleDriver,
): Promise<NodeReport> {
  const [orders, fills, trades] = await Promise.all([
    ports.stores.orders.listOrders(),
    ports.stores.orders.listFills(),
    controller.allTrades(),
  ]);
  const ours = new Set(
    orders
      .filter((order) => order.exchange === node.broker.name)
      .map((order) => order.clientOrderId),
  );
  return {
    trades,
    decisions: { ...node.decisions.outcomes },
    blocked: { ...node.decisions.blocked },
    orders: ours.size,
    fills: fills.filter((fill) => ours.has(fill.clientOrderId)).length,
    account: node.portfolio.snapshot(node.clock.now()),
    startingCash: node.startingCash,
    candlesProcessed: driver.processed,
  };
}

/** Whether an error, or any of its causes, is a storage failure. */
function causedByStorage(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (StorageError.isInstance(current)) return true;
  }
  return false;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Refuses wiring that would let the node trade other than its settings say: the mode decides the
 * live-trading gate (`ALLOW_LIVE_TRADING`) and the reconcile loop, the venue decides where orders
 * go, so the two must agree; and a live venue never runs on replayed candles. Fails closed, before
 * any port is used.
 *
 * @throws {ValidationError} naming the setting and the fix.
 */
export function checkNodeWiring(ports: TradingNodePorts, settings: TradingNodeSettings): void {
  if (settings.mode !== ports.venue.kind) {
    throw new ValidationError(
      `settings.mode is "${settings.mode}" but the venue is ${ports.venue.kind}: give a ${settings.mode} venue, or set mode to "${ports.venue.kind}" (the mode decides the live-trading gate and the reconcile loop)`,
    );
  }
  if (ports.venue.kind === 'live' && ports.marketData.kind === 'replay') {
    throw new ValidationError(
      'marketData.kind is "replay" with a live venue: a live node trades on live candles; replay candles with a paper venue',
    );
  }
}
