import { LumenLinkError, ValidationError } from '@lumenlink/core';

/** Where the input of a {@link StrategyLoadError} was given. */
export type StrategyLoadSource = 'strategy' | 'STRATEGY_PARAMS' | '--params-file';

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
  /**
   * Where the user gave what failed: the strategy (`STRATEGY`, `--strategy`), `STRATEGY_PARAMS`
   * or `--params-file`; a command names that setting or flag.
   */
  readonly source: StrategyLoadSource;

  constructor(
    subject: string,
    message: string,
    options: { readonly cause?: unknown; readonly source?: StrategyLoadSource } = {},
  ) {
    super(`${subject}: ${message}`, options);
    this.subject = subject;
    this.source = options.source ?? 'strategy';
  }
}
