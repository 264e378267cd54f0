/** `--from` and `--to`: an ISO date or date-time (UTC unless it says otherwise), or epoch ms. */
import { UsageError } from './flags.js';

const dayMs = 86_400_000;
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** What a time flag accepts, in words. */
export const timeFlagAccepted =
  'an ISO date (2024-03-01), an ISO date-time (2024-03-01T12:00, UTC unless it has an offset) or epoch milliseconds';

/**
 * Parses a `--from` or `--to` value to epoch ms. A bare date is that day's first millisecond for
 * `--from` and its last for `--to`, so `--from 2024-03-01 --to 2024-03-31` covers all of March.
 *
 * @example
 * ```ts
 * parseTimeFlag('--to', '2024-03-31', 'end'); // Date.UTC(2024, 3, 1) - 1
 * ```
 * @throws {UsageError} naming the flag for anything else, or an impossible date.
 */
export function parseTimeFlag(flag: string, text: string, edge: 'start' | 'end'): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    if (Number.isSafeInteger(value)) return value;
  }
  const match = isoPattern.exec(trimmed);
  if (match === null) {
    throw new UsageError(
      flag,
      `${JSON.stringify(text)} is not a time. Accepted: ${timeFlagAccepted}`,
    );
  }
  const [, year, month, day, hour, minute, second, millis, zone] = match;
  const dateOnly = hour === undefined;
  const iso = `${year}-${month}-${day}T${hour ?? '00'}:${minute ?? '00'}:${second ?? '00'}.${(millis ?? '0').padEnd(3, '0')}${normalizeZone(zone)}`;
  const value = Date.parse(iso);
  // Date.parse rolls 2024-02-30 over to March; a real date reads back the same day.
  const check = new Date(Number.isNaN(value) ? 0 : value + zoneOffsetMs(zone));
  if (
    Number.isNaN(value) ||
    check.getUTCFullYear() !== Number(year) ||
    check.getUTCMonth() + 1 !== Number(month) ||
    check.getUTCDate() !== Number(day)
  ) {
    throw new UsageError(
      flag,
      `${JSON.stringify(text)} is not a real date. Accepted: ${timeFlagAccepted}`,
    );
  }
  return dateOnly && edge === 'end' ? value + dayMs - 1 : value;
}

function normalizeZone(zone: string | undefined): string {
  if (zone === undefined || zone === 'Z') return 'Z';
  return zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** The offset of a zone suffix in ms (`+02:00` is 2 hours), to read the local date back. */
function zoneOffsetMs(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z') return 0;
  const normalized = normalizeZone(zone);
  const sign = normalized.startsWith('-') ? -1 : 1;
  const hours = Number(normalized.slice(1, 3));
  const minutes = Number(normalized.slice(4, 6));
  return sign * (hours * 60 + minutes) * 60_000;
}
