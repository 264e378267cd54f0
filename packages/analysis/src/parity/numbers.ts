/** How the parity report compares and prints numbers and times. */
import type { Fill } from '@lumenlink/core';

/** `2024-01-05 10:00` (UTC), the way the report prints times. */
export function formatParityTime(time: number): string {
  const iso = new Date(time).toISOString();
  return time % 60_000 === 0 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : iso.replace('T', ' ');
}

/** A price or quantity with at most 10 significant digits. */
export function price(value: number): string {
  return String(Number(value.toPrecision(10)));
}

/** `value` rounded to `digits` decimals. */
export function round(value: number, digits = 4): number {
  return Number(value.toFixed(digits));
}

/** Equal up to floating-point noise. */
export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
}

/** Equal field values: numbers up to floating-point noise, the rest exactly. */
export function sameValue(a: number | string | null, b: number | string | null): boolean {
  if (typeof a === 'number' && typeof b === 'number') return sameNumber(a, b);
  return a === b;
}

/** The fees of `fills` in basis points of their traded value (0 without value). */
export function bpsOf(fills: readonly Fill[]): number {
  let fees = 0;
  let value = 0;
  for (const fill of fills) {
    fees += fill.fee;
    value += fill.price * fill.quantity;
  }
  return value > 0 ? (fees / value) * 10_000 : 0;
}
