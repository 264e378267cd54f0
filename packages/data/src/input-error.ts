import { ValidationError } from '@lumenlink/core';

/**
 * An input file or source that cannot be read as asked: a missing candle file, a file without
 * a symbol, a database without the symbols' candles, a malformed sentiment file. `field` names
 * the option at fault as the backtest command line spells it (`--data`, `--source-db`,
 * `--sentiment`); the message starts with it and says what is accepted.
 */
export class DataInputError extends ValidationError {
  static {
    ValidationError.addMarker(this, 'lumenlink.error.DataInputError');
  }

  /** Whether `value` is a DataInputError, also from a second copy of this package. */
  static override isInstance(value: unknown): value is DataInputError {
    return ValidationError.hasMarker(value, 'lumenlink.error.DataInputError');
  }

  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
