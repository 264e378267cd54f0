/**
 * The Discord alert channel: one embed per alert, POSTed to a webhook with the global `fetch`.
 */
import type { AlertEvent } from '@lumenlink/core';
import { createAlertDispatcher } from './alert-dispatcher.js';
import type { AlertDispatcher, AlertDispatcherOptions } from './alert-dispatcher.js';
import { createRedactor } from '@lumenlink/core';
import { AlertDeliveryError } from './alert-channel.js';
import type { AlertChannel } from './alert-channel.js';
import { formatDiscordEmbed } from './format.js';

/** Options of {@link createDiscordChannel}. */
export interface DiscordChannelOptions {
  /** The webhook URL (`https://discord.com/api/webhooks/<id>/<token>`). Never logged. */
  readonly webhookUrl: string;
  /** Name shown as the sender (default `LumenLink`). */
  readonly username?: string;
  /** Request timeout in milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** The fetch to use (default the global `fetch`). */
  readonly fetch?: typeof fetch;
}

async function retryAfterMs(response: Response): Promise<number | undefined> {
  try {
    const body = (await response.json()) as { retry_after?: unknown };
    if (typeof body.retry_after === 'number') return body.retry_after * 1000;
  } catch {
    // Fall back to the header.
  }
  const header = response.headers.get('retry-after');
  const seconds = header === null ? Number.NaN : Number(header);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

/**
 * An {@link AlertChannel} that posts each alert as an embed. A 429 carries the body's
 * `retry_after` (seconds) or the `Retry-After` header; 5xx and network failures are retryable.
 *
 * @example
 * ```ts
 * const discord = createDiscordChannel({ webhookUrl: process.env.DISCORD_WEBHOOK_URL! });
 * ```
 */
export function createDiscordChannel(options: DiscordChannelOptions): AlertChannel {
  const redact = createRedactor([options.webhookUrl]);
  const doFetch = options.fetch ?? fetch;
  return {
    name: 'discord',
    async send(event: AlertEvent, signal?: AbortSignal): Promise<void> {
      let response: Response;
      try {
        response = await doFetch(options.webhookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            username: options.username ?? 'LumenLink',
            embeds: [formatDiscordEmbed(event)],
          }),
          signal: AbortSignal.any([
            AbortSignal.timeout(options.timeoutMs ?? 10_000),
            ...(signal === undefined ? [] : [signal]),
          ]),
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : 'network error';
        throw new AlertDeliveryError(redact(`discord: network failure (${name})`), {
          retryable: true,
        });
      }
      if (response.ok) {
        await response.body?.cancel();
        return;
      }
      const wait = response.status === 429 ? await retryAfterMs(response) : undefined;
      if (wait === undefined) await response.body?.cancel().catch(() => undefined);
      throw new AlertDeliveryError(`discord: HTTP ${response.status}`, {
        retryable: response.status === 429 || response.status >= 500,
        status: response.status,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    },
  };
}

/**
 * A Discord-only {@link AlertDispatcher}: {@link createDiscordChannel} behind the queue, retries
 * and repeat collapsing of {@link createAlertDispatcher}.
 *
 * @example
 * ```ts
 * const notifier = createDiscordNotifier({ webhookUrl, clock: systemClock, logger });
 * notifier.notify(event);
 * ```
 */
export function createDiscordNotifier(
  options: DiscordChannelOptions & Omit<AlertDispatcherOptions, 'channels'>,
): AlertDispatcher {
  return createAlertDispatcher({ ...options, channels: [createDiscordChannel(options)] });
}
