import {
  DataIntegrityError,
  assertValidCandle,
  fromCcxtSymbol,
  type Balance,
  type BookLevel,
  type BrokerOrder,
  type Candle,
  type Fill,
  type MarketInfo,
  type OrderBook,
  type OrderRequest,
  type OrderSide,
  type OrderType,
  type SymbolId,
  type Ticker,
} from '@lumenlink/core';

/**
 * Validators that turn what ccxt returns into strict core types. ccxt's TypeScript types promise
 * numbers, but at run time a missing field is `undefined` and a garbled one `NaN`; nothing of
 * that passes here. Every function throws a {@link DataIntegrityError} naming the payload
 * (`source`), the field and the bad value.
 */

type Dict = Readonly<Record<string, unknown>>;

function fail(source: string, problem: string): never {
  throw new DataIntegrityError(`${source}: ${problem}`);
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) {
    return String(value);
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}

function dict(value: unknown, source: string, what: string): Dict {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(source, `${what} is ${show(value)}, expected an object`);
  }
  return value as Dict;
}

function positive(value: unknown, source: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    fail(source, `${field} is ${show(value)}, expected a positive number`);
  }
  return value;
}

function nonNegative(value: unknown, source: string, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    fail(source, `${field} is ${show(value)}, expected a number >= 0`);
  }
  return value;
}

/** `null` when absent (`undefined` or `null`); otherwise it must be a positive number. */
function optionalPositive(value: unknown, source: string, field: string): number | null {
  return value == null ? null : positive(value, source, field);
}

/** `null` when absent; otherwise it must be a number >= 0. */
function optionalNonNegative(value: unknown, source: string, field: string): number | null {
  return value == null ? null : nonNegative(value, source, field);
}

function epochMs(value: unknown, source: string, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(source, `${field} is ${show(value)}, expected an epoch time in ms`);
  }
  return value;
}

function text(value: unknown, source: string, field: string): string {
  if (typeof value !== 'string' || value === '') {
    fail(source, `${field} is ${show(value)}, expected a non-empty string`);
  }
  return value;
}

function symbolOf(value: unknown, source: string): SymbolId {
  const symbol = text(value, source, 'symbol');
  try {
    return fromCcxtSymbol(symbol);
  } catch (error) {
    throw new DataIntegrityError(`${source}: symbol ${show(symbol)} is not a spot pair`, {
      cause: error,
    });
  }
}

/**
 * The market a read asked about: every answer about one market must be about that one. A ticker
 * of another symbol acted on as this one's is how a stop fires at another coin's price.
 */
export interface AskedMarket {
  /** Our symbol, checked against ccxt's parsed `symbol`. */
  readonly symbol: SymbolId;
  /**
   * The exchange's own id of the market (binance `BTCUSDT`), checked against the raw answer's
   * `info.symbol` where the exchange sends one: ccxt files an answer about a market id it does
   * not list under the market asked, so its parsed `symbol` alone cannot tell.
   */
  readonly exchangeId?: string;
  /**
   * The market's price step: no exchange quotes a price below one step, so a ticker or book
   * price below it is refused as absurd.
   */
  readonly priceStep?: number;
}

/**
 * The symbol an answer is about, checked against the market asked (when one was): ccxt's parsed
 * `symbol` must be it, and so must the raw `info.symbol` when {@link AskedMarket.exchangeId} is
 * given and the exchange sent one.
 */
function answeredSymbol(p: Dict, asked: AskedMarket | undefined, source: string): SymbolId {
  if (asked === undefined) return symbolOf(p.symbol, source);
  const raw = p.symbol;
  let answered: SymbolId | null;
  try {
    answered = typeof raw === 'string' ? fromCcxtSymbol(raw) : null;
  } catch {
    answered = null;
  }
  if (answered !== asked.symbol) {
    fail(
      source,
      `the answer is for ${answered ?? `symbol ${show(raw)}`}, not for ${asked.symbol} as asked`,
    );
  }
  const info = p.info;
  if (asked.exchangeId !== undefined && typeof info === 'object' && info !== null) {
    const rawId = (info as Dict).symbol;
    if (typeof rawId === 'string' && rawId !== asked.exchangeId) {
      fail(
        source,
        `the exchange answered for market ${show(rawId)}, not for ${asked.exchangeId} (${asked.symbol}) as asked`,
      );
    }
  }
  return answered;
}

/** Refuses a quoted price below the market's price step (see {@link AskedMarket.priceStep}). */
function quotable(price: number, asked: AskedMarket, source: string, field: string): number {
  const step = asked.priceStep;
  if (step !== undefined && price < step * (1 - 1e-9)) {
    fail(
      source,
      `${field} ${price} is below ${asked.symbol}'s price step ${step}: no exchange quotes that price`,
    );
  }
  return price;
}

/**
 * A ccxt spot market to core's {@link MarketInfo}. Steps are ccxt's precision in tick-size form
 * (binance, bybit and coinbase all use `TICK_SIZE`). A missing minimum amount is the amount
 * step (the smallest quantity the exchange can take); a missing minimum cost is 0.
 */
export function marketInfoFromCcxt(market: unknown, source: string): MarketInfo {
  const m = dict(market, source, 'the market');
  const precision = dict(m.precision, source, 'precision');
  const limits = m.limits == null ? {} : dict(m.limits, source, 'limits');
  const amountLimits = limits.amount == null ? {} : dict(limits.amount, source, 'limits.amount');
  const costLimits = limits.cost == null ? {} : dict(limits.cost, source, 'limits.cost');
  const amountStep = positive(precision.amount, source, 'precision.amount (amount step)');
  const priceStep = positive(precision.price, source, 'precision.price (price step)');
  const minAmount = optionalPositive(amountLimits.min, source, 'limits.amount.min') ?? amountStep;
  const maxAmount = optionalPositive(amountLimits.max, source, 'limits.amount.max');
  if (maxAmount !== null && maxAmount < minAmount) {
    fail(source, `limits.amount.max ${maxAmount} is below the minimum amount ${minAmount}`);
  }
  return {
    symbol: symbolOf(m.symbol, source),
    base: text(m.base, source, 'base'),
    quote: text(m.quote, source, 'quote'),
    amountStep,
    priceStep,
    minAmount,
    maxAmount,
    minCost: optionalNonNegative(costLimits.min, source, 'limits.cost.min') ?? 0,
    takerFee: optionalNonNegative(m.taker, source, 'taker fee'),
    makerFee: optionalNonNegative(m.maker, source, 'maker fee'),
    active: m.active !== false,
  };
}

/**
 * ccxt OHLCV rows (`[time, open, high, low, close, volume]`) to candles, each checked by core's
 * candle rules, in strictly ascending time.
 */
export function candlesFromCcxt(rows: unknown, source: string): Candle[] {
  if (!Array.isArray(rows)) fail(source, `the candles are ${show(rows)}, expected an array`);
  const candles: Candle[] = [];
  for (const [index, row] of (rows as unknown[]).entries()) {
    if (!Array.isArray(row) || row.length < 6) {
      fail(
        source,
        `candle #${index} is ${show(row)}, expected [time, open, high, low, close, volume]`,
      );
    }
    const [time, open, high, low, close, volume] = row as unknown[];
    const fields = { time, open, high, low, close, volume };
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value !== 'number') {
        fail(source, `candle #${index} ${name} is ${show(value)}, expected a number`);
      }
    }
    const candle = fields as Candle;
    assertValidCandle(candle, source);
    const previous = candles[candles.length - 1];
    if (previous !== undefined && candle.time <= previous.time) {
      fail(source, `candle #${index} at ${candle.time} is not after ${previous.time}`);
    }
    candles.push(candle);
  }
  return candles;
}

/**
 * A ccxt ticker to core's {@link Ticker}, for the market asked: ccxt's `symbol` (and the raw
 * `info.symbol` when {@link AskedMarket.exchangeId} is given) must be that market. `last` (or
 * ccxt's `close`) must be a positive price; bid, ask and volumes may be absent (`null`) but never
 * NaN, infinite or negative, bid may not be above ask, and no price may be below the market's
 * price step when it is given. A ticker without a timestamp is stamped `receivedAt`.
 */
export function tickerFromCcxt(
  ticker: unknown,
  asked: AskedMarket,
  receivedAt: number,
  source: string,
): Ticker {
  const t = dict(ticker, source, 'the ticker');
  const symbol = answeredSymbol(t, asked, source);
  const bid = optionalPositive(t.bid, source, 'bid');
  const ask = optionalPositive(t.ask, source, 'ask');
  if (bid !== null && ask !== null && bid > ask) {
    fail(source, `bid ${bid} is above ask ${ask}`);
  }
  const last = quotable(
    positive(t.last ?? t.close, source, 'last price'),
    asked,
    source,
    'last price',
  );
  if (bid !== null) quotable(bid, asked, source, 'bid');
  if (ask !== null) quotable(ask, asked, source, 'ask');
  return {
    symbol,
    time: t.timestamp == null ? receivedAt : epochMs(t.timestamp, source, 'timestamp'),
    last,
    bid,
    ask,
    baseVolume24h: optionalNonNegative(t.baseVolume, source, 'baseVolume'),
    quoteVolume24h: optionalNonNegative(t.quoteVolume, source, 'quoteVolume'),
  };
}

/**
 * A ccxt order book to core's {@link OrderBook}, for the market asked (ccxt's `symbol` must be
 * it): positive prices and quantities with a finite value, bids strictly descending, asks
 * strictly ascending, best bid below best ask, no price below the market's price step when it is
 * given. Stamped `receivedAt` when the exchange sends no time.
 */
export function orderBookFromCcxt(
  book: unknown,
  asked: AskedMarket,
  receivedAt: number,
  source: string,
): OrderBook {
  const b = dict(book, source, 'the order book');
  const symbol = answeredSymbol(b, asked, source);
  const bids = levels(b.bids, 'bids', -1, source);
  const asks = levels(b.asks, 'asks', 1, source);
  const bestBid = bids[0]?.[0];
  const bestAsk = asks[0]?.[0];
  if (bestBid !== undefined && bestAsk !== undefined && bestBid >= bestAsk) {
    fail(source, `the book is crossed: best bid ${bestBid} >= best ask ${bestAsk}`);
  }
  // Bids descend and asks ascend: the lowest price of each side is its last and its first.
  const lowestBid = bids[bids.length - 1]?.[0];
  if (lowestBid !== undefined) quotable(lowestBid, asked, source, `bids[${bids.length - 1}] price`);
  if (bestAsk !== undefined) quotable(bestAsk, asked, source, 'asks[0] price');
  return {
    symbol,
    time: b.timestamp == null ? receivedAt : epochMs(b.timestamp, source, 'timestamp'),
    bids,
    asks,
  };
}

function levels(value: unknown, side: string, direction: 1 | -1, source: string): BookLevel[] {
  if (!Array.isArray(value)) fail(source, `${side} is ${show(value)}, expected an array`);
  const result: BookLevel[] = [];
  for (const [index, level] of (value as unknown[]).entries()) {
    if (!Array.isArray(level)) {
      fail(source, `${side}[${index}] is ${show(level)}, expected [price, quantity]`);
    }
    const price = positive(level[0], source, `${side}[${index}] price`);
    const quantity = positive(level[1], source, `${side}[${index}] quantity`);
    if (!Number.isFinite(price * quantity)) {
      fail(source, `${side}[${index}] is worth ${price * quantity} (${price} x ${quantity})`);
    }
    const previous = result[result.length - 1];
    if (previous !== undefined && (price - previous[0]) * direction <= 0) {
      fail(
        source,
        `${side}[${index}] price ${price} is out of order after ${previous[0]} (${side} must be ${
          direction === 1 ? 'ascending' : 'descending'
        })`,
      );
    }
    result.push([price, quantity]);
  }
  return result;
}

/** Order statuses of a {@link BrokerOrder}. */
type BrokerOrderStatus = BrokerOrder['status'];

/** Relative tolerance when comparing filled with ordered quantities (decimal noise). */
const quantityTolerance = 1e-9;

/**
 * A ccxt order to core's {@link BrokerOrder}; when `asked` is given, the order must be of that
 * market (ccxt's `symbol`, and the raw `info.symbol` with {@link AskedMarket.exchangeId}).
 * ccxt's unified statuses map: `open` (and
 * `canceling`) to `open`, or `partially_filled` once something filled; `closed` to `filled`, or
 * to `canceled` when less than the quantity filled (bybit closes partially filled cancels);
 * `canceled`, `rejected` and `expired` as they are (a partially filled cancel stays `canceled`,
 * with its `filledQuantity`). The type is ccxt's `market`/`limit`, a stop when a trigger price is
 * set. The fee is the order's fee when the exchange reports one (its fills carry the exact fees).
 */
export function brokerOrderFromCcxt(
  order: unknown,
  source: string,
  asked?: AskedMarket,
): BrokerOrder {
  const o = dict(order, source, 'the order');
  const symbol = answeredSymbol(o, asked, source);
  const quantity = positive(o.amount, source, 'amount');
  const filledQuantity = nonNegative(o.filled, source, 'filled');
  if (filledQuantity > quantity * (1 + quantityTolerance)) {
    fail(source, `filled ${filledQuantity} is more than the amount ${quantity}`);
  }
  const type = orderType(o.type, o.triggerPrice, source);
  const isLimit = type === 'limit' || type === 'stop_limit';
  const isStop = type === 'stop_market' || type === 'stop_limit';
  const createdAt = epochMs(o.timestamp, source, 'timestamp');
  const updated = o.lastUpdateTimestamp ?? o.lastTradeTimestamp;
  const fee = orderFee(o, source);
  return {
    exchangeOrderId: text(o.id, source, 'id'),
    clientOrderId:
      typeof o.clientOrderId === 'string' && o.clientOrderId !== '' ? o.clientOrderId : null,
    symbol,
    side: orderSide(o.side, source),
    type,
    status: orderStatus(o.status, filledQuantity, quantity, source),
    quantity,
    filledQuantity,
    avgFillPrice: filledQuantity > 0 ? averagePrice(o, filledQuantity, source) : null,
    limitPrice: isLimit ? positive(o.price, source, 'price (limit price)') : null,
    stopPrice: isStop ? positive(o.triggerPrice, source, 'triggerPrice (stop price)') : null,
    fee: fee.cost,
    feeCurrency: fee.currency,
    createdAt,
    updatedAt: updated == null ? createdAt : epochMs(updated, source, 'lastUpdateTimestamp'),
  };
}

/**
 * The order an acknowledgement-only createOrder reply stands for (bybit and coinbase answer with
 * ids only): the request as sent, `open` with nothing filled yet, stamped `receivedAt`. Its
 * fills and status arrive through later lookups.
 */
export function acknowledgedOrderFromCcxt(
  reply: unknown,
  request: OrderRequest,
  receivedAt: number,
  source: string,
): BrokerOrder {
  const r = dict(reply, source, 'the reply');
  const echoed =
    r.clientOrderId == null
      ? request.clientOrderId
      : text(r.clientOrderId, source, 'clientOrderId');
  return {
    exchangeOrderId: text(r.id, source, 'id'),
    clientOrderId: echoed,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    status: 'open',
    quantity: request.quantity,
    filledQuantity: 0,
    avgFillPrice: null,
    limitPrice: request.limitPrice ?? null,
    stopPrice: request.stopPrice ?? null,
    fee: 0,
    feeCurrency: null,
    createdAt: receivedAt,
    updatedAt: receivedAt,
  };
}

function orderSide(value: unknown, source: string): OrderSide {
  if (value !== 'buy' && value !== 'sell')
    fail(source, `side is ${show(value)}, expected buy or sell`);
  return value;
}

function orderType(value: unknown, triggerPrice: unknown, source: string): OrderType {
  const stop = triggerPrice != null && triggerPrice !== 0;
  if (value === 'market') return stop ? 'stop_market' : 'market';
  if (value === 'limit') return stop ? 'stop_limit' : 'limit';
  return fail(source, `type is ${show(value)}, expected market or limit`);
}

function orderStatus(
  value: unknown,
  filled: number,
  quantity: number,
  source: string,
): BrokerOrderStatus {
  switch (value) {
    case 'open':
    case 'canceling':
      return filled > 0 ? 'partially_filled' : 'open';
    case 'closed':
      return filled >= quantity * (1 - quantityTolerance) ? 'filled' : 'canceled';
    case 'canceled':
    case 'rejected':
    case 'expired':
      return value;
    default:
      return fail(
        source,
        `status is ${show(value)}, expected open, closed, canceled, rejected or expired`,
      );
  }
}

function averagePrice(o: Dict, filled: number, source: string): number {
  if (o.average != null) return positive(o.average, source, 'average (fill price)');
  if (typeof o.cost === 'number' && Number.isFinite(o.cost) && o.cost > 0) return o.cost / filled;
  return fail(source, `filled ${filled} but neither average nor cost tells the fill price`);
}

function orderFee(o: Dict, source: string): { cost: number; currency: string | null } {
  const fees: unknown[] =
    Array.isArray(o.fees) && o.fees.length > 0 ? o.fees : o.fee == null ? [] : [o.fee];
  let cost = 0;
  let currency: string | null = null;
  for (const [index, entry] of fees.entries()) {
    const fee = dict(entry, source, `fees[${index}]`);
    if (fee.cost == null) continue;
    const amount = nonNegative(fee.cost, source, `fees[${index}].cost`);
    const feeCurrency = text(fee.currency, source, `fees[${index}].currency`);
    if (currency !== null && feeCurrency !== currency) {
      fail(
        source,
        `fees in both ${currency} and ${feeCurrency}: one order fee cannot be told; read the fills`,
      );
    }
    currency = feeCurrency;
    cost += amount;
  }
  return { cost, currency };
}

/**
 * A ccxt trade of ours to core's {@link Fill}. `clientOrderId` is the order's client id, which
 * ccxt trades do not carry (the adapter resolves it from the order). When `asked` is given, the
 * trade must be of that market, as for orders.
 */
export function fillFromCcxt(
  trade: unknown,
  clientOrderId: string,
  source: string,
  asked?: AskedMarket,
): Fill {
  const t = dict(trade, source, 'the trade');
  const symbol = answeredSymbol(t, asked, source);
  const fee = t.fee == null ? fail(source, 'fee is missing') : dict(t.fee, source, 'fee');
  return {
    tradeId: text(t.id, source, 'id (trade id)'),
    clientOrderId,
    exchangeOrderId: t.order == null ? null : text(t.order, source, 'order (order id)'),
    symbol,
    side: orderSide(t.side, source),
    quantity: positive(t.amount, source, 'amount'),
    price: positive(t.price, source, 'price'),
    fee: nonNegative(fee.cost, source, 'fee.cost'),
    feeCurrency: text(fee.currency, source, 'fee.currency'),
    time: epochMs(t.timestamp, source, 'timestamp'),
  };
}

const balanceKeys = new Set(['info', 'timestamp', 'datetime', 'free', 'used', 'total', 'debt']);

/** A ccxt balance to core's {@link Balance}: free, used and total per currency, each >= 0. */
export function balanceFromCcxt(balance: unknown, source: string): Balance {
  const b = dict(balance, source, 'the balance');
  const result: Record<string, { free: number; used: number; total: number }> = {};
  for (const [currency, entry] of Object.entries(b)) {
    if (balanceKeys.has(currency)) continue;
    const e = dict(entry, source, currency);
    result[currency] = {
      free: nonNegative(e.free, source, `${currency}.free`),
      used: nonNegative(e.used, source, `${currency}.used`),
      total: nonNegative(e.total, source, `${currency}.total`),
    };
  }
  return result;
}
