/**
 * Fault injection: validation of {@link EmulatorFault} (it may come as JSON over the control
 * route) and the book of active faults that each request consults.
 */
import type { EmulatorFault } from './types.js';
import {
  integerInRange,
  invalid,
  isRecord,
  nonEmptyString,
  nonNegativeNumber,
  positiveNumber,
} from './validate.js';

/** The route that places orders, the only one order faults apply to. */
const orderRoute = 'POST /api/v3/order';

const faultKinds = [
  'latency',
  'delay-reply',
  'status',
  'hang',
  'lose-response',
  'drop-order',
  'not-found',
  'partial-fill',
  'reject',
  'clock-skew',
  'malformed',
  'wrong-symbol',
  'price',
] as const;
const routePattern = /^(GET|POST|PUT|DELETE) \/\S*$/;

/**
 * The routes a `wrong-symbol` fault can answer for another market, and how: `data` handles the
 * request as if it named the other market (its ticker, book, candles, trades or orders), `label`
 * answers about the market asked but labelled with the other market's id (an order is never moved
 * to another market). A market that is not listed has no data: every route labels then.
 */
export const wrongSymbolRoutes: ReadonlyMap<string, 'data' | 'label'> = new Map([
  ['GET /api/v3/ticker/24hr', 'data'],
  ['GET /api/v3/ticker/price', 'data'],
  ['GET /api/v3/ticker/bookTicker', 'data'],
  ['GET /api/v3/depth', 'data'],
  ['GET /api/v3/klines', 'data'],
  ['GET /api/v3/myTrades', 'data'],
  ['GET /api/v3/openOrders', 'data'],
  ['GET /api/v3/allOrders', 'data'],
  ['GET /api/v3/order', 'label'],
  ['DELETE /api/v3/order', 'label'],
  ['POST /api/v3/order', 'label'],
] as const);

/** The market data routes a `wrong-symbol` fault without a `route` applies to. */
const marketDataRoutes: readonly string[] = [
  'GET /api/v3/ticker/24hr',
  'GET /api/v3/ticker/price',
  'GET /api/v3/ticker/bookTicker',
  'GET /api/v3/depth',
  'GET /api/v3/klines',
];

/** The routes that quote a market's price, which a `price` fault moves: the tickers and the book. */
const quoteRoutes: readonly string[] = [
  'GET /api/v3/ticker/24hr',
  'GET /api/v3/ticker/price',
  'GET /api/v3/ticker/bookTicker',
  'GET /api/v3/depth',
];

/** A market as a fault names it: ccxt's `ETH/USDT` or Binance's `ETHUSDT`. */
const faultSymbolPattern = /^[A-Z0-9]{1,20}(\/[A-Z0-9]{1,20})?$/;

/** Binance's id of a market named either way: `ETH/USDT` and `ETHUSDT` are `ETHUSDT`. */
export function marketIdOf(symbol: string): string {
  return symbol.replace('/', '');
}

function faultSymbol(value: unknown, field: string): string {
  if (typeof value !== 'string' || !faultSymbolPattern.test(value)) {
    invalid(field, "a market as 'ETH/USDT' or 'ETHUSDT'", value);
  }
  return value;
}

/** A `route` that must be one of `routes` (what the fault can apply to). */
function routeAmong(
  value: Record<string, unknown>,
  field: string,
  routes: readonly string[],
): { route?: string } {
  const route = value['route'];
  if (route === undefined) return {};
  if (typeof route !== 'string' || !routes.includes(route)) {
    invalid(`${field}.route`, `one of ${routes.map((name) => `'${name}'`).join(', ')}`, route);
  }
  return { route };
}

function optionalTimes(value: Record<string, unknown>, field: string): { times?: number } {
  const times = value['times'];
  return times === undefined ? {} : { times: integerInRange(times, `${field}.times`, 1, 1e9) };
}

function optionalRoute(value: Record<string, unknown>, field: string): { route?: string } {
  const route = value['route'];
  if (route === undefined) return {};
  if (typeof route !== 'string' || !routePattern.test(route)) {
    invalid(`${field}.route`, "'METHOD /path', e.g. 'GET /api/v3/klines'", route);
  }
  if (route.split(' ')[1]!.startsWith('/__emulator')) {
    invalid(`${field}.route`, 'an exchange route (control routes take no faults)', route);
  }
  return { route };
}

/** A reject fault's `echoRequest` flag, when given. */
function optionalEchoRequest(
  value: Record<string, unknown>,
  field: string,
): { echoRequest?: boolean } {
  const echo = value['echoRequest'];
  if (echo === undefined) return {};
  if (typeof echo !== 'boolean') invalid(`${field}.echoRequest`, 'true or false', echo);
  return { echoRequest: echo };
}

/**
 * Checks a fault (possibly parsed from JSON) and returns it typed.
 *
 * @throws {ValidationError} naming the field at fault and what it accepts.
 */
export function parseFault(value: unknown, field = 'fault'): EmulatorFault {
  if (!isRecord(value)) invalid(field, 'an object with a kind', value);
  const kind = value['kind'];
  const times = optionalTimes(value, field);
  switch (kind) {
    case 'latency':
    case 'delay-reply':
      return {
        kind,
        ms: nonNegativeNumber(value['ms'], `${field}.ms`),
        ...optionalRoute(value, field),
        ...times,
      };
    case 'status': {
      const status = value['status'];
      if (status !== 429 && status !== 418 && status !== 500 && status !== 503) {
        invalid(`${field}.status`, 'one of 429, 418, 500, 503', status);
      }
      const retryAfter = value['retryAfterSeconds'];
      return {
        kind,
        status,
        ...(retryAfter === undefined
          ? {}
          : {
              retryAfterSeconds: integerInRange(retryAfter, `${field}.retryAfterSeconds`, 0, 1e6),
            }),
        ...optionalRoute(value, field),
        ...times,
      };
    }
    case 'hang':
      return { kind, ...optionalRoute(value, field), ...times };
    case 'lose-response':
    case 'drop-order':
    case 'clock-skew':
      return { kind, ...times };
    case 'not-found':
      if (value['times'] !== undefined) {
        invalid(`${field}.times`, 'absent for not-found (it lasts until cleared)', value['times']);
      }
      return { kind, forMs: positiveNumber(value['forMs'], `${field}.forMs`) };
    case 'partial-fill': {
      const ratio = value['ratio'];
      if (typeof ratio !== 'number' || !(ratio > 0 && ratio < 1)) {
        invalid(`${field}.ratio`, 'a number between 0 and 1 (exclusive)', ratio);
      }
      return { kind, ratio, ...times };
    }
    case 'reject':
      return {
        kind,
        code: integerInRange(value['code'], `${field}.code`, -1e6, 1e6),
        msg: nonEmptyString(value['msg'], `${field}.msg`),
        ...optionalEchoRequest(value, field),
        ...times,
      };
    case 'malformed': {
      const body = value['body'];
      if (typeof body !== 'string') invalid(`${field}.body`, 'a string', body);
      return { kind, body, ...optionalRoute(value, field), ...times };
    }
    case 'wrong-symbol':
      return {
        kind,
        ...(value['symbol'] === undefined
          ? {}
          : { symbol: faultSymbol(value['symbol'], `${field}.symbol`) }),
        ...routeAmong(value, field, [...wrongSymbolRoutes.keys()]),
        ...times,
      };
    case 'price':
      return {
        kind,
        symbol: faultSymbol(value['symbol'], `${field}.symbol`),
        price: positiveNumber(value['price'], `${field}.price`),
        ...routeAmong(value, field, quoteRoutes),
        ...times,
      };
    default:
      return invalid(`${field}.kind`, `one of ${faultKinds.join(', ')}`, kind);
  }
}

interface ActiveFault {
  readonly fault: EmulatorFault;
  /** Matching requests left; Infinity until cleared. */
  remaining: number;
}

/** A fault that decides the fate of a whole request. */
export type TerminalFault = Extract<
  EmulatorFault,
  {
    kind:
      'status' | 'hang' | 'malformed' | 'clock-skew' | 'lose-response' | 'drop-order' | 'reject';
  }
>;

/** The active faults, in injection order. */
export class FaultBook {
  #active: ActiveFault[] = [];

  /** Adds a validated fault. */
  inject(fault: EmulatorFault): void {
    this.#active.push({
      fault,
      remaining: 'times' in fault ? (fault.times ?? Infinity) : Infinity,
    });
  }

  clear(): void {
    this.#active = [];
  }

  /** The active faults with the matching requests each has left (`null` = until cleared). */
  list(): { fault: EmulatorFault; remaining: number | null }[] {
    return this.#active.map(({ fault, remaining }) => ({
      fault,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** The total delay of the latency faults that match `route`, consuming one use of each. */
  takeLatency(route: string): number {
    return this.#takeDelay('latency', route);
  }

  /** The total hold of the delay-reply faults that match `route`, consuming one use of each. */
  takeReplyDelay(route: string): number {
    return this.#takeDelay('delay-reply', route);
  }

  #takeDelay(kind: 'latency' | 'delay-reply', route: string): number {
    let delay = 0;
    for (const active of [...this.#active]) {
      const { fault } = active;
      if (
        (fault.kind === 'latency' || fault.kind === 'delay-reply') &&
        fault.kind === kind &&
        (fault.route === undefined || fault.route === route)
      ) {
        delay += fault.ms;
        this.#use(active);
      }
    }
    return delay;
  }

  /** The first fault, in injection order, that decides this request's fate; one use consumed. */
  takeTerminal(route: string, signed: boolean): TerminalFault | undefined {
    for (const active of this.#active) {
      const { fault } = active;
      let applies: boolean;
      switch (fault.kind) {
        case 'status':
        case 'hang':
        case 'malformed':
          applies = fault.route === undefined || fault.route === route;
          break;
        case 'clock-skew':
          applies = signed;
          break;
        case 'lose-response':
        case 'drop-order':
        case 'reject':
          applies = route === orderRoute;
          break;
        case 'latency':
        case 'delay-reply':
        case 'not-found':
        case 'partial-fill':
        case 'wrong-symbol':
        case 'price':
          applies = false;
          break;
      }
      if (applies) {
        this.#use(active);
        return fault as TerminalFault;
      }
    }
    return undefined;
  }

  /**
   * The ratio of the first active partial-fill fault, with a function that consumes one use
   * (called once the order is accepted).
   */
  peekPartialFill(): { ratio: number; consume: () => void } | undefined {
    const active = this.#active.find((candidate) => candidate.fault.kind === 'partial-fill');
    if (active?.fault.kind !== 'partial-fill') return undefined;
    return { ratio: active.fault.ratio, consume: () => this.#use(active) };
  }

  /**
   * The first `wrong-symbol` fault that applies to a request about the market `askedId` (Binance's
   * id) on `route`, one use consumed: its `symbol` (undefined: the emulator picks another listed
   * market). A fault naming the market asked does not apply.
   */
  takeWrongSymbol(route: string, askedId: string): { symbol?: string } | undefined {
    for (const active of this.#active) {
      const { fault } = active;
      if (
        fault.kind === 'wrong-symbol' &&
        (fault.route === undefined ? marketDataRoutes.includes(route) : fault.route === route) &&
        (fault.symbol === undefined || marketIdOf(fault.symbol) !== askedId)
      ) {
        this.#use(active);
        return fault.symbol === undefined ? {} : { symbol: fault.symbol };
      }
    }
    return undefined;
  }

  /**
   * The price of the first `price` fault on market `marketId` (Binance's id) that applies to
   * `route`, one use consumed; undefined without one.
   */
  takePrice(route: string, marketId: string): number | undefined {
    if (!quoteRoutes.includes(route)) return undefined;
    for (const active of this.#active) {
      const { fault } = active;
      if (
        fault.kind === 'price' &&
        (fault.route === undefined || fault.route === route) &&
        marketIdOf(fault.symbol) === marketId
      ) {
        this.#use(active);
        return fault.price;
      }
    }
    return undefined;
  }

  /** How long fresh orders stay "not found" (the longest active window), 0 without the fault. */
  notFoundWindowMs(): number {
    return Math.max(
      0,
      ...this.#active.map(({ fault }) => (fault.kind === 'not-found' ? fault.forMs : 0)),
    );
  }

  #use(active: ActiveFault): void {
    active.remaining--;
    if (active.remaining <= 0) this.#active = this.#active.filter((other) => other !== active);
  }
}
