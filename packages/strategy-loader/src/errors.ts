import { LumenLinkError, ValidationError } from '@lumenlink/core';

/**
 * A strategy (or its parameters file) could not be loaded: the file is missing or does not
 * parse, it exports no strategy definition, its schema is broken, or a params file was written
 * for another strategy. The message names the file and the fix. A {@link ValidationError}, so a
 * command treats it as bad input (exit 2).
 */
export class StrategyLoadError extends ValidationError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.StrategyLoadError');
  }

  /** Whether `value` is a {@link StrategyLoadError}, from any copy of this package. */
  static override isInstance(value: unknown): value is StrategyLoadError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.StrategyLoadError');
  }

  /** What could not be loaded: the strategy as given, or the params file. */
  readonly subject: string;

  constructor(subject: string, message: string, options: { readonly cause?: unknown } = {}) {
    super(`${subject}: ${message}`, options);
    this.subject = subject;
  }
}
