import { LumenLinkError, PermanentError } from '@lumenlink/core';

/**
 * A refusal in Binance's terms: the HTTP status and the `{ code, msg }` body the emulator answers
 * with. {@link ExchangeEmulator.placeOrder} throws it when Binance would reject the order.
 */
export class EmulatorApiError extends PermanentError {
  static {
    LumenLinkError.addMarker(this, 'lumenlink.error.EmulatorApiError');
  }

  /** Whether `value` is an {@link EmulatorApiError}, from any copy of this package. */
  static override isInstance(value: unknown): value is EmulatorApiError {
    return LumenLinkError.hasMarker(value, 'lumenlink.error.EmulatorApiError');
  }

  readonly code = 'EMULATOR_API_ERROR';
  /** HTTP status of the answer, e.g. 400. */
  readonly httpStatus: number;
  /** Binance's error code, e.g. -2010. */
  readonly binanceCode: number;

  constructor(httpStatus: number, binanceCode: number, message: string) {
    super(message);
    this.httpStatus = httpStatus;
    this.binanceCode = binanceCode;
  }

  /** The JSON body Binance sends. */
  toBody(): { code: number; msg: string } {
    return { code: this.binanceCode, msg: this.message };
  }
}

/** -1102: a mandatory parameter is missing. */
export function missingParameter(name: string): EmulatorApiError {
  return new EmulatorApiError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

/** -1100: a parameter does not match its pattern. */
export function illegalParameter(name: string, pattern: string): EmulatorApiError {
  return new EmulatorApiError(
    400,
    -1100,
    `Illegal characters found in parameter '${name}'; legal range is '${pattern}'.`,
  );
}

/** -1121: the symbol is not listed. */
export function invalidSymbol(): EmulatorApiError {
  return new EmulatorApiError(400, -1121, 'Invalid symbol.');
}

/** -2013: no such order. */
export function orderDoesNotExist(): EmulatorApiError {
  return new EmulatorApiError(400, -2013, 'Order does not exist.');
}

/** -1013: an order breaks one of the symbol's filters. */
export function filterFailure(filter: 'PRICE_FILTER' | 'LOT_SIZE' | 'NOTIONAL'): EmulatorApiError {
  return new EmulatorApiError(400, -1013, `Filter failure: ${filter}`);
}

/** -2010: the balance does not cover the order. */
export function insufficientBalance(): EmulatorApiError {
  return new EmulatorApiError(400, -2010, 'Account has insufficient balance for requested action.');
}
