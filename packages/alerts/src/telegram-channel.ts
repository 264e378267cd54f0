/**
 * The Telegram alert channel: `sendMessage` through grammy's real client to every configured chat.
 */
import { Api, GrammyError, HttpError } from 'grammy';
import type { AlertEvent } from '@lumenlink/core';
import { createAlertDispatcher } from './alert-dispatcher.js';
import type { AlertDispatcher, AlertDispatcherOptions } from './alert-dispatcher.js';
import { createRedactor } from '@lumenlink/core';
import { AlertDeliveryError } from './alert-channel.js';
import type { AlertChannel } from './alert-channel.js';
import { formatTelegramHtml } from './format.js';

/** Options of {@link createTelegramChannel}. */
export interface TelegramChannelOptions {
  /** The bot token (`123456:ABC...`). Never logged. */
  readonly token: string;
  /** Chats that receive alerts. */
  readonly chatIds: readonly (number | string)[];
  /** Bot API root without a trailing slash (default `https://api.telegram.org`; tests use a local server). */
  readonly apiRoot?: string;
  /** Request timeout in seconds (default 10). */
  readonly timeoutSeconds?: number;
  /** An existing grammy `Api` (e.g. `bot.api`); otherwise one is built from token and apiRoot. */
  readonly api?: Api;
}

/**
 * Translates a grammy failure into an {@link AlertDeliveryError} without the token: a 429 keeps
 * `parameters.retry_after`, 5xx and network failures are retryable, other Bot API errors are not.
 */
export function toTelegramDeliveryError(error: unknown, token: string): AlertDeliveryError {
  const redact = createRedactor([token]);
  if (error instanceof GrammyError) {
    const retryAfter = error.parameters.retry_after;
    return new AlertDeliveryError(
      redact(`telegram ${error.method}: ${error.error_code} ${error.description}`),
      {
        retryable: error.error_code === 429 || error.error_code >= 500,
        status: error.error_code,
        ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter * 1000 }),
      },
    );
  }
  if (error instanceof HttpError) {
    // HttpError's inner error holds the request URL with the token: keep only a redacted summary.
    const inner = error.error instanceof Error ? error.error.name : 'network error';
    return new AlertDeliveryError(redact(`telegram: network failure (${inner})`), {
      retryable: true,
    });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new AlertDeliveryError(redact(`telegram: ${text}`), { retryable: true });
}

/**
 * An {@link AlertChannel} that sends each alert as HTML to every chat id.
 *
 * @example
 * ```ts
 * const telegram = createTelegramChannel({ token, chatIds: [12345] });
 * const notifier = createAlertDispatcher({ channels: [telegram], clock: systemClock, logger });
 * ```
 */
export function createTelegramChannel(options: TelegramChannelOptions): AlertChannel {
  const api =
    options.api ??
    new Api(options.token, {
      ...(options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot.replace(/\/+$/, '') }),
      timeoutSeconds: options.timeoutSeconds ?? 10,
    });
  // Chats that already got an event, so a retry after a partial failure sends no duplicates.
  const delivered = new WeakMap<AlertEvent, Set<number | string>>();
  return {
    name: 'telegram',
    async send(event: AlertEvent, signal?: AbortSignal): Promise<void> {
      const text = formatTelegramHtml(event);
      const done = delivered.get(event) ?? new Set<number | string>();
      delivered.set(event, done);
      for (const chatId of options.chatIds) {
        if (done.has(chatId)) continue;
        try {
          // grammy types its signal with the abort-controller shim; a native signal is what it uses at run time.
          await api.sendMessage(
            chatId,
            text,
            { parse_mode: 'HTML' },
            signal as Parameters<Api['sendMessage']>[3],
          );
          done.add(chatId);
        } catch (error) {
          throw toTelegramDeliveryError(error, options.token);
        }
      }
    },
  };
}

/**
 * A Telegram-only {@link AlertDispatcher}: {@link createTelegramChannel} behind the queue, retries
 * and repeat collapsing of {@link createAlertDispatcher}.
 *
 * @example
 * ```ts
 * const notifier = createTelegramNotifier({ token, chatIds: [12345], clock: systemClock, logger });
 * notifier.notify(event);
 * ```
 */
export function createTelegramNotifier(
  options: TelegramChannelOptions & Omit<AlertDispatcherOptions, 'channels'>,
): AlertDispatcher {
  return createAlertDispatcher({ ...options, channels: [createTelegramChannel(options)] });
}
