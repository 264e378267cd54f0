/**
 * Alerts written through core's {@link Logger}: the channel that always works.
 */
import type { AlertEvent, Logger, Notifier } from '@lumenlink/core';
import type { AlertChannel } from './alert-channel.js';
import { formatPlainText, severities } from './format.js';

/** A {@link Notifier} and {@link AlertChannel} that logs each alert. */
export type ConsoleNotifier = Notifier & AlertChannel;

function levelOf(event: AlertEvent): 'error' | 'warn' | 'info' {
  switch (event.type) {
    case 'error':
      return event.severity === 'warning' ? 'warn' : (event.severity ?? 'error');
    case 'risk_blocked':
      return 'warn';
    case 'trading_state_changed':
      return event.to === 'active' ? 'info' : 'warn';
    case 'trade_opened':
    case 'trade_closed':
    case 'trade_resized':
    case 'stop_moved':
    case 'daily_summary':
      return 'info';
  }
}

/** What the log message calls an alert: its type, or for an `error` event its severity. */
function kindOf(event: AlertEvent): string {
  if (event.type !== 'error' || event.severity === undefined) return event.type;
  return severities[event.severity].title.toLowerCase();
}

/**
 * Logs alerts as structured lines (`alert` message, the event as fields, the text as `text`).
 * Synchronous and never throws.
 *
 * @example
 * ```ts
 * const notifier = createConsoleNotifier(logger);
 * notifier.notify({ type: 'error', code: 'X', message: 'boom', at: clock.now() });
 * ```
 */
export function createConsoleNotifier(logger: Logger): ConsoleNotifier {
  const log = logger.child({ module: 'alerts' });
  const write = (event: AlertEvent): void => {
    try {
      log[levelOf(event)](`alert: ${kindOf(event)}`, { event, text: formatPlainText(event) });
    } catch {
      // A logger failure must not reach the trade cycle.
    }
  };
  return {
    name: 'console',
    notify: write,
    send: (event) => {
      write(event);
      return Promise.resolve();
    },
  };
}
