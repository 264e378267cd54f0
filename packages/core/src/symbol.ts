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
  return `${base}-${quote}`;
}

/** Splits a canonical symbol into base and quote currency. */
export function symbolParts(symbol: SymbolId): SymbolParts {
  const canonical = parseSymbol(symbol);
  const dash = canonical.indexOf('-');
  return { base: canonical.slice(0, dash), quote: canonical.slice(dash + 1) };
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
