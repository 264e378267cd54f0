/**
 * Secret redaction of what the store writes: nothing secret reaches the database file. Free text
 * (order reasons, decision notes, signal and verdict reasons, the trading state's reason) often
 * quotes an error, and an exchange's or a proxy's error may echo the request (API key header,
 * signature, query); the store passes every such text through a redactor before it is written.
 */
import { createRedactor } from '@lumenlink/core';

/** Returns `text` with every secret in it replaced; never throws. */
export type TextRedactor = (text: string) => string;

/**
 * The store's redactor when none is given: core's redactor without configured secrets, which
 * still removes well-known secret shapes (secret-named query parameters and JSON members such as
 * `signature=` or `"apiKey": ...`, `X-MBX-APIKEY: ...` headers, bearer and Telegram tokens, URL
 * passwords). Give `openStore` a redactor built from the configured secrets to remove those too.
 */
export const defaultStoreRedactor: TextRedactor = createRedactor();

/** What replaces a text the given redactor failed on (threw, or returned no string). */
export const unredactableText = '[text withheld: the redactor failed on it]';

/**
 * `redact`, failing closed: when it throws or returns something other than a string, the text
 * is replaced whole rather than written as it is.
 */
export function failClosed(redact: TextRedactor): TextRedactor {
  return (text) => {
    try {
      const redacted: unknown = redact(text);
      return typeof redacted === 'string' ? redacted : unredactableText;
    } catch {
      return unredactableText;
    }
  };
}

/** `text` redacted, or `null`. */
export function redactNullable(text: string | null, redact: TextRedactor): string | null {
  return text === null ? null : redact(text);
}

/**
 * A copy of JSON data (objects, arrays, strings, numbers, booleans, null) with every string
 * value redacted; object keys (fixed field names) are kept.
 */
export function redactJsonStrings<T>(value: T, redact: TextRedactor): T {
  return redactValue(value, redact) as T;
}

function redactValue(value: unknown, redact: TextRedactor): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactValue(item, redact)]),
    );
  }
  return value;
}
