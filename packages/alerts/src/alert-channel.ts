/**
 * The contract between the {@link createAlertDispatcher | dispatcher} and one alert channel
 * (Telegram, Discord, console), and the one error a channel throws.
 */
import { LumenLinkError } from '@lumenlink/core';
import type { AlertEvent } from '@lumenlink/core';

/** One alert destination. `send` may throw {@link AlertDeliveryError}; the dispatcher retries. */
export interface AlertChannel {
  /** Short name used in logs: `telegram`, `discord`, `console`. */
  readonly name: string;
  /**
   * Delivers one alert; resolves when the destination accepted it. `signal` aborts an
   * in-flight request (the dispatcher's shutdown timeout).
   */
  send(event: AlertEvent, signal?: AbortSignal): Promise<void>;
}

/** Options of {@link AlertDeliveryError}. */
export interface AlertDeliveryErrorOptions {
  /** Whether trying again may help (network failure, 429, 5xx). */
  readonly retryable: boolean;
  /** How long the destination asked us to wait (429 `retry_after`), in milliseconds. */
  readonly retryAfterMs?: number;
  /** HTTP status or Bot API error code, when known. */
  readonly status?: number;
}

/**
 * A channel failed to deliver an alert. The message is already free of secrets (bot token,
 * webhook token); the SDK error is never attached as `cause`, because its text holds the token.
 */
export class AlertDeliveryError extends LumenLinkError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.AlertDeliveryError');
  }

  /** Whether `value` is an {@link AlertDeliveryError}, from any copy of this package. */
  static override isInstance(value: unknown): value is AlertDeliveryError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.AlertDeliveryError');
  }

  readonly code = 'ALERT_DELIVERY_FAILED';
  readonly isRetryable: boolean;
  /** Wait asked for by the destination (ms), or `null`. */
  readonly retryAfterMs: number | null;
  /** HTTP status or Bot API error code, or `null` for a network failure. */
  readonly status: number | null;

  constructor(message: string, options: AlertDeliveryErrorOptions) {
    super(message);
    this.isRetryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.status = options.status ?? null;
  }
}
