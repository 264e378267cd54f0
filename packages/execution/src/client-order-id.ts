/**
 * Our client order ids (docs/architecture/order-lifecycle.md): `ll` + a base32 hash of what the order is for, so the
 * same decision always gets the same id and an order can be looked up on the exchange by it.
 */
import { hash } from 'node:crypto';
import { ValidationError, type OrderRole, type OrderSide, type SymbolId } from '@lumenlink/core';

/** The prefix of every client order id LumenLink makes. */
export const clientOrderIdPrefix = 'll';

/** Length of every client order id LumenLink makes (Binance and Bybit allow 36). */
export const clientOrderIdLength = 32;

/**
 * How a client order id is hashed from its fields. `sha256` (the default, and the only one for a
 * real venue): SHA-256, so the same decision after a crash and restart computes the same id and
 * finds its order. `fast`: a non-cryptographic 160-bit hash of the same fields (five 32-bit
 * lanes), ids of the same shape, as deterministic, about ten times cheaper; for runs that fill on
 * candles in this process and that no crash can interrupt (backtests), where an id only has to be
 * unique within the run.
 */
export type ClientOrderIdHash = 'sha256' | 'fast';

/** What a client order id is computed from. */
export interface ClientOrderIdFields {
  /** The strategy key that decided the order. */
  readonly strategy: string;
  readonly symbol: SymbolId;
  /** Open time of the candle whose close produced the decision (epoch ms). */
  readonly candleTime: number;
  /** The order's side: the signal's action. */
  readonly action: OrderSide;
  readonly role: OrderRole;
  /** 0 first; the next attempt only after the previous one is proven `failed`. */
  readonly attempt: number;
}

// RFC 4648 base32, lowercase: exchanges compare client ids case-sensitively, and lowercase
// keeps the id readable next to the `ll` prefix.
const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567';

const ourIdPattern = new RegExp(
  `^${clientOrderIdPrefix}[a-z2-7]{${clientOrderIdLength - clientOrderIdPrefix.length}}$`,
);

/** The alphabet's character codes. */
const base32Codes = Array.from(base32Alphabet, (letter) => letter.charCodeAt(0));

/**
 * `prefix` + the first `length` characters of the base32 (RFC 4648 alphabet, lowercase, no
 * padding) of the bytes written as lowercase `hex`: only the digits they need are read. (A hex
 * digest is cheaper to get from `crypto.hash` than a buffer, and the id is made as one flat
 * string from its character codes.)
 */
function base32OfHex(prefix: string, hex: string, length: number): string {
  const codes: number[] = [];
  for (let index = 0; index < prefix.length; index++) codes.push(prefix.charCodeAt(index));
  const end = prefix.length + length;
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < hex.length && codes.length < end; index++) {
    const digit = hex.charCodeAt(index);
    // At most 8 bits are ever pending: 4 left below 5, plus one digit.
    buffer = ((buffer << 4) | (digit <= 57 ? digit - 48 : digit - 87)) & 0xff;
    bits += 4;
    if (bits >= 5) {
      codes.push(base32Codes[(buffer >>> (bits - 5)) & 31]!);
      bits -= 5;
    }
  }
  if (bits > 0 && codes.length < end) codes.push(base32Codes[(buffer << (5 - bits)) & 31]!);
  return String.fromCharCode(...codes);
}

/**
 * The client order id of an order: `ll` + 30 base32 characters of the SHA-256 of (strategy,
 * symbol, candle time, action, role, attempt), 32 characters in all. Deterministic: the same
 * fields always give the same id, so a decision resubmitted after a crash finds its order.
 *
 * @example
 * ```ts
 * const id = clientOrderId({
 *   strategy: 'rsi_mean_reversion', symbol: 'BTC-USD', candleTime: Date.UTC(2026, 0, 1),
 *   action: 'buy', role: 'entry', attempt: 0,
 * }); // 'll' + 30 characters of [a-z2-7]
 * ```
 * @throws {ValidationError} for an empty strategy or symbol, a candle time that is not an
 *   integer, or an attempt that is not a non-negative integer.
 */
export function clientOrderId(
  fields: ClientOrderIdFields,
  hashing: ClientOrderIdHash = 'sha256',
): string {
  const { strategy, symbol, candleTime, action, role, attempt } = fields;
  if (strategy.trim() === '') throw new ValidationError('clientOrderId: strategy is empty');
  if (symbol.trim() === '') throw new ValidationError('clientOrderId: symbol is empty');
  if (!Number.isSafeInteger(candleTime)) {
    throw new ValidationError(`clientOrderId: candleTime ${candleTime} is not an integer (ms)`);
  }
  if (!Number.isSafeInteger(attempt) || attempt < 0) {
    throw new ValidationError(`clientOrderId: attempt ${attempt} is not a non-negative integer`);
  }
  return hashedId([strategy, symbol, candleTime, action, role, attempt], hashing);
}

/** What the client order id of an exit is computed from: the position it exits, not a tick. */
export interface ExitClientOrderIdFields {
  /** The strategy key that trades the symbol. */
  readonly strategy: string;
  readonly symbol: SymbolId;
  /** Open time of the position the exit sells from (epoch ms, `Position.openedAt`). */
  readonly positionOpenedAt: number;
  /** 0 for the position's first exit; the next after an exit that sold something. */
  readonly sequence: number;
  /** 0 first; the next only after the previous attempt is proven never placed or refused. */
  readonly attempt: number;
}

/**
 * The client order id of an exit: `ll` + 30 base32 characters of the SHA-256 of (`exit`,
 * strategy, symbol, position open time, exit sequence, attempt). Every trigger of the same
 * exit (a stop hit on tick after tick, a trailing stop, a force exit) computes the same id, so
 * a repeat while the first is unknown is recognised as the same order (docs/architecture/order-lifecycle.md).
 *
 * @example
 * ```ts
 * const id = exitClientOrderId({
 *   strategy: 'grid_trading', symbol: 'BTC-USDT', positionOpenedAt: fill.time, sequence: 0,
 *   attempt: 0,
 * });
 * ```
 * @throws {ValidationError} for an empty strategy or symbol, or a time, sequence or attempt
 *   that is not a non-negative integer.
 */
export function exitClientOrderId(
  fields: ExitClientOrderIdFields,
  hashing: ClientOrderIdHash = 'sha256',
): string {
  const { strategy, symbol, positionOpenedAt, sequence, attempt } = fields;
  if (strategy.trim() === '') throw new ValidationError('exitClientOrderId: strategy is empty');
  if (symbol.trim() === '') throw new ValidationError('exitClientOrderId: symbol is empty');
  for (const [name, value] of [
    ['positionOpenedAt', positionOpenedAt],
    ['sequence', sequence],
    ['attempt', attempt],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ValidationError(
        `exitClientOrderId: ${name} ${value} is not a non-negative integer`,
      );
    }
  }
  return hashedId(['exit', strategy, symbol, positionOpenedAt, sequence, attempt], hashing);
}

/**
 * Ids computed lately, by their fields as JSON: an order's id is asked for several times while it
 * is submitted (the in-flight key, the attempt, the exit's backoff), and hashed once. Bounded:
 * cleared when full. The id is a pure function of the fields, so the memo changes no id.
 */
const recentIds = new Map<string, string>();
const recentIdsLimit = 256;

/** `ll` + the first 30 base32 characters of the SHA-256 of the fields as a JSON array. */
function hashedId(fields: readonly (string | number)[], hashing: ClientOrderIdHash): string {
  // A JSON array keeps the fields apart: ('a', 'b|c') and ('a|b', 'c') hash differently.
  const text = JSON.stringify(fields);
  if (hashing === 'fast') return clientOrderIdPrefix + fastHash(text);
  const known = recentIds.get(text);
  if (known !== undefined) return known;
  const digest = hash('sha256', text, 'hex');
  const id = base32OfHex(
    clientOrderIdPrefix,
    digest,
    clientOrderIdLength - clientOrderIdPrefix.length,
  );
  if (recentIds.size >= recentIdsLimit) recentIds.clear();
  recentIds.set(text, id);
  return id;
}

/** Seeds and multipliers of the five lanes of the `fast` hash (odd 32-bit constants). */
const laneSeeds = [0x811c9dc5, 0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f] as const;
const lanePrimes = [0x01000193, 0xcc9e2d51, 0x1b873593, 0x7feb352d, 0x846ca68b] as const;

/** 30 base32 characters of a 5 x 32-bit FNV-style hash of `text`, each lane finished murmur3's way. */
function fastHash(text: string): string {
  let a: number = laneSeeds[0];
  let b: number = laneSeeds[1];
  let c: number = laneSeeds[2];
  let d: number = laneSeeds[3];
  let e: number = laneSeeds[4];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    a = Math.imul(a ^ code, lanePrimes[0]);
    b = Math.imul(b ^ code, lanePrimes[1]);
    c = Math.imul(c ^ code, lanePrimes[2]);
    d = Math.imul(d ^ code, lanePrimes[3]);
    e = Math.imul(e ^ code, lanePrimes[4]);
  }
  return lane(a) + lane(b) + lane(c) + lane(d) + lane(e);
}

/** Six base32 characters (30 bits) of a 32-bit lane after murmur3's finalizer. */
function lane(value: number): string {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  let output = '';
  for (let shift = 25; shift >= 0; shift -= 5) output += base32Alphabet[(h >>> shift) & 31];
  return output;
}

/**
 * Whether `id` has the exact shape of a client order id LumenLink makes (`ll` + 30 characters of
 * lowercase base32). Exchange orders with such an id are ours: adopted or reported, never
 * ignored.
 */
export function isOurClientOrderId(id: string | null | undefined): id is string {
  return typeof id === 'string' && ourIdPattern.test(id);
}
