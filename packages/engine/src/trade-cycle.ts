import {
  LumenLinkError,
  ValidationError,
  silentLogger,
  symbolParts,
  type AccountSnapshot,
  type Broker,
  type Candle,
  type Clock,
  type Decision,
  type DecisionOutcome,
  type DecisionStore,
  type Fill,
  type Logger,
  type MarketContext,
  type MarketDataSource,
  type MarketInfo,
  type Notifier,
  type Order,
  type OrderBook,
  type OrderIntent,
  type OrderRole,
  type OrderStore,
  type OrderType,
  type PreTradeCheck,
  type RiskState,
  type RiskVerdict,
  type Signal,
  type Strategy,
  type StrategyContext,
  type SymbolId,
  type Ticker,
} from '@lumenlink/core';
import {
  BracketTracker,
  CircuitOpenError,
  OrderManager,
  PaperBroker,
  protectiveLevels,
  type EntryCircuitBreaker,
  type NotFoundGrace,
  type Portfolio,
  type ProtectiveLevels,
  type SubmitResult,
  type TrailingStopManager,
} from '@lumenlink/execution';
import { ATR } from '@lumenlink/indicators';
import type { ProtectionTrip, RiskProtections, TradingStateMachine } from '@lumenlink/risk';
import { TradeLedger } from './trade-ledger.js';

/** The trade cycle's settings, from config (`MODE`, `ATR_PERIOD`, `TRAILING_STOP_ATR_MULT`, ...). */
export interface TradeCycleSettings {
  readonly mode: 'paper' | 'live';
  /** `ALLOW_LIVE_TRADING`: without it a live run is a dry run (risk blocks every order). */
  readonly allowLiveTrading: boolean;
  /** The length of one candle, in ms. */
  readonly intervalMs: number;
  /** ATR period for sizing and trailing stops (`ATR_PERIOD`, default 14). */
  readonly atrPeriod: number;
  /** Trailing stop distance in ATRs (`TRAILING_STOP_ATR_MULT`); 0 turns trailing stops off. */
  readonly trailingStopAtrMultiple: number;
  /** `STOP_LOSS_PCT`: a stop this far below the entry when the signal names none. */
  readonly stopLossPct?: number;
  /** `TAKE_PROFIT_PCT`: a target this far above the entry when the signal names none. */
  readonly takeProfitPct?: number;
  /** `SIGNAL_COOLDOWN_MS`: the same action on a symbol is ignored this long; at least one candle. */
  readonly cooldownMs: number;
  /**
   * Cash kept back for fees and slippage when sizing a buy, in basis points (a backtest's fee
   * plus slippage): risk sees `cash / (1 + bps / 10 000)`, so a buy of all the cash still pays
   * its fee. Default 0.
   */
  readonly cashReserveBps?: number;
}

/** What the trade cycle is built from. Everything with a side effect is injected. */
export interface TradeCycleOptions {
  readonly clock: Clock;
  readonly settings: TradeCycleSettings;
  /** One strategy instance per symbol (they keep per-symbol indicator state), in config order. */
  readonly strategies: ReadonlyMap<SymbolId, Strategy>;
  readonly risk: PreTradeCheck;
  readonly tradingState: TradingStateMachine;
  /** Daily loss, drawdown and stop-loss guard; left out, none run. */
  readonly protections?: RiskProtections;
  /** A `PaperBroker` (fills on candles) or a `LiveBroker`. */
  readonly broker: Broker;
  readonly orders: OrderStore;
  readonly decisions: DecisionStore;
  readonly portfolio: Portfolio;
  readonly trailingStops: TrailingStopManager;
  /** Client-side stop-loss and take-profit brackets; a fresh tracker when left out. */
  readonly brackets?: BracketTracker;
  readonly markets?: ReadonlyMap<SymbolId, MarketInfo>;
  /** Live market data for the ticker and book guards; backtests and replay have none. */
  readonly marketData?: MarketDataSource;
  /** The latest sentiment and on-chain snapshot; absent in backtests unless supplied. */
  readonly marketContext?: () => MarketContext | undefined;
  readonly notifier?: Notifier;
  readonly logger?: Logger;
  /** The live broker's entry circuit breaker (`LiveBroker.entryBreaker`). */
  readonly entryBreaker?: EntryCircuitBreaker;
  readonly notFoundGrace?: NotFoundGrace;
}

/** The latest decision for a symbol, hold included: the answer to "why didn't it trade?". */
export interface LatestDecision {
  readonly candleTime: number;
  readonly signal: Signal;
  readonly outcome: DecisionOutcome;
  readonly verdict: RiskVerdict | null;
  readonly note: string;
}

interface SymbolState {
  readonly symbol: SymbolId;
  readonly strategy: Strategy;
  readonly atr: ATR;
  /** Reused for every candle: a hold allocates nothing. */
  readonly context: {
    symbol: SymbolId;
    time: number;
    position: StrategyContext['position'];
    market?: MarketContext;
  };
  latest: LatestDecision | null;
  latestHoldTime: number;
  latestHold: Signal | null;
  lastBuyAt: number;
  lastSellAt: number;
  /** This symbol's mark, reused for every mark to market. */
  readonly mark: Map<SymbolId, number>;
  /** The signal of the entry sent: its stop and target are registered when it fills. */
  pendingEntry: Signal | null;
}

const none: readonly Fill[] = [];
const stopRoles: ReadonlySet<OrderRole> = new Set(['stop', 'trailing_stop', 'bracket_stop']);

/**
 * A fill with its fee in the quote currency. Exchanges such as Binance charge a buy's fee in the
 * asset received: the position grows by the quantity less the fee, and the fee is worth
 * `fee x price` in quote. A sell's fee in the base asset is valued the same way. Other fee
 * currencies (e.g. BNB) are left as they are, and the portfolio refuses them with a clear error.
 */
export function inQuoteFees(fill: Fill): Fill {
  const { base } = symbolParts(fill.symbol);
  if (fill.feeCurrency !== base || fill.fee === 0) return fill;
  return {
    ...fill,
    quantity: fill.side === 'buy' ? fill.quantity - fill.fee : fill.quantity,
    fee: fill.fee * fill.price,
    feeCurrency: symbolParts(fill.symbol).quote,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The trade cycle (DESIGN.md, steps 0 to 8) for every mode: the backtest driver and the bot both
 * call {@link TradeCycle.onCandle} once per closed candle per symbol, and the bot calls
 * {@link TradeCycle.onTick} between candles when it has live prices.
 *
 * A hold with no position and no fill is synchronous: `onCandle` then returns `undefined`.
 */
export class TradeCycle {
  readonly orderManager: OrderManager;
  readonly ledger = new TradeLedger();
  readonly #options: TradeCycleOptions;
  readonly #settings: TradeCycleSettings;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #paper: PaperBroker | null;
  readonly #brackets: BracketTracker;
  readonly #symbols = new Map<SymbolId, SymbolState>();
  readonly #cooldownMs: number;
  /**
   * Open time of the candle being processed, while `onCandle` runs on a candle-driven paper
   * broker: fills made then happened on that candle (at its open, its close or a stop inside
   * it), and trades record that candle's open time, as DESIGN.md's Fills section says.
   */
  #candleTime: number | null = null;

  constructor(options: TradeCycleOptions) {
    const { settings } = options;
    for (const [name, value] of [
      ['intervalMs', settings.intervalMs],
      ['atrPeriod', settings.atrPeriod],
    ] as const) {
      if (!Number.isSafeInteger(value) || value <= 0) {
        throw new ValidationError(
          `TradeCycle settings.${name}: ${value} is not a whole number > 0`,
        );
      }
    }
    if (!(settings.trailingStopAtrMultiple >= 0)) {
      throw new ValidationError(
        `TradeCycle settings.trailingStopAtrMultiple: ${settings.trailingStopAtrMultiple} must be >= 0 (0 turns trailing stops off)`,
      );
    }
    if (options.strategies.size === 0) {
      throw new ValidationError('TradeCycle strategies: give one strategy per traded symbol');
    }
    this.#options = options;
    this.#settings = settings;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#paper = options.broker instanceof PaperBroker ? options.broker : null;
    this.#brackets = options.brackets ?? new BracketTracker({ clock: options.clock });
    this.#cooldownMs = Math.max(settings.cooldownMs, settings.intervalMs);
    for (const [symbol, strategy] of options.strategies) {
      this.#symbols.set(symbol, {
        symbol,
        strategy,
        atr: new ATR(settings.atrPeriod),
        context: { symbol, time: 0, position: null },
        mark: new Map([[symbol, 0]]),
        latest: null,
        latestHoldTime: 0,
        latestHold: null,
        lastBuyAt: Number.NEGATIVE_INFINITY,
        lastSellAt: Number.NEGATIVE_INFINITY,
        pendingEntry: null,
      });
    }
    this.orderManager = new OrderManager({
      broker: options.broker,
      orders: options.orders,
      clock: options.clock,
      exchange: options.broker.name,
      logger: this.#logger,
      ...(options.entryBreaker === undefined ? {} : { entryBreaker: options.entryBreaker }),
      ...(options.notFoundGrace === undefined ? {} : { notFoundGrace: options.notFoundGrace }),
      onFill: (fill, order) => this.#onFill(fill, order),
    });
  }

  /** The symbols traded, in config order. */
  get symbols(): SymbolId[] {
    return [...this.#symbols.keys()];
  }

  /** The ATR of a symbol's closed candles, once warm. */
  atr(symbol: SymbolId): number | undefined {
    return this.#state(symbol).atr.value;
  }

  /** The latest decision of a symbol, hold included; `null` before its first candle. */
  latestDecision(symbol: SymbolId): LatestDecision | null {
    const state = this.#state(symbol);
    if (state.latestHold !== null && state.latestHoldTime >= (state.latest?.candleTime ?? -1)) {
      return {
        candleTime: state.latestHoldTime,
        signal: state.latestHold,
        outcome: 'hold',
        verdict: null,
        note: '',
      };
    }
    return state.latest;
  }

  /**
   * Runs the cycle for one closed candle of `symbol`. The clock must read the candle's close.
   * Returns `undefined` when it finished synchronously (a hold with nothing to update).
   */
  onCandle(symbol: SymbolId, candle: Candle): Promise<void> | undefined {
    const state = this.#state(symbol);
    const fills = this.#paper === null ? none : this.#paper.processCandle(symbol, candle);
    this.#candleTime = this.#paper === null ? null : candle.time;
    state.atr.update(candle);
    if (fills.length > 0 || this.#options.portfolio.position(symbol) !== undefined) {
      return this.#slowCycle(state, candle, fills);
    }
    const signal = this.#decide(state, candle);
    if (signal.action === 'hold') return undefined;
    return this.#act(state, candle, signal);
  }

  /**
   * Feeds a candle before trading starts (a backtest's warm-up before `from`): the strategy and
   * the ATR see it, nothing is decided or recorded.
   */
  warmUp(symbol: SymbolId, candle: Candle): void {
    const state = this.#state(symbol);
    this.#paper?.processCandle(symbol, candle);
    state.atr.update(candle);
    this.#decide(state, candle);
  }

  /**
   * Closes every open position now (a backtest's `--close-at-end`, a force exit of all): through
   * risk and the order manager like any exit. On paper the exit fills at once at `prices` (the
   * last close); live it is a market order.
   */
  async closeAll(reason: string, prices: ReadonlyMap<SymbolId, number>): Promise<void> {
    for (const position of this.#options.portfolio.positions()) {
      const state = this.#symbols.get(position.symbol);
      const price = prices.get(position.symbol);
      if (state === undefined || price === undefined || !(position.quantity > 0)) continue;
      await this.#exit(state, 'force_exit', price, this.#clock.now(), reason);
    }
  }

  /**
   * Checks the stops of `symbol` at a live price between candles (paper or live with live market
   * data; never replay or backtest, where stops are checked on candles).
   */
  async onTick(symbol: SymbolId, price: number): Promise<void> {
    const state = this.#state(symbol);
    if (!(price > 0) || !Number.isFinite(price)) {
      throw new ValidationError(`onTick ${symbol}: price ${price} is not a finite number > 0`);
    }
    if (this.#options.portfolio.position(symbol) === undefined) return;
    this.#candleTime = null;
    await this.#checkExits(state, price, this.#clock.now());
  }

  async #slowCycle(state: SymbolState, candle: Candle, fills: readonly Fill[]): Promise<void> {
    const { portfolio, protections } = this.#options;
    // Step 0: the broker's fills on this candle reach the order store and the portfolio.
    const seen = new Set<string>();
    for (const fill of fills) {
      if (seen.has(fill.clientOrderId)) continue;
      seen.add(fill.clientOrderId);
      await this.orderManager.refresh(fill.clientOrderId);
    }
    // Step 1: mark to market, then the protections watch equity and daily P&L.
    const now = this.#clock.now();
    state.mark.set(state.symbol, candle.close);
    const snapshot = portfolio.markToMarket(state.mark, now);
    if (protections !== undefined) await this.#protect(() => protections.update(snapshot));
    await this.#expireTradingState(now);
    // Step 2: exits first, on the candle's range.
    if (portfolio.position(state.symbol) !== undefined) {
      const exited = await this.#checkExits(state, candle, candle.time);
      const atr = state.atr.value;
      if (!exited && atr !== undefined && this.#options.trailingStops.get(state.symbol)) {
        const before = this.#options.trailingStops.get(state.symbol)?.stopPrice;
        const after = await this.#options.trailingStops.update(
          state.symbol,
          { high: candle.high, close: candle.close },
          atr,
        );
        if (before !== undefined && after.stopPrice > before) {
          this.#notify({
            type: 'stop_moved',
            symbol: state.symbol,
            from: before,
            to: after.stopPrice,
            at: now,
          });
        }
      }
    }
    // Steps 3 to 8.
    const signal = this.#decide(state, candle);
    if (signal.action !== 'hold') await this.#act(state, candle, signal);
  }

  /** Step 3: the strategy's signal; a hold is kept as the latest decision, allocation-free. */
  #decide(state: SymbolState, candle: Candle): Signal {
    const context = state.context;
    context.time = candle.time;
    context.position = this.#options.portfolio.position(state.symbol) ?? null;
    const market = this.#options.marketContext?.();
    if (market === undefined) delete context.market;
    else context.market = market;
    const signal = state.strategy.onCandle(candle, context);
    if (signal.action === 'hold') {
      state.latestHold = signal;
      state.latestHoldTime = candle.time;
    }
    return signal;
  }

  /** Steps 4 to 8 for a buy or sell signal. */
  async #act(state: SymbolState, candle: Candle, signal: Signal): Promise<void> {
    const now = this.#clock.now();
    // Step 4: cooldown of the same action on the same symbol.
    const last = signal.action === 'buy' ? state.lastBuyAt : state.lastSellAt;
    if (now - last < this.#cooldownMs) {
      await this.#record(
        state,
        candle.time,
        signal,
        null,
        'cooldown',
        null,
        `same action ${Math.round((now - last) / 1000)} s ago; cooldown ${Math.round(this.#cooldownMs / 1000)} s`,
      );
      return;
    }
    await this.#expireTradingState(now);
    // Step 5: risk sizes the order and runs the 10 checks.
    const verdict = this.#options.risk.evaluate(
      signal,
      await this.#riskState(state.symbol, candle.close),
    );
    if (!verdict.allowed) {
      await this.#record(state, candle.time, signal, verdict, 'blocked', null, verdict.reason);
      this.#notifyBlocked(state.symbol, verdict, now);
      return;
    }
    const entry = signal.action === 'buy';
    if (entry) {
      try {
        this.#levels(signal, candle.close);
      } catch (error) {
        await this.#record(state, candle.time, signal, verdict, 'error', null, describe(error));
        this.#notifyError(error);
        return;
      }
      state.pendingEntry = signal;
    }
    const type: OrderType = signal.limitPrice === undefined ? 'market' : 'limit';
    const intent: OrderIntent = {
      strategy: state.strategy.key,
      symbol: state.symbol,
      side: signal.action === 'buy' ? 'buy' : 'sell',
      type,
      role: entry ? 'entry' : 'exit',
      quantity: verdict.quantity,
      ...(signal.limitPrice === undefined ? {} : { limitPrice: signal.limitPrice }),
      candleTime: candle.time,
      reason: signal.reason,
    };
    await this.#submit(state, candle.time, signal, verdict, intent);
    if (entry) state.lastBuyAt = now;
    else state.lastSellAt = now;
  }

  /** Step 6 (and the decision record of step 5): submit through the order manager. */
  async #submit(
    state: SymbolState,
    candleTime: number,
    signal: Signal,
    verdict: RiskVerdict,
    intent: OrderIntent,
  ): Promise<SubmitResult | null> {
    let result: SubmitResult;
    try {
      result = await this.orderManager.submit(intent);
    } catch (error) {
      if (error instanceof CircuitOpenError) {
        await this.#record(state, candleTime, signal, verdict, 'blocked', null, error.message);
        return null;
      }
      this.#notifyError(error);
      await this.#record(state, candleTime, signal, verdict, 'error', null, describe(error)).catch(
        (recordError: unknown) =>
          this.#logger.error('decision not recorded', { error: describe(recordError) }),
      );
      throw error;
    }
    await this.#record(
      state,
      candleTime,
      signal,
      verdict,
      result.status === 'rejected' ? 'error' : 'submitted',
      result.order.clientOrderId,
      `${result.status}: ${result.order.status}${result.order.reason === null ? '' : ` (${result.order.reason})`}`,
    );
    return result;
  }

  /**
   * Step 2: trailing stop and bracket exits, on a candle's range or a live price. Returns whether
   * an exit was sent.
   */
  async #checkExits(state: SymbolState, at: Candle | number, candleTime: number): Promise<boolean> {
    const { trailingStops } = this.#options;
    const trailing = trailingStops.check(state.symbol, at);
    const bracket = this.#brackets.check(state.symbol, at);
    let role: OrderRole | null = null;
    let price = 0;
    if (trailing?.hit === true) {
      role = 'trailing_stop';
      price = trailing.price;
    }
    if (bracket !== null && (role === null || (bracket.leg === 'stop' && bracket.price > price))) {
      role = bracket.role;
      price = bracket.price;
    }
    if (role === null) return false;
    return this.#exit(state, role, price, candleTime, `${role.replace('_', ' ')} hit at ${price}`);
  }

  /**
   * Sends a full exit through risk (only the halted state, the live gate and the phantom-sell
   * check can block it) and the order manager. Returns whether it was sent.
   */
  async #exit(
    state: SymbolState,
    role: OrderRole,
    price: number,
    candleTime: number,
    reason: string,
  ): Promise<boolean> {
    if (this.#options.portfolio.position(state.symbol) === undefined) return false;
    const signal: Signal = { action: 'sell', confidence: 1, reason };
    const verdict = this.#options.risk.evaluate(signal, await this.#riskState(state.symbol, price));
    if (!verdict.allowed) {
      await this.#record(state, candleTime, signal, verdict, 'blocked', null, verdict.reason);
      this.#notifyBlocked(state.symbol, verdict, this.#clock.now());
      return false;
    }
    // On paper the exit is a stop order at the price, which fills at once (the candle traded
    // through it); live it is a market order sent by us: the exchange holds no stop of ours.
    const intent: OrderIntent = {
      strategy: state.strategy.key,
      symbol: state.symbol,
      side: 'sell',
      type: this.#paper === null ? 'market' : 'stop_market',
      role,
      quantity: verdict.quantity,
      ...(this.#paper === null ? {} : { stopPrice: price }),
      candleTime,
      reason,
    };
    const result = await this.#submit(state, candleTime, signal, verdict, intent);
    return result !== null && result.status !== 'rejected';
  }

  /** Step 7: a fill reaches the portfolio, the trade ledger, the stops and the protections. */
  async #onFill(exchangeFill: Fill, order: Order): Promise<void> {
    const fill = inQuoteFees(exchangeFill);
    const { portfolio, trailingStops, protections } = this.#options;
    const settings = this.#settings;
    const state = this.#symbols.get(fill.symbol);
    const change = portfolio.applyFill(fill, { role: order.role });
    this.ledger.apply(fill, {
      role: order.role,
      candleTime: order.candleTime,
      ...(this.#candleTime === null ? {} : { fillTime: this.#candleTime }),
    });
    const atr = state?.atr.value;
    if (change.kind === 'opened' || change.kind === 'increased') {
      if (settings.trailingStopAtrMultiple > 0 && atr !== undefined && atr > 0) {
        await trailingStops.open(fill.symbol, fill.price, atr, settings.trailingStopAtrMultiple);
      }
      const signal = state?.pendingEntry ?? null;
      if (signal !== null && change.kind === 'opened') this.#registerBracket(fill, signal);
      if (change.kind === 'opened') {
        this.#notify({
          type: 'trade_opened',
          symbol: fill.symbol,
          side: fill.side,
          quantity: fill.quantity,
          price: fill.price,
          reason: order.reason ?? order.role,
          at: fill.time,
        });
      }
    } else if (change.kind === 'closed') {
      await trailingStops.close(fill.symbol);
      this.#brackets.cancel(fill.symbol);
      if (state !== undefined) state.pendingEntry = null;
      const entryPrice = change.before?.avgEntryPrice ?? fill.price;
      const quantity = change.before?.quantity ?? fill.quantity;
      this.#notify({
        type: 'trade_closed',
        symbol: fill.symbol,
        quantity,
        entryPrice,
        exitPrice: fill.price,
        pnl: change.realizedPnl,
        pnlPct: (change.realizedPnl / (entryPrice * quantity)) * 100,
        reason: order.reason ?? order.role,
        at: fill.time,
      });
      if (protections !== undefined && (change.stopOut || stopRoles.has(order.role))) {
        await this.#protect(() =>
          protections
            .recordStopOut(fill.symbol, fill.time)
            .then((trip) => (trip === null ? [] : [trip])),
        );
      }
    }
    await portfolio.persist();
  }

  /** The risk state of a symbol now: account facts, market rules, live quotes when known. */
  async #riskState(symbol: SymbolId, price: number): Promise<RiskState> {
    const now = this.#clock.now();
    const { portfolio, markets, marketData, entryBreaker, tradingState } = this.#options;
    const settings = this.#settings;
    const snapshot: AccountSnapshot = portfolio.snapshot(now);
    let ticker: Ticker | null = null;
    let orderBook: OrderBook | null = null;
    if (marketData !== undefined) {
      [ticker, orderBook] = await Promise.all([
        marketData
          .fetchTicker(symbol)
          .catch((error: unknown) => this.#quoteFailed(symbol, 'ticker', error)),
        marketData
          .fetchOrderBook(symbol)
          .catch((error: unknown) => this.#quoteFailed(symbol, 'order book', error)),
      ]);
    }
    return {
      now,
      symbol,
      tradingState: tradingState.state,
      mode: settings.mode,
      allowLiveTrading: settings.allowLiveTrading,
      price,
      position: portfolio.position(symbol) ?? null,
      openPositions: snapshot.positions.filter((position) => position.quantity > 0).length,
      equity: snapshot.equity,
      cash: snapshot.cash / (1 + (settings.cashReserveBps ?? 0) / 10_000),
      dailyPnl: snapshot.dailyPnl,
      lastStopOutAt: snapshot.lastStopOutAt[symbol] ?? null,
      atr: this.#symbols.get(symbol)?.atr.value ?? null,
      market: markets?.get(symbol) ?? null,
      ticker,
      orderBook,
      circuitOpen: entryBreaker?.state() === 'open',
    };
  }

  #quoteFailed(symbol: SymbolId, what: string, error: unknown): null {
    this.#logger.warn(`no ${what} for ${symbol}: the guards that need it skip`, {
      error: describe(error),
    });
    return null;
  }

  /** Stop and target of an entry at about `price`, from the signal or the config's percentages. */
  #levels(signal: Signal, price: number): ProtectiveLevels | null {
    const { stopLossPct, takeProfitPct } = this.#settings;
    if (
      signal.stopLoss === undefined &&
      signal.takeProfit === undefined &&
      stopLossPct === undefined &&
      takeProfitPct === undefined
    ) {
      return null;
    }
    return protectiveLevels({
      side: 'buy',
      entryPrice: price,
      ...(signal.stopLoss === undefined ? {} : { stopLoss: signal.stopLoss }),
      ...(signal.takeProfit === undefined ? {} : { takeProfit: signal.takeProfit }),
      ...(stopLossPct === undefined ? {} : { defaultStopLossPct: stopLossPct }),
      ...(takeProfitPct === undefined ? {} : { defaultTakeProfitPct: takeProfitPct }),
    });
  }

  /**
   * Registers the stop and target of a filled entry: percentages from the real fill price, a
   * signal's own prices where it put them. A level the fill has already passed is dropped, with a
   * warning (the trailing stop, when on, still protects the position).
   */
  #registerBracket(fill: Fill, signal: Signal): void {
    let levels: ProtectiveLevels | null;
    try {
      levels = this.#levels(signal, fill.price);
    } catch (error) {
      this.#logger.warn(`${fill.symbol}: no bracket for the entry filled at ${fill.price}`, {
        error: describe(error),
      });
      return;
    }
    if (levels !== null) this.#brackets.register(fill.symbol, 'buy', levels);
  }

  async #expireTradingState(now: number): Promise<void> {
    const { tradingState } = this.#options;
    const record = tradingState.record;
    if (record.until !== null && now >= record.until) {
      const before = record.state;
      const after = await tradingState.check();
      if (after.state !== before) {
        this.#notify({
          type: 'trading_state_changed',
          from: before,
          to: after.state,
          reason: after.reason,
          changedBy: after.changedBy,
          at: now,
        });
      }
    }
  }

  async #protect(run: () => Promise<readonly ProtectionTrip[]>): Promise<void> {
    for (const { record } of await run()) {
      this.#notify({
        type: 'trading_state_changed',
        from: record.from ?? record.state,
        to: record.state,
        reason: record.reason,
        changedBy: record.changedBy,
        at: record.changedAt,
      });
    }
  }

  async #record(
    state: SymbolState,
    candleTime: number,
    signal: Signal,
    verdict: RiskVerdict | null,
    outcome: DecisionOutcome,
    clientOrderId: string | null,
    note: string,
  ): Promise<void> {
    const decision: Decision = {
      symbol: state.symbol,
      strategy: state.strategy.key,
      candleTime,
      decidedAt: this.#clock.now(),
      signal,
      verdict,
      outcome,
      clientOrderId,
      note,
    };
    state.latest = { candleTime, signal, outcome, verdict, note };
    await this.#options.decisions.recordDecision(decision);
  }

  #notifyBlocked(symbol: SymbolId, verdict: RiskVerdict, at: number): void {
    const check = verdict.checks.find((item) => item.outcome === 'fail');
    if (check !== undefined) {
      this.#notify({ type: 'risk_blocked', symbol, side: verdict.side, check, at });
    }
  }

  #notifyError(error: unknown): void {
    this.#notify({
      type: 'error',
      code: error instanceof LumenLinkError ? error.code : 'UNEXPECTED',
      message: describe(error),
      at: this.#clock.now(),
    });
  }

  #notify(event: Parameters<Notifier['notify']>[0]): void {
    this.#options.notifier?.notify(event);
  }

  #state(symbol: SymbolId): SymbolState {
    const state = this.#symbols.get(symbol);
    if (state === undefined) {
      throw new ValidationError(
        `${symbol} is not traded by this cycle; its symbols are ${[...this.#symbols.keys()].join(', ')}`,
      );
    }
    return state;
  }
}
