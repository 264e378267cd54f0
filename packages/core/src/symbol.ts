import { ValidationError } from './errors.js';

/**
 * A trading pair in LumenLink's form, base and quote joined by a dash: `BTC-USD`, `ETH-USDT`.
 * ccxt writes the same pair `BTC/USD`; {@link toCcxtSymbol} and {@link fromCcxtSymbol} convert.
 */
export type SymbolId = `${string}-${string}`;

/** A pair split into its currencies. */
export interface SymbolParts {
  readonly base: string;
  readonly quote: string;
}

const currency = /^[A-Z0-9]{1,20}$/;

/**
 * Texts already parsed and their canonical symbol, and canonical symbols already split: the trade
 * cycle asks about the same few symbols on every candle, so each is parsed once. Bounded: cleared
 * when full.
 */
const parsedSymbols = new Map<string, SymbolId>();
const splitSymbols = new Map<string, SymbolParts>();
const memoLimit = 4_096;

function remember<Value>(memo: Map<string, Value>, key: string, value: Value): Value {
  if (memo.size >= memoLimit) memo.clear();
  memo.set(key, value);
  return value;
}

/**
 * Parses `BTC-USD`, `btc-usd` or ccxt's `BTC/USD` (a ccxt derivative suffix like `:USDT`
 * is rejected: LumenLink trades spot) into the canonical `BTC-USD`.
 *
 * @example
 * ```ts
 * parseSymbol('eth/usdt'); // 'ETH-USDT'
 * ```
 * @throws {ValidationError} when the text is not BASE-QUOTE or BASE/QUOTE.
 */
export function parseSymbol(text: string): SymbolId {
  const known = parsedSymbols.get(text);
  if (known !== undefined) return known;
  const parts = text.trim().toUpperCase().split(/[-/]/);
  const [base, quote] = parts;
  if (
    parts.length !== 2 ||
    base === undefined ||
    quote === undefined ||
    !currency.test(base) ||
    !currency.test(quote)
  ) {
    throw new ValidationError(
      `Invalid symbol "${text}": expected BASE-QUOTE such as BTC-USD (or ccxt's BTC/USD), letters and digits only`,
    );
  }
  return remember<SymbolId>(parsedSymbols, text, `${base}-${quote}`);
}

/** Splits a canonical symbol into base and quote currency (a frozen object, shared per symbol). */
export function symbolParts(symbol: SymbolId): SymbolParts {
  const known = splitSymbols.get(symbol);
  if (known !== undefined) return known;
  const canonical = parseSymbol(symbol);
  const dash = canonical.indexOf('-');
  const parts = Object.freeze({ base: canonical.slice(0, dash), quote: canonical.slice(dash + 1) });
  return remember(splitSymbols, symbol, parts);
}

/** `BTC-USD` to ccxt's `BTC/USD`. */
export function toCcxtSymbol(symbol: string): string {
  const { base, quote } = symbolParts(parseSymbol(symbol));
  return `${base}/${quote}`;
}

/** ccxt's `BTC/USD` to `BTC-USD`. */
export function fromCcxtSymbol(ccxtSymbol: string): SymbolId {
  return parseSymbol(ccxtSymbol);
}
