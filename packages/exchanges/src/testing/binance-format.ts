/**
 * Binance spot's JSON shapes for orders, fills, trades, klines and tickers, as ccxt's `binance`
 * class parses them. Amounts are decimal strings with 8 decimals, times epoch ms numbers.
 */
import type { Candle } from '@lumenlink/core';
import { formatAmount, formatPrice, roundTo } from './markets.js';
import type { OrderRecord } from './matching-engine.js';
import type { EmulatorTrade } from './types.js';

/** How much of an order's answer to send (`newOrderRespType`). */
export type OrderResponseType = 'ACK' | 'RESULT' | 'FULL';

function orderFields(order: OrderRecord): Record<string, unknown> {
  return {
    symbol: order.market.id,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: formatAmount(order.price ?? 0),
    origQty: formatAmount(order.quantity),
    executedQty: formatAmount(order.filled),
    cummulativeQuoteQty: formatAmount(order.quoteFilled),
    status: order.status,
    timeInForce: order.timeInForce ?? 'GTC',
    type: order.binanceType,
    side: order.side.toUpperCase(),
  };
}

/** An order as GET /api/v3/order, openOrders and allOrders list it. */
export function orderJson(order: OrderRecord): Record<string, unknown> {
  return {
    ...orderFields(order),
    stopPrice: formatAmount(0),
    icebergQty: formatAmount(0),
    time: order.createdAt,
    updateTime: order.updatedAt,
    isWorking: true,
    workingTime: order.createdAt,
    origQuoteOrderQty: formatAmount(order.quoteOrderQty),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** The answer to POST /api/v3/order in the requested detail, fills included for FULL. */
export function newOrderJson(
  order: OrderRecord,
  fills: readonly EmulatorTrade[],
  responseType: OrderResponseType,
): Record<string, unknown> {
  const ack = {
    symbol: order.market.id,
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    transactTime: order.createdAt,
  };
  if (responseType === 'ACK') return ack;
  const result = {
    ...orderFields(order),
    transactTime: order.createdAt,
    workingTime: order.createdAt,
    origQuoteOrderQty: formatAmount(order.quoteOrderQty),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (responseType === 'RESULT') return result;
  return {
    ...result,
    fills: fills.map((fill) => ({
      price: formatAmount(fill.price),
      qty: formatAmount(fill.quantity),
      commission: formatAmount(fill.fee),
      commissionAsset: fill.feeAsset,
      tradeId: fill.id,
    })),
  };
}

/** The answer to DELETE /api/v3/order: `clientOrderId` is the cancel request's own id. */
export function canceledOrderJson(
  order: OrderRecord,
  cancelClientOrderId: string,
  time: number,
): Record<string, unknown> {
  return {
    ...orderFields(order),
    origClientOrderId: order.clientOrderId,
    clientOrderId: cancelClientOrderId,
    transactTime: time,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** A fill as GET /api/v3/myTrades lists it. */
export function myTradeJson(trade: EmulatorTrade, marketId: string): Record<string, unknown> {
  return {
    symbol: marketId,
    id: trade.id,
    orderId: trade.orderId,
    orderListId: -1,
    price: formatAmount(trade.price),
    qty: formatAmount(trade.quantity),
    quoteQty: formatAmount(roundTo(trade.price * trade.quantity)),
    commission: formatAmount(trade.fee),
    commissionAsset: trade.feeAsset,
    time: trade.time,
    isBuyer: trade.side === 'buy',
    isMaker: trade.isMaker,
    isBestMatch: true,
  };
}

/** A kline: `[openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBase, takerQuote, '0']`. */
export function klineJson(candle: Candle, intervalMs: number): unknown[] {
  const quoteVolume = roundTo(candle.volume * candle.close);
  return [
    candle.time,
    formatAmount(candle.open),
    formatAmount(candle.high),
    formatAmount(candle.low),
    formatAmount(candle.close),
    formatAmount(candle.volume),
    candle.time + intervalMs - 1,
    formatAmount(quoteVolume),
    0,
    formatAmount(roundTo(candle.volume / 2)),
    formatAmount(roundTo(quoteVolume / 2)),
    '0',
  ];
}

/** What a 24h ticker is computed from. */
export interface DayStats {
  readonly marketId: string;
  readonly lastPrice: number;
  readonly bid: readonly [number, number];
  readonly ask: readonly [number, number];
  /** The candles of the last 24 hours (may be empty). */
  readonly candles: readonly Candle[];
  readonly now: number;
}

/** GET /api/v3/ticker/24hr: the day's change, range and volume around the current price. */
export function dayTickerJson(stats: DayStats): Record<string, unknown> {
  const { candles, lastPrice } = stats;
  const open = candles[0]?.open ?? lastPrice;
  const high = Math.max(lastPrice, ...candles.map((candle) => candle.high));
  const low = Math.min(lastPrice, ...candles.map((candle) => candle.low));
  const volume = roundTo(candles.reduce((sum, candle) => sum + candle.volume, 0));
  const quoteVolume = roundTo(candles.reduce((sum, c) => sum + c.volume * c.close, 0));
  return {
    symbol: stats.marketId,
    priceChange: formatAmount(roundTo(lastPrice - open)),
    priceChangePercent: (((lastPrice - open) / open) * 100).toFixed(3),
    weightedAvgPrice: formatPrice(volume > 0 ? roundTo(quoteVolume / volume) : lastPrice),
    prevClosePrice: formatPrice(open),
    lastPrice: formatPrice(lastPrice),
    lastQty: formatAmount(0),
    bidPrice: formatPrice(stats.bid[0]),
    bidQty: formatAmount(stats.bid[1]),
    askPrice: formatPrice(stats.ask[0]),
    askQty: formatAmount(stats.ask[1]),
    openPrice: formatPrice(open),
    highPrice: formatPrice(high),
    lowPrice: formatPrice(low),
    volume: formatAmount(volume),
    quoteVolume: formatAmount(quoteVolume),
    openTime: stats.now - 86_400_000,
    closeTime: stats.now,
    firstId: -1,
    lastId: -1,
    count: 0,
  };
}
