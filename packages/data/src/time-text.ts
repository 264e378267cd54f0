import { DataInputError } from './input-error.js';

/** An epoch-ms time as `2024-01-31 14:00` (UTC), for messages and summaries. */
export function utcMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

const dayMs = 86_400_000;
const isoPattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** What {@link parseTimeText} accepts, in words. */
export const timeTextAccepted =
  'an ISO date (2024-03-01), an ISO date-time (2024-03-01T12:00, UTC unless it has an offset) or epoch milliseconds';

/**
 * Parses the start or end of a run's period (a `--from` or `--to` value) to epoch ms: an ISO date
 * or date-time (UTC unless it says otherwise), or epoch ms. A bare date is that day's first
 * millisecond for the start and its last for the end, so `2024-03-01` to `2024-03-31` covers all
 * of March.
 *
 * @example
 * ```ts
 * parseTimeText('--to', '2024-03-31', 'end'); // Date.UTC(2024, 3, 1) - 1
 * ```
 * @throws {DataInputError} naming `field` for anything else, or an impossible date.
 */
export function parseTimeText(field: string, text: string, edge: 'start' | 'end'): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) {
    const value = Number(trimmed);
    if (Number.isSafeInteger(value)) return value;
  }
  const match = isoPattern.exec(trimmed);
  if (match === null) {
    throw new DataInputError(
      field,
      `${JSON.stringify(text)} is not a time. Accepted: ${timeTextAccepted}`,
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
    throw new DataInputError(
      field,
      `${JSON.stringify(text)} is not a real date. Accepted: ${timeTextAccepted}`,
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
