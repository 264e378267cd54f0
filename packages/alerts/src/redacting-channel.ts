/**
 * Secret redaction on the way out: alert texts carry error messages, which may quote a secret
 * (an exchange error page that echoes the request's headers).
 */
import type { AlertEvent, Redactor } from '@lumenlink/core';
import type { AlertChannel } from './alert-channel.js';

/**
 * Wraps an alert channel so each event is sent with its texts redacted (numbers untouched). The
 * same event always becomes the same redacted object, so a channel's per-event bookkeeping
 * (Telegram's delivered chats) holds on a retry.
 *
 * @example
 * ```ts
 * const telegram = redactingChannel(createRedactor([token]), createTelegramChannel(options));
 * ```
 */
export function redactingChannel(redact: Redactor, channel: AlertChannel): AlertChannel {
  const texts = (value: unknown): unknown => {
    if (typeof value === 'string') return redact(value);
    if (Array.isArray(value)) return value.map(texts);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, texts(item)]));
    }
    return value;
  };
  const redacted = new WeakMap<AlertEvent, AlertEvent>();
  return {
    name: channel.name,
    send: (event, signal) => {
      let safe = redacted.get(event);
      if (safe === undefined) {
        safe = texts(event) as AlertEvent;
        redacted.set(event, safe);
      }
      return channel.send(safe, signal);
    },
  };
}
