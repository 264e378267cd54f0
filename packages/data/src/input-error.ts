import { ValidationError } from '@lumenlink/core';

/**
 * An input file or source that cannot be read as asked: a missing candle file, a file without
 * a symbol, a database without the symbols' candles, a malformed sentiment file. `field` names
 * the option at fault as the backtest command line spells it (`--data`, `--source-db`,
 * `--sentiment`); the message starts with it and says what is accepted.
 */
export class DataInputError extends ValidationError {
  readonly field: string;

  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}
