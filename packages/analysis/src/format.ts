/**
 * Number and time formatting shared by the terminal summary and the HTML report. Locale-free
 * (always `1,234.56`, always UTC) so a report reads the same on every machine.
 */

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/** `0.1234` → `+12.34%`; `Infinity` → `∞`; NaN → `n/a`. */
export function formatPercent(fraction: number, options: { sign?: boolean } = {}): string {
  if (Number.isNaN(fraction)) return 'n/a';
  if (!Number.isFinite(fraction)) return fraction > 0 ? '∞' : '-∞';
  const text = `${groupThousands((fraction * 100).toFixed(2))}%`;
  return options.sign === true && fraction > 0 ? `+${text}` : text;
}

/** A quote-currency amount with two decimals and thousands separators: `-1,234.50`. */
export function formatMoney(value: number, options: { sign?: boolean } = {}): string {
  if (!Number.isFinite(value)) return formatRatio(value);
  const text = groupThousands(value.toFixed(2));
  return options.sign === true && value > 0 ? `+${text}` : text;
}

/** A ratio with two decimals: `1.87`; `Infinity` → `∞`; NaN → `n/a`. */
export function formatRatio(value: number): string {
  if (Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  return groupThousands(value.toFixed(2));
}

/** A price with decimals to its scale: `64,210.50`, `3.1416`, `0.000123`. */
export function formatPrice(value: number): string {
  if (!Number.isFinite(value)) return formatRatio(value);
  const magnitude = Math.abs(value);
  const decimals = magnitude >= 100 ? 2 : magnitude >= 1 ? 4 : magnitude >= 0.01 ? 6 : 8;
  return groupThousands(value.toFixed(decimals));
}

/** A base-currency quantity with up to 8 decimals, trailing zeros dropped: `0.0125`. */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) return formatRatio(value);
  const text = value.toFixed(8).replace(/\.?0+$/, '');
  return groupThousands(text === '-0' ? '0' : text);
}

/** A duration in the two largest units: `12d 4h`, `3h 15m`, `45m`, `0m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  const minutes = Math.round(Math.max(0, ms) / minuteMs);
  const days = Math.floor((minutes * minuteMs) / dayMs);
  const hours = Math.floor(((minutes * minuteMs) % dayMs) / hourMs);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days}d ${hours}h` : `${days}d`;
  if (hours > 0) return rest > 0 ? `${hours}h ${rest}m` : `${hours}h`;
  return `${rest}m`;
}

/** An epoch-ms time in UTC: `2024-01-31 14:00`. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'n/a';
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** How market orders fill, in words. */
export function describeFillMode(fillMode: 'next-open' | 'close'): string {
  switch (fillMode) {
    case 'next-open':
      return "next candle's open";
    case 'close':
      return "signal candle's close";
  }
}

function groupThousands(text: string): string {
  const negative = text.startsWith('-');
  const unsigned = negative ? text.slice(1) : text;
  const [whole = '', fraction] = unsigned.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const result = fraction === undefined ? grouped : `${grouped}.${fraction}`;
  // toFixed keeps the sign of tiny negatives ("-0.00"); a report shows 0.00.
  return negative && /[1-9]/.test(result) ? `-${result}` : result;
}
