import {
  DataIntegrityError,
  LumenLinkError,
  ValidationError,
  fillsOnCandles,
  silentLogger,
  symbolParts,
  type Balance,
  type Broker,
  type CandleFillingBroker,
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
  type PositionAdjustment,
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
  RefusalBackoffError,
  SellInFlightError,
  protectiveLevels,
  sellInFlightReason,
  type ClientOrderIdHash,
  type EntryCircuitBreaker,
  type NotFoundGrace,
  type Portfolio,
  type PortfolioFillIssue,
  type PositionChange,
  type RefusalBackoff,
  type ProtectiveLevels,
  type SubmitResult,
  type TrailingStopManager,
} from '@lumenlink/execution';
import { ATR } from '@lumenlink/indicators';
import type {
  ProtectionFacts,
  ProtectionTrip,
  RiskProtections,
  TradingStateMachine,
} from '@lumenlink/risk';
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
  /**
   * A live quote (a tick, the ticker, the book's mid) further than this from the last closed
   * candle's close, in percent, is refused as absurd: counted, alerted, never acted on
   * (`PRICE_BAND_PCT`, default 20).
   */
  readonly priceBandPct?: number;
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
  /**
   * A `PaperBroker` (fills on candles: the port's `processCandle` capability) or a `LiveBroker`.
   */
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
  /** How refusals of the same exit back off (the order manager's `refusalBackoff`). */
  readonly refusalBackoff?: RefusalBackoff;
  /**
   * Symbols paused alone (entries blocked, exits allowed) with why, until an operator resumes
   * them: read at every risk evaluation (risk's `symbolPaused`).
   */
  readonly symbolPaused?: (symbol: SymbolId) => string | null;
  /**
   * A fill that does not add up while trading (a sell of more than the position: the exchange
   * filled coins that were not the bot's): the portfolio counted what was held; pause the symbol.
   */
  readonly onFillIssue?: (issue: PortfolioFillIssue) => void;
  /**
   * How client order ids are hashed (the order manager's `clientOrderIdHash`): `sha256` (default)
   * or, with a paper broker in a run no crash can interrupt (a backtest), `fast`.
   */
  readonly clientOrderIdHash?: ClientOrderIdHash;
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
  /** The signal of the entry sent: its stop and target are registered when it fills. */
  pendingEntry: Signal | null;
  /** Close of the last candle seen (traded or warm-up): the centre of the price band. */
  lastClose: number | null;
  /** The last blocked exit recorded from a tick, so a repeat is not recorded every tick. */
  lastTickBlock: { readonly key: string; readonly at: number } | null;
  /** Keys of blocked or refused exits already alerted (once each). */
  readonly alerted: Set<string>;
}

/** Why a quote was refused as absurd. */
export interface QuoteRejection {
  readonly symbol: SymbolId;
  /** `tick`, `ticker` or `order book`. */
  readonly source: string;
  readonly price: number;
  /** The last closed candle's close it was compared with. */
  readonly reference: number;
  readonly bandPct: number;
  readonly at: number;
}

const none: readonly Fill[] = [];

/** A stop level a candle or price reached: the exit's role and price. */
interface ExitHit {
  readonly role: OrderRole;
  readonly price: number;
}
/** A blocked exit repeated on ticks is recorded again at most this often. */
const tickRecordEveryMs = 60_000;
const defaultPriceBandPct = 20;
/** Alerts about absurd quotes of one symbol at most this often. */
const quoteAlertEveryMs = 10 * 60_000;
const stopRoles: ReadonlySet<OrderRole> = new Set(['stop', 'trailing_stop', 'bracket_stop']);

/**
 * A fill with its fee in the quote currency. Exchanges such as Binance charge a buy's fee in the
 * asset received: the position grows by the quantity less the fee, and the fee is worth
 * `fee x price` in quote. A sell's fee in the base asset is valued the same way. A fee in a third
 * asset (Binance's BNB discount) leaves the quote cash and the position untouched: it counts as
 * 0 here (the BNB balance paid it), so the fill's quantity always reaches the portfolio.
 */
export function inQuoteFees(fill: Fill): Fill {
  const { base, quote } = symbolParts(fill.symbol);
  if (fill.fee === 0 || fill.feeCurrency === quote) return fill;
  if (fill.feeCurrency !== base) return { ...fill, fee: 0, feeCurrency: quote };
  return {
    ...fill,
    quantity: fill.side === 'buy' ? fill.quantity - fill.fee : fill.quantity,
    fee: fill.fee * fill.price,
    feeCurrency: quote,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A limit sell resting on the exchange (a strategy's limit exit), which a stop may cancel. */
function isRestingLimit(order: Order): boolean {
  return (
    order.side === 'sell' &&
    (order.type === 'limit' || order.type === 'stop_limit') &&
    order.exchangeOrderId !== null &&
    (order.status === 'open' || order.status === 'partially_filled')
  );
}

/** The middle of the best bid and ask, or `null` for an empty side. */
function bookMid(book: OrderBook): number | null {
  const bid = book.bids[0]?.[0];
  const ask = book.asks[0]?.[0];
  if (bid === undefined || ask === undefined) return null;
  return (bid + ask) / 2;
}

/**
 * The trade cycle (docs/architecture/trade-cycle.md, steps 0 to 8) for every mode: the backtest
 * driver and the bot both call {@link TradeCycle.onCandle} once per closed candle per symbol, and
 * the bot calls {@link TradeCycle.onTick} between candles when it has live prices.
 *
 * A hold with no position and no fill is synchronous: `onCandle` then returns `undefined`.
 */
export class TradeCycle {
  readonly orderManager: OrderManager;
  readonly ledger: TradeLedger;
  readonly #options: TradeCycleOptions;
  readonly #settings: TradeCycleSettings;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #paper: CandleFillingBroker | null;
  readonly #brackets: BracketTracker;
  readonly #symbols = new Map<SymbolId, SymbolState>();
  readonly #cooldownMs: number;
  readonly #bandPct: number;
  readonly #quoteRejections: QuoteRejection[] = [];
  readonly #quoteAlertAt = new Map<SymbolId, number>();
  #rejectedQuotes = 0;
  /**
   * Open time of the candle being processed, while `onCandle` runs on a candle-driven paper
   * broker: fills made then happened on that candle (at its open, its close or a stop inside
   * it), and trades record that candle's open time (docs/architecture/trade-cycle.md, "Trades").
   */
  #candleTime: number | null = null;
  /** The facts handed to the protections, reused every candle (they read them at once). */
  readonly #facts: {
    equity: number;
    dailyPnl: number;
    lastStopOutAt: NonNullable<ProtectionFacts['lastStopOutAt']>;
  } = { equity: 0, dailyPnl: 0, lastStopOutAt: {} };

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
    this.ledger = new TradeLedger(
      options.markets === undefined ? {} : { markets: options.markets },
    );
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#paper = fillsOnCandles(options.broker) ? options.broker : null;
    this.#brackets = options.brackets ?? new BracketTracker({ clock: options.clock });
    this.#cooldownMs = Math.max(settings.cooldownMs, settings.intervalMs);
    const band = settings.priceBandPct ?? defaultPriceBandPct;
    if (!(band > 0 && band < 100)) {
      throw new ValidationError(
        `TradeCycle settings.priceBandPct: ${band} must be a percentage above 0 and below 100`,
      );
    }
    this.#bandPct = band;
    for (const [symbol, strategy] of options.strategies) {
      this.#symbols.set(symbol, {
        symbol,
        strategy,
        atr: new ATR(settings.atrPeriod),
        context: { symbol, time: 0, position: null },
        latest: null,
        latestHoldTime: 0,
        latestHold: null,
        lastBuyAt: Number.NEGATIVE_INFINITY,
        lastSellAt: Number.NEGATIVE_INFINITY,
        pendingEntry: null,
        lastClose: null,
        lastTickBlock: null,
        alerted: new Set(),
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
      ...(options.refusalBackoff === undefined ? {} : { refusalBackoff: options.refusalBackoff }),
      ...(options.clientOrderIdHash === undefined
        ? {}
        : { clientOrderIdHash: options.clientOrderIdHash }),
      onFill: (fill, order) => this.#onFill(fill, order),
    });
  }

  /** The symbols traded, in config order. */
  get symbols(): SymbolId[] {
    return [...this.#symbols.keys()];
  }

  /** The ATR of a symbol's closed candles, once warm. */
  atr(symbol: SymbolId): number | undefined {
    const { atr } = this.#state(symbol);
    return atr.isReady ? atr.value : undefined;
  }

  /** Live quotes refused as absurd since the start (outside the price band). */
  get rejectedQuotes(): number {
    return this.#rejectedQuotes;
  }

  /** The latest quotes refused as absurd (the last 100), oldest first. */
  quoteRejections(): readonly QuoteRejection[] {
    return this.#quoteRejections;
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
    state.lastClose = candle.close;
    if (fills.length > 0) return this.#afterFills(state, candle, fills);
    if (this.#options.portfolio.holds(symbol)) return this.#heldCycle(state, candle);
    return this.#decideAndAct(state, candle);
  }

  /**
   * Feeds a candle before trading starts (a backtest's warm-up before `from`): the strategy and
   * the ATR see it, nothing is decided or recorded.
   */
  warmUp(symbol: SymbolId, candle: Candle): void {
    const state = this.#state(symbol);
    this.#paper?.processCandle(symbol, candle);
    state.atr.update(candle);
    state.lastClose = candle.close;
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
   * Writes off part of a position the exchange no longer holds (an operator's decision after a
   * symbol was paused for it; store the adjustment first, `savePositionAdjustment`, so a restart
   * replays it): the portfolio and the trade ledger shrink the position at its cost; a position
   * it closes has its trailing stop and bracket removed. Persists the portfolio.
   *
   * @throws {ValidationError} when the symbol is not traded or holds no position.
   * @throws {StorageError} when the portfolio cannot be persisted.
   */
  async writeOff(adjustment: PositionAdjustment): Promise<void> {
    const state = this.#state(adjustment.symbol);
    const change = this.#options.portfolio.writeOff(adjustment);
    this.ledger.writeOff(adjustment);
    if (change.kind === 'closed') {
      await this.#options.trailingStops.close(state.symbol);
      this.#brackets.cancel(state.symbol);
      state.pendingEntry = null;
      state.alerted.clear();
      state.lastTickBlock = null;
    }
    await this.#persist();
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
    if (!this.#plausible(state, 'tick', price)) return;
    this.#candleTime = null;
    await this.#checkExits(state, price, this.#clock.now(), true);
  }

  /**
   * Whether a live quote lies within the price band around the last closed candle's close. An
   * absurd one (another symbol's price, a glitch) is counted, alerted (at most every ten
   * minutes per symbol) and refused. Without a closed candle yet there is nothing to compare:
   * accepted.
   */
  #plausible(state: SymbolState, source: string, price: number): boolean {
    const reference = state.lastClose;
    if (reference === null) return true;
    const deviationPct = (Math.abs(price - reference) / reference) * 100;
    if (deviationPct <= this.#bandPct) return true;
    const at = this.#clock.now();
    const rejection: QuoteRejection = {
      symbol: state.symbol,
      source,
      price,
      reference,
      bandPct: this.#bandPct,
      at,
    };
    this.#rejectedQuotes += 1;
    this.#quoteRejections.push(rejection);
    if (this.#quoteRejections.length > 100) this.#quoteRejections.shift();
    const message = `${state.symbol} ${source} price ${price} is ${deviationPct.toFixed(1)} % from the last close ${reference} (band ${this.#bandPct} %): refused, not acted on`;
    this.#logger.warn(message, { symbol: state.symbol, source, price, reference });
    const last = this.#quoteAlertAt.get(state.symbol);
    if (last === undefined || at - last >= quoteAlertEveryMs) {
      this.#quoteAlertAt.set(state.symbol, at);
      this.#notify({ type: 'error', code: 'QUOTE_REJECTED', message, at });
    }
    return false;
  }

  /** Step 0: the broker's fills on this candle reach the order store and the portfolio; then the rest. */
  async #afterFills(state: SymbolState, candle: Candle, fills: readonly Fill[]): Promise<void> {
    const seen = new Set<string>();
    for (const fill of fills) {
      if (seen.has(fill.clientOrderId)) continue;
      seen.add(fill.clientOrderId);
      await this.orderManager.refresh(fill.clientOrderId);
    }
    await this.#heldCycle(state, candle);
  }

  /**
   * Steps 1 to 8 after the fills: mark to market, protections, the trading state's expiry, exits
   * and the trailing stop, then the strategy. Synchronous (`undefined`) until a step has
   * something to store or send: from there the rest runs in the returned promise, in the same
   * order.
   */
  #heldCycle(state: SymbolState, candle: Candle): Promise<void> | undefined {
    const { portfolio, protections } = this.#options;
    // Step 1: mark to market, then the protections watch equity and daily P&L.
    const now = this.#clock.now();
    const facts = this.#facts;
    facts.equity = portfolio.markOne(state.symbol, candle.close, now);
    if (protections !== undefined) {
      facts.dailyPnl = portfolio.dailyPnl();
      facts.lastStopOutAt = portfolio.lastStopOutAt;
      const trips = protections.updateNow(facts);
      if (trips instanceof Promise) {
        return trips.then((tripped) => {
          this.#notifyTrips(tripped);
          return this.#fromExpiry(state, candle, now);
        });
      }
      this.#notifyTrips(trips);
    }
    return this.#fromExpiry(state, candle, now);
  }

  #fromExpiry(state: SymbolState, candle: Candle, now: number): Promise<void> | undefined {
    const expiring = this.#expireTradingState(now);
    if (expiring !== undefined) return expiring.then(() => this.#fromExits(state, candle, now));
    return this.#fromExits(state, candle, now);
  }

  /** Step 2: exits first, on the candle's range; else the trailing stop follows the candle. */
  #fromExits(state: SymbolState, candle: Candle, now: number): Promise<void> | undefined {
    if (!this.#options.portfolio.holds(state.symbol)) return this.#decideAndAct(state, candle);
    const hit = this.#exitHit(state, candle);
    if (hit !== null) return this.#exitThenDecide(state, candle, now, hit);
    return this.#trailThenDecide(state, candle, now);
  }

  async #exitThenDecide(
    state: SymbolState,
    candle: Candle,
    now: number,
    hit: ExitHit,
  ): Promise<void> {
    const exited = await this.#exitOn(state, hit, candle.time);
    await (exited ? this.#decideAndAct(state, candle) : this.#trailThenDecide(state, candle, now));
  }

  /** The trailing stop follows the candle (once the ATR is warm), then steps 3 to 8. */
  #trailThenDecide(state: SymbolState, candle: Candle, now: number): Promise<void> | undefined {
    const { trailingStops } = this.#options;
    const atr = state.atr.isReady ? state.atr.value : undefined;
    const stop = trailingStops.get(state.symbol);
    if (atr === undefined || stop === undefined) return this.#decideAndAct(state, candle);
    const after = trailingStops.updateNow(state.symbol, candle, atr);
    if (after instanceof Promise) {
      return after.then((moved) => {
        this.#stopMoved(state, stop.stopPrice, moved.stopPrice, now);
        return this.#decideAndAct(state, candle);
      });
    }
    this.#stopMoved(state, stop.stopPrice, after.stopPrice, now);
    return this.#decideAndAct(state, candle);
  }

  #stopMoved(state: SymbolState, before: number, after: number, now: number): void {
    if (after > before) {
      this.#notify({ type: 'stop_moved', symbol: state.symbol, from: before, to: after, at: now });
    }
  }

  /** Steps 3 to 8: the strategy's signal, and for a buy or sell the rest of the cycle. */
  #decideAndAct(state: SymbolState, candle: Candle): Promise<void> | undefined {
    const signal = this.#decide(state, candle);
    return signal.action === 'hold' ? undefined : this.#act(state, candle, signal);
  }

  #notifyTrips(trips: readonly ProtectionTrip[]): void {
    for (const { record } of trips) {
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
    let riskState: RiskState;
    try {
      riskState = await this.#riskState(state.symbol, candle.close, signal.action);
    } catch (error) {
      await this.#record(state, candle.time, signal, null, 'blocked', null, describe(error));
      return;
    }
    const verdict = this.#options.risk.evaluate(signal, riskState);
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
      ...(entry ? {} : { positionOpenedAt: riskState.position?.openedAt ?? candle.time }),
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
    fromTick = false,
  ): Promise<SubmitResult | null> {
    let result: SubmitResult;
    try {
      result = await this.orderManager.submit(intent);
    } catch (error) {
      if (CircuitOpenError.isInstance(error)) {
        await this.#record(state, candleTime, signal, verdict, 'blocked', null, error.message);
        return null;
      }
      if (SellInFlightError.isInstance(error)) {
        const key = `in-flight:${error.order.clientOrderId}`;
        await this.#blockedExit(state, candleTime, signal, verdict, error.message, key, fromTick);
        return null;
      }
      if (RefusalBackoffError.isInstance(error)) {
        // The refusal itself was alerted; waiting for the backoff is recorded, not alerted.
        const key = `refused:${intent.positionOpenedAt ?? intent.candleTime}`;
        state.alerted.add(key);
        await this.#blockedExit(state, candleTime, signal, verdict, error.message, key, fromTick);
        return null;
      }
      this.#notifyError(error);
      await this.#record(state, candleTime, signal, verdict, 'error', null, describe(error)).catch(
        (recordError: unknown) =>
          this.#logger.error('decision not recorded', { error: describe(recordError) }),
      );
      throw error;
    }
    if (result.status === 'duplicate' && intent.side === 'sell') {
      // The same exit, already sent: waiting for its outcome, recorded like a blocked exit.
      const note = `exit ${result.order.clientOrderId} already sent (${result.order.status}): waiting for its outcome`;
      const key = `in-flight:${result.order.clientOrderId}`;
      await this.#blockedExit(state, candleTime, signal, verdict, note, key, fromTick);
      return result;
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
    if (result.status === 'rejected' && intent.side === 'sell') {
      const key = `refused:${intent.positionOpenedAt ?? intent.candleTime}`;
      if (!state.alerted.has(key)) {
        state.alerted.add(key);
        this.#notify({
          type: 'error',
          code: 'EXIT_REFUSED',
          message: `${intent.symbol}: the exchange refused exit ${result.order.clientOrderId} (${result.order.reason ?? 'no reason'}); further attempts back off`,
          at: this.#clock.now(),
        });
      }
    }
    return result;
  }

  /**
   * Step 2: trailing stop and bracket exits, on a candle's range or a live price. Returns whether
   * an exit was sent.
   */
  async #checkExits(
    state: SymbolState,
    at: Candle | number,
    candleTime: number,
    fromTick = false,
  ): Promise<boolean> {
    const hit = this.#exitHit(state, at);
    return hit === null ? false : this.#exitOn(state, hit, candleTime, fromTick);
  }

  /** Which exit a candle's range or a live price reaches (the trailing stop or a bracket leg), if any. */
  #exitHit(state: SymbolState, at: Candle | number): ExitHit | null {
    const trailing = this.#options.trailingStops.exitPrice(state.symbol, at);
    const bracket = this.#brackets.check(state.symbol, at);
    let role: OrderRole | null = null;
    let price = 0;
    if (trailing !== null) {
      role = 'trailing_stop';
      price = trailing;
    }
    if (bracket !== null && (role === null || (bracket.leg === 'stop' && bracket.price > price))) {
      role = bracket.role;
      price = bracket.price;
    }
    return role === null ? null : { role, price };
  }

  /** Sends the exit a stop reached (see {@link TradeCycle.#exit}); whether it was sent. */
  #exitOn(
    state: SymbolState,
    hit: ExitHit,
    candleTime: number,
    fromTick = false,
  ): Promise<boolean> {
    const { role, price } = hit;
    return this.#exit(
      state,
      role,
      price,
      candleTime,
      // 8 significant digits: the level, without float noise (39892.545, not 39892.54499523331).
      `${role.replace('_', ' ')} hit at ${Number(price.toPrecision(8))}`,
      fromTick,
    );
  }

  /**
   * Sends a full exit through risk (only the halted state, the live gate and the phantom-sell
   * check can block it) and the order manager. Returns whether it was sent.
   *
   * The exit is keyed by the position (its open time) in the order manager: the same exit
   * triggered again while the first is in flight is the same order. Live, it is capped at the
   * exchange's free balance of the base asset (a sell never takes coins the bot does not own),
   * and a resting limit sell of the symbol is canceled first. A blocked exit repeated on ticks
   * is recorded at most once a minute and alerted once.
   */
  async #exit(
    state: SymbolState,
    role: OrderRole,
    price: number,
    candleTime: number,
    reason: string,
    fromTick = false,
  ): Promise<boolean> {
    const position = this.#options.portfolio.position(state.symbol);
    if (position === undefined) return false;
    const signal: Signal = { action: 'sell', confidence: 1, reason };
    /** Records why the exit waits (see #blockedExit); always `false`: nothing was sent. */
    const wait = async (
      note: string,
      key: string,
      verdict: RiskVerdict | null = null,
    ): Promise<false> => {
      await this.#blockedExit(state, candleTime, signal, verdict, note, key, fromTick);
      return false;
    };
    // One sell per symbol at a time: while one is in flight, wait (no exchange request).
    const inFlight = await this.orderManager.sellInFlight(state.symbol, position.openedAt);
    if (inFlight !== null && !isRestingLimit(inFlight)) {
      return wait(
        `exit waits: ${sellInFlightReason(inFlight)}`,
        `in-flight:${inFlight.clientOrderId}`,
      );
    }
    // Refused before: the next attempt waits for its backoff (the refusal itself was alerted).
    const exit = { strategy: state.strategy.key, symbol: state.symbol, role };
    const backoff = await this.orderManager.exitBackoff(exit, position.openedAt);
    if (backoff !== null) return wait(backoff.message, `refused:${position.openedAt}`);
    // While halted no exit can go: a resting take-profit is left in place.
    const released =
      this.#options.tradingState.state === 'halted' ? null : await this.#cancelRestingSells(state);
    if (released !== null) return wait(released, `resting:${released}`);
    let riskState: RiskState;
    try {
      riskState = await this.#riskState(state.symbol, price, 'sell');
    } catch (error) {
      return wait(`exit waits: ${describe(error)}`, `state:${position.openedAt}`);
    }
    const verdict = this.#options.risk.evaluate(signal, riskState);
    if (!verdict.allowed) {
      const check = verdict.checks.find((item) => item.outcome === 'fail');
      return wait(verdict.reason, `risk:${check?.name ?? 'blocked'}:${position.openedAt}`, verdict);
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
      positionOpenedAt: position.openedAt,
      reason,
    };
    const result = await this.#submit(state, candleTime, signal, verdict, intent, fromTick);
    return result !== null && result.status !== 'rejected';
  }

  /**
   * Cancels the resting limit sells of a symbol (a strategy's limit exit) so a stop can sell
   * the position. Returns why the exit must wait (a cancel not confirmed), or `null`.
   */
  async #cancelRestingSells(state: SymbolState): Promise<string | null> {
    const resting = (await this.#options.orders.listNonFinalOrders()).filter(
      (order) => order.symbol === state.symbol && isRestingLimit(order),
    );
    for (const order of resting) {
      try {
        const { order: after } = await this.orderManager.cancel(order.clientOrderId);
        if (after.status === 'open' || after.status === 'partially_filled') {
          return `resting sell ${order.clientOrderId} is still ${after.status} after its cancel`;
        }
      } catch (error) {
        return `resting sell ${order.clientOrderId} could not be canceled yet: ${describe(error)}`;
      }
    }
    return null;
  }

  /**
   * Records an exit that could not be sent, and alerts it once per `key`. From a tick, the
   * same block is recorded again at most once a minute (a stop below the price fires on every
   * tick); the latest decision is always updated.
   */
  async #blockedExit(
    state: SymbolState,
    candleTime: number,
    signal: Signal,
    verdict: RiskVerdict | null,
    note: string,
    key: string,
    fromTick: boolean,
  ): Promise<void> {
    const now = this.#clock.now();
    const last = state.lastTickBlock;
    if (fromTick && last !== null && last.key === key && now - last.at < tickRecordEveryMs) {
      state.latest = { candleTime, signal, outcome: 'blocked', verdict, note };
    } else {
      await this.#record(state, candleTime, signal, verdict, 'blocked', null, note);
      state.lastTickBlock = fromTick ? { key, at: now } : null;
    }
    if (state.alerted.has(key)) return;
    state.alerted.add(key);
    const check = verdict?.checks.find((item) => item.outcome === 'fail');
    if (check !== undefined && verdict !== null) {
      this.#notify({
        type: 'risk_blocked',
        symbol: state.symbol,
        side: verdict.side,
        check,
        at: now,
      });
    } else {
      this.#notify({
        type: 'error',
        code: 'EXIT_BLOCKED',
        message: `${state.symbol}: ${note}`,
        at: now,
      });
    }
  }

  /** Step 7: a fill reaches the portfolio, the trade ledger, the stops and the protections. */
  async #onFill(exchangeFill: Fill, order: Order): Promise<void> {
    const fill = inQuoteFees(exchangeFill);
    const { portfolio, trailingStops, protections } = this.#options;
    const settings = this.#settings;
    const state = this.#symbols.get(fill.symbol);
    // What the exchange did happened: a fill that does not add up (a sell beyond the position)
    // counts what was the bot's, and the symbol is reported to be paused; never thrown, so the
    // stored fill and the portfolio cannot part ways (which would let another sell out).
    const { change, issue } = portfolio.applyFillOrRecord(fill, { role: order.role });
    if (issue?.kind === 'fee') this.#logger.warn('a fill fee is not counted', { ...issue });
    if (issue !== null && issue.kind !== 'fee') {
      this.#logger.error('a fill does not add up', { ...issue });
      this.#notify({
        type: 'error',
        code: 'FILL_INCONSISTENT',
        message: issue.problem,
        at: this.#clock.now(),
      });
      this.#options.onFillIssue?.(issue);
    }
    if (change === null) {
      await this.#persist();
      return;
    }
    this.ledger.apply(change.fill, {
      role: order.role,
      candleTime: order.candleTime,
      ...(this.#candleTime === null ? {} : { fillTime: this.#candleTime }),
    });
    const atr = state?.atr.isReady === true ? state.atr.value : undefined;
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
      } else {
        this.#notifyResized(change, order);
      }
    } else if (change.kind === 'reduced') {
      this.#notifyResized(change, order);
    } else if (change.kind === 'closed') {
      await trailingStops.close(fill.symbol);
      this.#brackets.cancel(fill.symbol);
      if (state !== undefined) {
        state.pendingEntry = null;
        state.alerted.clear();
        state.lastTickBlock = null;
      }
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
        const trip = await protections.recordStopOut(fill.symbol, fill.time);
        if (trip !== null) this.#notifyTrips([trip]);
      }
    }
    await this.#persist();
  }

  /** Persists the portfolio, when it has a store (a backtest's own in-memory run has none). */
  async #persist(): Promise<void> {
    const { portfolio } = this.#options;
    if (portfolio.persistent) await portfolio.persist();
  }

  /** An add-on buy or a partial sell: the fill, what is held after it and the P&L it realized. */
  #notifyResized(change: PositionChange, order: Order): void {
    const { fill } = change;
    this.#notify({
      type: 'trade_resized',
      symbol: fill.symbol,
      side: fill.side,
      quantity: fill.quantity,
      price: fill.price,
      held: change.after?.quantity ?? 0,
      pnl: change.realizedPnl,
      reason: order.reason ?? order.role,
      at: fill.time,
    });
  }

  /**
   * The risk state of a symbol now: account facts, market rules, live quotes when known and
   * plausible (within the price band), and for a live sell the exchange's free balance of the
   * base asset.
   *
   * @throws {DataIntegrityError} for an entry whose quotes are outside the price band.
   */
  async #riskState(
    symbol: SymbolId,
    price: number,
    action: Signal['action'] = 'buy',
  ): Promise<RiskState> {
    const now = this.#clock.now();
    const { portfolio, markets, marketData, entryBreaker, tradingState, symbolPaused } =
      this.#options;
    const settings = this.#settings;
    const state = this.#state(symbol);
    // The account facts a snapshot would give, from the portfolio's running totals (no
    // snapshot built per order): equity(now) has snapshot(now)'s effects (the day, the peak).
    const equity = portfolio.equity(now);
    const cash = portfolio.cash;
    const dailyPnl = portfolio.dailyPnl();
    const openPositions = portfolio.openPositionCount();
    const lastStopOutAt = portfolio.lastStopOutAt[symbol] ?? null;
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
      let refused: string | null = null;
      if (ticker !== null && !this.#plausible(state, 'ticker', ticker.last)) {
        refused = `the ticker's ${ticker.last}`;
        ticker = null;
      }
      const mid = orderBook === null ? null : bookMid(orderBook);
      if (mid !== null && !this.#plausible(state, 'order book', mid)) {
        refused = `the order book's mid ${mid}`;
        orderBook = null;
      }
      // An entry's guards (spread, slippage, volume) would skip without the quotes: no entry on
      // absurd quotes. An exit goes on at its own (checked) price.
      if (refused !== null && action === 'buy') {
        throw new DataIntegrityError(
          `entry waits: ${refused} is outside the ${this.#bandPct} % price band around the last close ${state.lastClose}`,
        );
      }
    }
    const freeBase =
      action === 'sell' && this.#paper === null ? await this.#freeBase(symbol) : null;
    return {
      now,
      symbol,
      tradingState: tradingState.state,
      mode: settings.mode,
      allowLiveTrading: settings.allowLiveTrading,
      price,
      position: portfolio.position(symbol) ?? null,
      openPositions,
      equity,
      cash: cash / (1 + (settings.cashReserveBps ?? 0) / 10_000),
      dailyPnl,
      lastStopOutAt,
      atr: state.atr.isReady ? state.atr.value : null,
      market: markets?.get(symbol) ?? null,
      ticker,
      orderBook,
      circuitOpen: entryBreaker?.state() === 'open',
      freeBase,
      symbolPaused: symbolPaused?.(symbol) ?? null,
    };
  }

  /**
   * The free balance of a symbol's base asset on the exchange (live brokers only), or `null`
   * when it cannot be read: the sell is then capped at the position alone. That is safe: the
   * cap binds only when the exchange holds less than the position, and then it holds none of
   * the user's coins to sell either (it refuses the sell); a sell in flight is guarded anyway.
   */
  async #freeBase(symbol: SymbolId): Promise<number | null> {
    const { base } = symbolParts(symbol);
    let balance: Balance;
    try {
      balance = await this.#options.broker.fetchBalance();
    } catch (error) {
      this.#logger.warn(
        `the free ${base} balance could not be read: the sell is capped at the position`,
        {
          symbol,
          error: describe(error),
        },
      );
      return null;
    }
    return balance[base]?.free ?? 0;
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

  /** Ends a pause whose time is up; `undefined` (synchronously) when none is. */
  #expireTradingState(now: number): Promise<void> | undefined {
    const record = this.#options.tradingState.record;
    if (record.until === null || now < record.until) return undefined;
    return this.#expire(now);
  }

  async #expire(now: number): Promise<void> {
    const { tradingState } = this.#options;
    const before = tradingState.record.state;
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
      code: LumenLinkError.isInstance(error) ? error.code : 'UNEXPECTED',
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
