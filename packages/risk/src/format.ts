/**
 * Number formatting for check reasons: short, exact enough for a trader reading `/why`.
 */

/** Money with two decimals and its currency, e.g. `12.50 USD`. */
export function formatMoney(value: number, currency: string): string {
  return `${value.toFixed(2)} ${currency}`;
}

/** A quantity without float noise, e.g. `0.00123`. */
export function formatAmount(value: number): string {
  return String(Number(value.toPrecision(10)));
}

/** Basis points with one decimal, e.g. `12.3 bps`. */
export function formatBps(value: number): string {
  return `${value.toFixed(1)} bps`;
}

/** A time as an ISO string (UTC). */
export function formatTime(time: number): string {
  return new Date(time).toISOString();
}

/** The quote currency of a symbol such as `BTC-USD` (`USD`). */
export function quoteOf(symbol: string): string {
  const dash = symbol.indexOf('-');
  return dash === -1 ? 'quote' : symbol.slice(dash + 1);
}

/** The base currency of a symbol such as `BTC-USD` (`BTC`). */
export function baseOf(symbol: string): string {
  const dash = symbol.indexOf('-');
  return dash === -1 ? symbol : symbol.slice(0, dash);
}
