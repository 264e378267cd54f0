import type { AlertEvent, AlertType } from '../alert.js';
import type { Notifier } from '../ports.js';

/**
 * A notifier that keeps every event, for asserting what the owner would have been told.
 *
 * @example
 * ```ts
 * const notifier = new RecordingNotifier();
 * engine.run({ notifier });
 * expect(notifier.ofType('trade_opened')).toHaveLength(1);
 * ```
 */
export class RecordingNotifier implements Notifier {
  readonly events: AlertEvent[] = [];

  notify(event: AlertEvent): void {
    this.events.push(event);
  }

  /** The recorded events of one type. */
  ofType<T extends AlertType>(type: T): Extract<AlertEvent, { type: T }>[] {
    return this.events.filter(
      (event): event is Extract<AlertEvent, { type: T }> => event.type === type,
    );
  }

  clear(): void {
    this.events.length = 0;
  }
}
