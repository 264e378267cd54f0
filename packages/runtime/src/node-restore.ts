/**
 * Restart recovery of a trading node: the broker (a paper book restored from the stored paper
 * orders, or the live broker), the portfolio from the stored fills, the trading state, the symbol
 * pauses, the trailing stops and the brackets; then the trade cycle over them and the reconciler
 * with the holdings check.
 */
import {
  timeframeMs,
  type Broker,
  type Clock,
  type MarketContext,
  type MarketDataSource,
  type PositionAdjustment,
  type Strategy,
  type SymbolId,
} from '@lumenlink/core';
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
  type TradeCycleSettings,
} from '@lumenlink/engine';
import {
  Portfolio,
  Reconciler,
  TrailingStopManager,
  type LiveBroker,
  type ReconcileReport,
} from '@lumenlink/execution';
import { RiskEngine, RiskProtections, SymbolPauses, TradingStateMachine } from '@lumenlink/risk';
import { DecisionCounter } from './decision-counter.js';
import type { NodeMetrics } from './node-metrics.js';
import type { TradingNodePorts, TradingNodeSettings } from './node-ports.js';
import { ResumablePaperBroker } from './resumable-paper-broker.js';

/** A node's restored parts, before its loops exist. */
export interface RestoredNode {
  /** The engine's clock: the wall clock, or in replay a manual clock. */
  readonly clock: Clock;
  readonly metrics: NodeMetrics;
  readonly broker: Broker;
  readonly paperBroker: ResumablePaperBroker | null;
  readonly cycle: TradeCycle;
  readonly portfolio: Portfolio;
  readonly tradingState: TradingStateMachine;
  readonly pauses: SymbolPauses;
  readonly decisions: DecisionCounter;
  readonly startingCash: number;
  /** Candles a strategy needs before its signals count (its warm-up, at least the ATR's). */
  readonly warmupCandles: number;
  /** Reconciles every non-final order, then checks the holdings (live). */
  reconcile(): Promise<void>;
  /** The last complete reconciliation, or `null`. */
  reconciled(): ReconcileReport | null;
  setMarketContext(context: MarketContext): void;
  /** Writes off what of a position the exchange no longer holds (live). */
  writeOff(
    symbol: SymbolId,
    reason: string,
    adjustedBy: string,
    quotes: MarketDataSource,
  ): Promise<PositionAdjustment | null>;
}

/** The clocks and metrics the restore works with. */
export interface RestoreContext {
  readonly clock: Clock;
  readonly wall: Clock;
  readonly metrics: NodeMetrics;
}

/**
 * Restores a node's state from its stores. Stored fills that do not add up never stop the start:
 * the symbol is paused until an operator resumes it (entries blocked, exits allowed) and alerted.
 *
 * @throws {StorageError} when a store fails.
 */
export async function restoreNode(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  context: RestoreContext,
): Promise<RestoredNode> {
  const account = await restoreAccount(ports, settings, context);
  const decisions = new DecisionCounter(ports.stores.decisions, context.metrics);
  const strategies = new Map(settings.symbols.map((symbol) => [symbol, ports.strategy(symbol)]));
  let marketContext: MarketContext | undefined;
  const cycle = await tradeCycle(ports, settings, context, {
    account,
    decisions,
    strategies,
    marketContext: () => marketContext,
  });
  const reconciliation = reconciliationOf(ports, settings, context, account, cycle);
  const { venue, portfolio } = account;
  return {
    clock: context.clock,
    metrics: context.metrics,
    broker: venue.broker,
    paperBroker: venue.paper,
    cycle,
    portfolio,
    tradingState: account.tradingState,
    pauses: account.pauses,
    decisions,
    startingCash: account.startingCash,
    warmupCandles: Math.max(
      ...[...strategies.values()].map((strategy) => strategy.warmup),
      settings.trading.atrPeriod + 1,
    ),
    reconcile: reconciliation.reconcile,
    reconciled: reconciliation.reconciled,
    setMarketContext: (next) => {
      marketContext = next;
    },
    writeOff: async (symbol, reason, adjustedBy, quotes) => {
      if (venue.live === null) return null;
      // Reconciled first, so a fill that came late is counted before anything is written off.
      await reconciliation.reconcileOrders();
      const log = ports.logger.child({ module: 'bot' });
      const adjustment = await writeOffMissing({
        cycle,
        portfolio,
        runtime: ports.stores.runtime,
        clock: context.clock,
        symbol,
        balance: await venue.live.fetchBalance(),
        price: await quotes
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
        ...(ports.markets === undefined ? {} : { markets: ports.markets }),
      });
      if (adjustment !== null) {
        log.warn('position written off: the exchange no longer holds it', { ...adjustment });
      }
      return adjustment;
    },
  };
}

/** The broker, the portfolio, the trading state and the symbol pauses, as stored. */
interface RestoredAccount {
  readonly venue: Venue;
  readonly startingCash: number;
  readonly portfolio: Portfolio;
  readonly tradingState: TradingStateMachine;
  readonly pauses: SymbolPauses;
  readonly pauseSymbol: PauseSymbol;
}

async function restoreAccount(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  context: RestoreContext,
): Promise<RestoredAccount> {
  const { stores, markets } = ports;
  const { clock } = context;
  const venue = await openVenue(ports, settings, clock);
  const fills = roleFills(venue.history);
  let startingCash = settings.paper.startingCash;
  if (venue.live !== null && ports.venue.kind === 'live') {
    const fromBalance = liveStartingCash(ports.venue.balance, settings.symbols, fills);
    startingCash = fromBalance.startingCash;
    ports.logger
      .child({ module: 'bot' })
      .info('live account', { quote: fromBalance.quote, startingCash });
  }
  const portfolio = await Portfolio.restore(stores.portfolio, {
    clock,
    startingCash,
    fills,
    adjustments: await stores.runtime.listPositionAdjustments(),
    ...(markets === undefined ? {} : { markets }),
  });
  const tradingState = await TradingStateMachine.open({
    store: stores.runtime,
    clock,
    killSwitch: settings.killSwitch,
  });
  const pauses = await SymbolPauses.open({ store: stores.runtime, clock });
  const pauseSymbol = symbolPauser(ports, pauses, context.wall);
  await pauseInconsistent(ports, settings, portfolio, pauseSymbol, context.wall);
  return { venue, startingCash, portfolio, tradingState, pauses, pauseSymbol };
}

/** The trade cycle over the restored account, with its trailing stops and brackets. */
async function tradeCycle(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  { clock }: RestoreContext,
  parts: {
    readonly account: RestoredAccount;
    readonly decisions: DecisionCounter;
    readonly strategies: ReadonlyMap<SymbolId, Strategy>;
    readonly marketContext: () => MarketContext | undefined;
  },
): Promise<TradeCycle> {
  const { stores, markets, marketData, logger } = ports;
  const { venue, portfolio, tradingState, pauses, pauseSymbol } = parts.account;
  const { decisions } = parts;
  return new TradeCycle({
    clock,
    settings: cycleSettings(settings),
    symbolPaused: (symbol) => pauses.reason(symbol),
    // A fill beyond the position while trading: counted as far as it was the bot's; paused.
    onFillIssue: (issue) => {
      pauseSymbol(issue.symbol, issue.problem, 'trade', [issue.tradeId]).catch((error: unknown) =>
        logger.error('the symbol could not be paused', { symbol: issue.symbol, error }),
      );
    },
    strategies: parts.strategies,
    risk: new RiskEngine(settings.risk),
    tradingState,
    protections: new RiskProtections({ tradingState, clock, limits: settings.risk }),
    broker: venue.broker,
    orders: stores.orders,
    decisions,
    portfolio,
    trailingStops: await TrailingStopManager.restore({ clock, store: stores.runtime }),
    brackets: await restoreBrackets({
      clock,
      positions: portfolio.positions(),
      history: venue.history,
      decisions,
      ...optionalLevels(settings),
      logger,
    }),
    ...(markets === undefined ? {} : { markets }),
    // Replay has no quotes: the ticker and book guards report "no book", as in a backtest.
    ...(marketData.kind === 'live'
      ? { marketData: marketData.quotes, marketContext: parts.marketContext }
      : {}),
    notifier: ports.notifier,
    logger,
    ...(venue.live === null ? {} : { entryBreaker: venue.live.entryBreaker }),
    // The paper broker is in this process: its "not found" is final at once.
    ...(venue.paper === null ? {} : { notFoundGrace: { checks: 1, windowMs: 0 } }),
  });
}

/** Reconciliation of the node's orders, then (live) the holdings check. */
function reconciliationOf(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  context: RestoreContext,
  account: RestoredAccount,
  cycle: TradeCycle,
): {
  readonly reconcile: () => Promise<void>;
  readonly reconciled: () => ReconcileReport | null;
  readonly reconcileOrders: () => Promise<ReconcileReport>;
} {
  const { venue, portfolio, pauseSymbol } = account;
  const reconciler = reconcilerOf(ports, settings, cycle, venue.broker, context);
  let reconciled: ReconcileReport | null = null;
  // Live: the exchange must hold at least the bot's positions; less means coins were sold or
  // moved outside the bot (or a fill is missing): the symbol is paused and sells are capped at
  // the free balance by risk.
  const checkHoldings = async (): Promise<void> => {
    // No position, nothing to hold: no balance read (weight 20 on Binance).
    if (venue.live === null || portfolio.positions().length === 0) return;
    const balance = await venue.live.fetchBalance();
    for (const shortfall of await settledShortfalls(cycle, portfolio, balance, ports.markets)) {
      for (const symbol of shortfall.symbols) {
        await pauseSymbol(symbol, shortfallReason(shortfall), 'reconcile');
      }
    }
  };
  return {
    reconcile: async () => {
      const report = await reconciler.reconcile();
      await checkHoldings();
      if (reconciled === null || report.changed > 0 || report.adopted.length > 0) {
        ports.logger.child({ module: 'bot' }).info('reconciled', {
          checked: report.checked,
          changed: report.changed,
          adopted: report.adopted.length,
          conflicts: report.conflicts.length,
          fills: report.fills,
        });
      }
      reconciled = report;
    },
    reconciled: () => reconciled,
    reconcileOrders: () => reconciler.reconcile(),
  };
}

interface Venue {
  readonly broker: Broker;
  readonly paper: ResumablePaperBroker | null;
  readonly live: LiveBroker | null;
  readonly history: StoredHistory;
}

/** The paper book restored from the stored paper orders, or the live broker. */
async function openVenue(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  clock: Clock,
): Promise<Venue> {
  if (ports.venue.kind === 'live') {
    const broker = ports.venue.broker;
    return {
      broker,
      paper: null,
      live: broker,
      history: await storedHistory(ports.stores.orders, broker.name),
    };
  }
  const history = await storedHistory(ports.stores.orders, 'paper');
  const paper = new ResumablePaperBroker({
    clock,
    feeBps: settings.paper.feeBps,
    slippageBps: settings.paper.slippageBps,
    startingCash: settings.paper.startingCash,
    ...(ports.markets === undefined ? {} : { markets: ports.markets }),
    ...(ports.marketData.kind === 'live' ? { marketData: ports.marketData.quotes } : {}),
    restore: history,
  });
  return { broker: paper, paper, live: null, history };
}

type PauseSymbol = (
  symbol: SymbolId,
  reason: string,
  by: string,
  issues?: readonly string[],
) => Promise<void>;

/** Pauses a symbol (stored when it can be), logs and alerts it. */
function symbolPauser(ports: TradingNodePorts, pauses: SymbolPauses, wall: Clock): PauseSymbol {
  const log = ports.logger.child({ module: 'bot' });
  return async (symbol, reason, by, issues = []) => {
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
    ports.notifier.notify({
      type: 'error',
      code: 'SYMBOL_PAUSED',
      message: `${symbol} paused (exits only) until an operator resumes it (POST /resume {"symbol":"${symbol}"}): ${reason}${stored ? '' : ' (the pause could not be stored: it lasts until a restart)'}`,
      at: wall.now(),
    });
  };
}

/** The portfolio's restore issues: fees are warned about, fills that do not add up pause. */
async function pauseInconsistent(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  portfolio: Portfolio,
  pauseSymbol: PauseSymbol,
  wall: Clock,
): Promise<void> {
  const log = ports.logger.child({ module: 'bot' });
  for (const issue of portfolio.restoreIssues) {
    if (issue.kind === 'fee') {
      log.warn('a stored fill fee is not counted', {
        symbol: issue.symbol,
        problem: issue.problem,
      });
      continue;
    }
    log.error('a stored fill does not add up', { symbol: issue.symbol, problem: issue.problem });
    if (settings.symbols.includes(issue.symbol)) {
      await pauseSymbol(issue.symbol, issue.problem, 'restore', [issue.tradeId]);
    } else {
      ports.notifier.notify({
        type: 'error',
        code: 'FILL_INCONSISTENT',
        message: issue.problem,
        at: wall.now(),
      });
    }
  }
}

function optionalLevels(settings: TradingNodeSettings): {
  stopLossPct?: number;
  takeProfitPct?: number;
} {
  const { stopLossPct, takeProfitPct } = settings.trading;
  return {
    ...(stopLossPct === undefined ? {} : { stopLossPct }),
    ...(takeProfitPct === undefined ? {} : { takeProfitPct }),
  };
}

function cycleSettings(settings: TradingNodeSettings): TradeCycleSettings {
  const { trading, paper } = settings;
  return {
    mode: settings.mode,
    allowLiveTrading: settings.allowLiveTrading,
    intervalMs: timeframeMs(settings.interval),
    atrPeriod: trading.atrPeriod,
    trailingStopAtrMultiple: trading.trailingStopAtrMult,
    ...optionalLevels(settings),
    cooldownMs: trading.signalCooldownMs,
    // As the backtest driver: room for the fee and a price that moved by the next open.
    cashReserveBps: paper.feeBps + paper.slippageBps + 100,
    priceBandPct: trading.priceBandPct,
  };
}

/** The reconciler of the node's orders, alerting what it finds. */
function reconcilerOf(
  ports: TradingNodePorts,
  settings: TradingNodeSettings,
  cycle: TradeCycle,
  broker: Broker,
  { clock, wall }: RestoreContext,
): Reconciler {
  const { notifier } = ports;
  return new Reconciler({
    broker,
    orders: ports.stores.orders,
    clock,
    manager: cycle.orderManager,
    symbols: settings.symbols,
    logger: ports.logger,
    onResurrected: (order) =>
      notifier.notify({
        type: 'error',
        code: 'ORDER_RESURRECTED',
        message: `${order.clientOrderId} (${order.side} ${order.quantity} ${order.symbol}) was proven never placed, yet the exchange shows it ${order.status}: its fills are now stored`,
        at: wall.now(),
      }),
    onAdopted: (order) =>
      notifier.notify({
        type: 'error',
        code: 'ORDER_ADOPTED',
        message: `adopted ${order.clientOrderId} (${order.side} ${order.quantity} ${order.symbol}), an order of ours the store did not know`,
        at: wall.now(),
      }),
    onForeignOrder: (order) =>
      ports.logger.warn('an open exchange order that is not ours; left alone', {
        exchangeOrderId: order.exchangeOrderId,
        symbol: order.symbol,
      }),
    onConflict: (exchangeOrder, stored) =>
      notifier.notify({
        type: 'error',
        code: 'ORDER_CONFLICT',
        message: `${stored.clientOrderId} is ${stored.status} in the store but open on the exchange (${exchangeOrder.exchangeOrderId})`,
        at: wall.now(),
      }),
  });
}
