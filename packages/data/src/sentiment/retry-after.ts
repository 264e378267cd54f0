/**
 * Reading the `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP date.
 */

/**
 * The wait a `Retry-After` header asks for, in ms from `now` (never negative), or `undefined`
 * when the header is absent or unreadable.
 *
 * @example
 * ```ts
 * parseRetryAfter('30', now); // 30_000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now); // ms until then, 0 if past
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its day and month (`Wed, 21 Oct 2015 07:28:00 GMT`); Date.parse alone
  // would also take `-5` as a year.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}
