/**
 * The emulator's markets: defaults with Binance's real spot filters, validation, decimal
 * arithmetic on tick and step grids, and the `exchangeInfo` entry of a market.
 */
import type { EmulatorMarket } from './types.js';
import {
  invalid,
  isRecord,
  nonEmptyString,
  nonNegativeNumber,
  positiveNumber,
} from './validate.js';

/**
 * The default markets: BTC, ETH and SOL against USDT with Binance's spot filters (tick 0.01,
 * steps 0.00001, 0.0001 and 0.001, minimum order value 5 USDT).
 */
export const defaultEmulatorMarkets: readonly EmulatorMarket[] = [
  {
    symbol: 'BTC/USDT',
    base: 'BTC',
    quote: 'USDT',
    tickSize: 0.01,
    stepSize: 0.00001,
    minQty: 0.00001,
    minNotional: 5,
    price: 60_000,
  },
  {
    symbol: 'ETH/USDT',
    base: 'ETH',
    quote: 'USDT',
    tickSize: 0.01,
    stepSize: 0.0001,
    minQty: 0.0001,
    minNotional: 5,
    price: 3_000,
  },
  {
    symbol: 'SOL/USDT',
    base: 'SOL',
    quote: 'USDT',
    tickSize: 0.01,
    stepSize: 0.001,
    minQty: 0.001,
    minNotional: 5,
    price: 150,
  },
];

/** Binance prints every price and quantity with 8 decimals; finer grids are not supported. */
const amountDecimals = 8;
const smallestIncrement = 1e-8;
const currency = /^[A-Z0-9]{1,20}$/;

/** A validated market with what the emulator derives from it. */
export interface ResolvedMarket extends EmulatorMarket {
  /** Binance's symbol id, e.g. `BTCUSDT`. */
  readonly id: string;
  readonly priceDecimals: number;
  readonly quantityDecimals: number;
  /** PRICE_FILTER maxPrice. */
  readonly maxPrice: number;
  /** LOT_SIZE maxQty. */
  readonly maxQty: number;
  /** NOTIONAL maxNotional (limit orders only, as on Binance). */
  readonly maxNotional: number;
}

/** Number of decimals of a grid increment such as 0.001 (3) or 1e-8 (8). */
function decimalsOf(increment: number): number {
  for (let decimals = 0; decimals <= amountDecimals; decimals++) {
    if (Math.abs(Math.round(increment * 10 ** decimals) - increment * 10 ** decimals) < 1e-9) {
      return decimals;
    }
  }
  return amountDecimals;
}

/** Rounds to a number of decimals (half away from zero), dropping binary noise. */
export function roundTo(value: number, decimals: number = amountDecimals): number {
  return Number(value.toFixed(decimals));
}

/** Whether `value` lies on the grid of `increment` (within binary noise). */
export function isMultipleOf(value: number, increment: number): boolean {
  const ratio = value / increment;
  return Math.abs(ratio - Math.round(ratio)) < 1e-6;
}

/** Binance's decimal string of an amount: 8 decimals. */
export function formatAmount(value: number): string {
  return value.toFixed(amountDecimals);
}

/**
 * A price as a decimal string: 8 decimals, and more below 0.0001 so that a tiny price (a `price`
 * fault's 1e-8) keeps its significant digits instead of rounding to one tick or to 0.
 */
export function formatPrice(value: number): string {
  const size = Math.abs(value);
  if (size === 0 || size >= 1e-4) return formatAmount(value);
  return value.toFixed(Math.min(100, amountDecimals + Math.ceil(-Math.log10(size))));
}

function gridIncrement(value: unknown, field: string): number {
  const increment = positiveNumber(value, field);
  if (increment < smallestIncrement || !isMultipleOf(increment, smallestIncrement)) {
    invalid(field, 'a multiple of 0.00000001 (Binance has 8 decimals)', value);
  }
  return increment;
}

/**
 * Validates the `markets` option (possibly from JSON).
 *
 * @throws {ValidationError} naming the market and the field at fault.
 */
export function resolveMarkets(value: unknown): ResolvedMarket[] {
  if (value === undefined) return defaultEmulatorMarkets.map(resolveMarket);
  if (!Array.isArray(value) || value.length === 0) {
    invalid('options.markets', 'a non-empty array of markets', value);
  }
  const markets = value.map((market: unknown, index) => {
    const field = `options.markets[${index}]`;
    if (!isRecord(market)) invalid(field, 'an object', market);
    const base = nonEmptyString(market['base'], `${field}.base`);
    const quote = nonEmptyString(market['quote'], `${field}.quote`);
    if (!currency.test(base)) invalid(`${field}.base`, 'upper-case letters and digits', base);
    if (!currency.test(quote)) invalid(`${field}.quote`, 'upper-case letters and digits', quote);
    if (market['symbol'] !== `${base}/${quote}`) {
      invalid(`${field}.symbol`, `"${base}/${quote}" (ccxt style BASE/QUOTE)`, market['symbol']);
    }
    const stepSize = gridIncrement(market['stepSize'], `${field}.stepSize`);
    const minQty = positiveNumber(market['minQty'], `${field}.minQty`);
    if (!isMultipleOf(minQty, stepSize)) {
      invalid(`${field}.minQty`, `a multiple of stepSize ${stepSize}`, minQty);
    }
    return resolveMarket({
      symbol: `${base}/${quote}`,
      base,
      quote,
      tickSize: gridIncrement(market['tickSize'], `${field}.tickSize`),
      stepSize,
      minQty,
      minNotional: nonNegativeNumber(market['minNotional'], `${field}.minNotional`),
      price: positiveNumber(market['price'], `${field}.price`),
    });
  });
  const seen = new Set<string>();
  markets.forEach((market, index) => {
    if (seen.has(market.id)) {
      invalid(`options.markets[${index}].symbol`, 'unique', market.symbol);
    }
    seen.add(market.id);
  });
  return markets;
}

function resolveMarket(market: EmulatorMarket): ResolvedMarket {
  const priceDecimals = decimalsOf(market.tickSize);
  const tick = Math.max(1, Math.round(market.price / market.tickSize));
  return {
    ...market,
    id: `${market.base}${market.quote}`,
    price: roundTo(tick * market.tickSize, priceDecimals),
    priceDecimals,
    quantityDecimals: decimalsOf(market.stepSize),
    // Three orders of magnitude above the initial price, on the tick grid.
    maxPrice: 10 ** (Math.ceil(Math.log10(market.price)) + 3),
    maxQty: 9_000_000,
    maxNotional: 9_000_000,
  };
}

/** Rounds a price to the market's tick grid (at least one tick). */
export function toTick(market: ResolvedMarket, price: number): number {
  const ticks = Math.max(1, Math.round(price / market.tickSize));
  return roundTo(ticks * market.tickSize, market.priceDecimals);
}

/** The `exchangeInfo` entry of a market, as Binance spot lists it. */
export function exchangeInfoSymbol(market: ResolvedMarket): Record<string, unknown> {
  return {
    symbol: market.id,
    status: 'TRADING',
    baseAsset: market.base,
    baseAssetPrecision: amountDecimals,
    quoteAsset: market.quote,
    quotePrecision: amountDecimals,
    quoteAssetPrecision: amountDecimals,
    baseCommissionPrecision: amountDecimals,
    quoteCommissionPrecision: amountDecimals,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: formatAmount(market.tickSize),
        maxPrice: formatAmount(market.maxPrice),
        tickSize: formatAmount(market.tickSize),
      },
      {
        filterType: 'LOT_SIZE',
        minQty: formatAmount(market.minQty),
        maxQty: formatAmount(market.maxQty),
        stepSize: formatAmount(market.stepSize),
      },
      {
        filterType: 'NOTIONAL',
        minNotional: formatAmount(market.minNotional),
        applyMinToMarket: true,
        maxNotional: formatAmount(market.maxNotional),
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}
