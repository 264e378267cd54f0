/**
 * The running bot as its operators see it: the `BotControl` of the Telegram commands and the
 * HTTP server's `HttpBotControl`, over the trade cycle, the portfolio and the store.
 */
import {
  ValidationError,
  parseSymbol,
  timeframeMs,
  type Balance,
  type BotControl,
  type BotStatus,
  type BotStrategyStatus,
  type DailyReport,
  type ForceExitResult,
  type PnlReport,
  type TradeSummary,
  type Broker,
  type CandleStore,
  type Clock,
  type Decision,
  type DecisionStore,
  type Notifier,
  type Order,
  type OrderStore,
  type Position,
  type SymbolId,
  type SymbolPause,
  type MarketInfo,
  type PositionAdjustment,
  type Timeframe,
  type TradingState,
  type TradingStateRecord,
} from '@lumenlink/core';
import {
  TradeLedger,
  inQuoteFees,
  storedHistory,
  type Trade,
  type TradeCycle,
} from '@lumenlink/engine';
import { replayOrder, type Portfolio } from '@lumenlink/execution';
import type { SymbolPauses, TradingStateMachine } from '@lumenlink/risk';
import type { CandleDriver } from './candle-driver.js';
import type { HttpBotControl } from './http-server.js';
import type { SerialLock } from './serial-lock.js';

/** What the controller reads and drives. */
export interface BotControllerOptions {
  readonly mode: 'paper' | 'live';
  /** The mode in words (`tradingModeOf(...).text`), for `/status`. */
  readonly modeText?: string;
  readonly exchange: string;
  readonly symbols: readonly SymbolId[];
  readonly timeframe: Timeframe;
  /** The strategy key (as orders and decisions record it). */
  readonly strategy: string;
  /** The strategy's label, source and parameters, for the status (default: the key alone). */
  readonly strategyStatus?: BotStrategyStatus;
  readonly cycle: TradeCycle;
  readonly driver: CandleDriver;
  readonly lock: SerialLock;
  readonly broker: Broker;
  readonly portfolio: Portfolio;
  readonly tradingState: TradingStateMachine;
  /** The symbols paused alone (inconsistent with the exchange) until an operator resumes them. */
  readonly pauses: SymbolPauses;
  /**
   * When an operator resumes a paused symbol: writes off what of its position the exchange no
   * longer holds (stored, then applied), returning the write-off or `null` when nothing is
   * missing (paper, or the exchange holds the position).
   */
  readonly writeOffMissing: (
    symbol: SymbolId,
    reason: string,
    adjustedBy: string,
  ) => Promise<PositionAdjustment | null>;
  /** The stored position write-offs (they end trades like exits). */
  readonly adjustments: () => Promise<readonly PositionAdjustment[]>;
  /** Market rules of the traded symbols, for the trade list's dust rule. */
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
  readonly orders: OrderStore;
  readonly decisions: DecisionStore;
  readonly candles: CandleStore;
  /** The engine's clock (a manual clock in replay). */
  readonly clock: Clock;
  readonly notifier: Notifier;
  /** The price a force exit is sent at: the last close (paper on candles) or the ticker. */
  readonly exitPrice: (symbol: SymbolId) => Promise<number>;
  /** Whether the live broker's entry circuit breaker is open. */
  readonly circuitOpen: () => boolean;
  /** When the bot started (wall clock). */
  readonly startedAt: number;
}

/** Decisions kept per symbol by `why`. */
const whyDepth = 20;
const dayMs = 86_400_000;

/**
 * The bot's control surface: status, positions, balance, P&L, trades, the reasons of recent
 * decisions, a force exit through the trade cycle, and audited trading-state changes. Shared by
 * the Telegram commands and the HTTP server, so both see and change the same bot.
 */
export class BotController implements BotControl, HttpBotControl {
  readonly #options: BotControllerOptions;

  constructor(options: BotControllerOptions) {
    this.#options = options;
  }

  status(): Promise<BotStatus> {
    const options = this.#options;
    return Promise.resolve({
      mode: options.mode,
      ...(options.modeText === undefined ? {} : { modeText: options.modeText }),
      exchange: options.exchange,
      symbols: options.symbols,
      tradingState: options.tradingState.record,
      circuitOpen: options.circuitOpen(),
      lastCandleAt: options.driver.lastCandleAt,
      startedAt: options.startedAt,
      pausedSymbols: options.pauses.list(),
      strategy: options.strategyStatus ?? { id: options.strategy, label: options.strategy },
    });
  }

  /**
   * Lifts a symbol's pause: an operator has looked at why its fills and the exchange disagreed.
   * Alerted and logged; entries of the symbol are allowed again.
   *
   * @throws {ValidationError} for a symbol that is not traded or not paused.
   * @throws {StorageError} when the change cannot be stored (the pause stays).
   */
  async resumeSymbol(
    symbol: SymbolId,
    reason: string,
    resumedBy: string,
  ): Promise<SymbolPause & { readonly writtenOff: PositionAdjustment | null }> {
    const checked = this.#traded(symbol);
    const { pauses, lock, writeOffMissing } = this.#options;
    if (pauses.reason(checked) === null) {
      throw new ValidationError(`${checked} is not paused; nothing to resume`);
    }
    // What the exchange no longer holds is written off first, so the resumed symbol trades on
    // what is there (and the next reconciliation finds no shortfall to pause it again).
    const writtenOff = await lock.run(() => writeOffMissing(checked, reason, resumedBy));
    const lifted = await pauses.resume(checked);
    if (lifted === null) {
      throw new ValidationError(`${checked} is not paused; nothing to resume`);
    }
    const wrote =
      writtenOff === null
        ? ''
        : `; ${writtenOff.quantity} ${checked} the exchange no longer holds written off`;
    this.#options.notifier.notify({
      type: 'trading_state_changed',
      from: 'reducing',
      to: this.#options.tradingState.state,
      reason: `${checked} resumed: ${reason} (it was paused by ${lifted.pausedBy}: ${lifted.reason})${wrote}`,
      changedBy: resumedBy,
      at: this.#options.clock.now(),
    });
    return { ...lifted, writtenOff };
  }

  positions(): Promise<readonly Position[]> {
    return Promise.resolve(this.#options.portfolio.positions());
  }

  balance(): Promise<Balance> {
    return this.#options.broker.fetchBalance();
  }

  pnl(): Promise<PnlReport> {
    const snapshot = this.#options.portfolio.snapshot(this.#options.clock.now());
    return Promise.resolve({
      equity: snapshot.equity,
      realizedPnl: snapshot.realizedPnl,
      unrealizedPnl: snapshot.unrealizedPnl,
      dailyPnl: snapshot.dailyPnl,
      peakEquity: snapshot.peakEquity,
    });
  }

  async daily(): Promise<DailyReport> {
    const now = this.#options.clock.now();
    const dayStart = Math.floor(now / dayMs) * dayMs;
    const snapshot = this.#options.portfolio.snapshot(now);
    const trades = await this.allTrades();
    return {
      day: new Date(dayStart).toISOString().slice(0, 10),
      pnl: snapshot.dailyPnl,
      equity: snapshot.equity,
      trades: trades.filter((trade) => trade.exitTime !== null && trade.exitTime >= dayStart)
        .length,
    };
  }

  async trades(limit: number): Promise<readonly TradeSummary[]> {
    const trades = await this.allTrades();
    return trades
      .sort(
        (a, b) => (b.exitTime ?? Infinity) - (a.exitTime ?? Infinity) || b.entryTime - a.entryTime,
      )
      .slice(0, Math.max(0, limit))
      .map((trade) => ({
        symbol: trade.symbol,
        quantity: trade.quantity,
        entryPrice: trade.entryPrice,
        exitPrice: trade.exitPrice,
        pnl: trade.exitTime === null ? null : trade.pnl,
        openedAt: trade.entryTime,
        closedAt: trade.exitTime,
      }));
  }

  /**
   * Every trade of this broker (flat to flat) from the stored orders and fills, so it survives
   * restarts; open trades are marked at their symbol's last processed close.
   */
  async allTrades(): Promise<Trade[]> {
    const { orders: store, broker, markets } = this.#options;
    const history = await storedHistory(store, broker.name);
    const roles = new Map(history.orders.map((order) => [order.clientOrderId, order]));
    const ledger = new TradeLedger(markets === undefined ? {} : { markets });
    // Write-offs replayed where the portfolio replays them.
    for (const step of replayOrder(
      history.fills,
      (fill) => fill,
      await this.#options.adjustments(),
    )) {
      if (step.kind === 'write-off') {
        ledger.writeOff(step.adjustment);
        continue;
      }
      const order = roles.get(step.item.clientOrderId);
      if (order !== undefined) {
        ledger.apply(inQuoteFees(step.item), { role: order.role, candleTime: order.candleTime });
      }
    }
    return ledger.trades(await this.#lastCloses());
  }

  async why(symbol: SymbolId): Promise<readonly Decision[]> {
    const checked = this.#traded(symbol);
    const { decisions, cycle, timeframe } = this.#options;
    const stored = await decisions.recentDecisions(checked, whyDepth);
    const latest = cycle.latestDecision(checked);
    const newest = stored[0];
    if (
      latest !== null &&
      latest.outcome === 'hold' &&
      (newest === undefined || latest.candleTime > newest.candleTime)
    ) {
      const hold: Decision = {
        symbol: checked,
        strategy: this.#options.strategy,
        candleTime: latest.candleTime,
        decidedAt: latest.candleTime + timeframeMs(timeframe),
        signal: latest.signal,
        verdict: null,
        outcome: 'hold',
        clientOrderId: null,
        note: latest.note,
      };
      return [hold, ...stored];
    }
    return stored;
  }

  /**
   * Closes the symbol's position now through the trade cycle (risk and the order manager, role
   * `force_exit`): on paper at the last close, live at market.
   */
  async forceExit(symbol: SymbolId): Promise<ForceExitResult> {
    const checked = this.#traded(symbol);
    const { lock, portfolio, cycle, decisions, exitPrice } = this.#options;
    return lock.run(async () => {
      const position = portfolio.position(checked);
      if (position === undefined || !(position.quantity > 0)) {
        return { submitted: false, message: `no open ${checked} position` };
      }
      const price = await exitPrice(checked);
      const [before] = await decisions.recentDecisions(checked, 1);
      await cycle.closeAll('force exit requested by the operator', new Map([[checked, price]]));
      const [after] = await decisions.recentDecisions(checked, 1);
      if (after === undefined || sameDecision(before, after)) {
        return { submitted: false, message: `no exit was sent for ${checked}` };
      }
      if (after.outcome === 'submitted') {
        return {
          submitted: true,
          message: `exit ${after.clientOrderId ?? ''} sent for ${checked} at about ${price}: ${after.note}`,
        };
      }
      return { submitted: false, message: `exit ${after.outcome}: ${after.note}` };
    });
  }

  /**
   * Changes the trading state, persisted and audited with `changedBy` (`http`,
   * `telegram:<chat>`), and alerts it. Halting with open positions says they are unprotected.
   *
   * @throws {KillSwitchError} when lifting a halt while `KILL_SWITCH=true` in config.
   * @throws {StorageError} when the change cannot be stored.
   */
  async setTradingState(
    state: TradingState,
    reason: string,
    changedBy: string,
  ): Promise<TradingStateRecord> {
    const { tradingState, notifier, portfolio } = this.#options;
    const before = tradingState.state;
    let record: TradingStateRecord;
    switch (state) {
      case 'halted':
        record = await tradingState.halt(reason, changedBy);
        break;
      case 'reducing':
        record = await tradingState.reduce(reason, changedBy, null);
        break;
      case 'active':
        record = await tradingState.resume(reason, changedBy);
        break;
    }
    if (record.state !== before) {
      const open = portfolio.positions().filter((position) => position.quantity > 0);
      const unprotected =
        record.state === 'halted' && open.length > 0
          ? ` (open positions are unprotected: no exit can be sent while halted: ${open.map((position) => position.symbol).join(', ')})`
          : '';
      notifier.notify({
        type: 'trading_state_changed',
        from: before,
        to: record.state,
        reason: `${record.reason}${unprotected}`,
        changedBy: record.changedBy,
        at: record.changedAt,
      });
    }
    return record;
  }

  async openOrders(): Promise<readonly Order[]> {
    return (await this.#options.orders.listNonFinalOrders()).reverse();
  }

  async #lastCloses(): Promise<Map<SymbolId, number>> {
    const { candles, driver, symbols, timeframe } = this.#options;
    const closes = new Map<SymbolId, number>();
    for (const symbol of symbols) {
      const time = driver.lastProcessed(symbol);
      if (time === null) continue;
      const [candle] = await candles.getCandles(symbol, timeframe, time, time);
      if (candle !== undefined) closes.set(symbol, candle.close);
    }
    return closes;
  }

  #traded(symbol: SymbolId): SymbolId {
    let checked: SymbolId;
    try {
      checked = parseSymbol(symbol);
    } catch {
      throw new ValidationError(`${String(symbol)} is not a symbol such as BTC-USD`);
    }
    if (!this.#options.symbols.includes(checked)) {
      throw new ValidationError(
        `${checked} is not traded; the bot trades ${this.#options.symbols.join(', ')}`,
      );
    }
    return checked;
  }
}

function sameDecision(a: Decision | undefined, b: Decision): boolean {
  return (
    a !== undefined &&
    a.decidedAt === b.decidedAt &&
    a.candleTime === b.candleTime &&
    a.outcome === b.outcome &&
    a.clientOrderId === b.clientOrderId &&
    a.note === b.note
  );
}
