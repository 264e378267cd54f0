/**
 * The fingerprint of the candles a run read: a SHA-256 over every candle, so a report can say
 * which data produced it and a rerun can tell whether it read the same data.
 */
import { createHash, type Hash } from 'node:crypto';
import type { Candle, DataProvenance, SymbolId } from '@lumenlink/core';

/** Domain prefix of the hashed bytes: a future encoding gets a new one and so other hashes. */
const encodingTag = 'lumenlink-candles-v1\n';
/** Bytes per candle: six little-endian float64 values. */
const candleBytes = 48;
/** Candles encoded per update of the hash: bounds the buffer at 384 KiB. */
const chunkCandles = 8_192;

/**
 * SHA-256 (hex) over every candle of `symbols`, in that order. The hashed bytes are the ASCII
 * tag `lumenlink-candles-v1\n`, then per symbol: the symbol's UTF-8 byte length (uint32
 * little-endian), its UTF-8 bytes, its candle count (uint32 little-endian), and per candle
 * `time, open, high, low, close, volume` as float64 little-endian (`-0` written as `0`).
 * Lengths make the encoding unambiguous: no two inputs give the same bytes. A symbol missing
 * from `candles` counts as zero candles; candles of symbols not in `symbols` are not hashed.
 * Fast: 100,000 candles take a few milliseconds (no text is built per candle).
 *
 * @example
 * ```ts
 * const loaded = await loadCandles({ source: { kind: 'bundled' }, symbols: ['BTC-USDT'],
 *   interval: '1h', from: undefined, to: undefined, warmupCandles: 0 });
 * const sha256 = candlesSha256(loaded.candles, [...loaded.candles.keys()]); // 64 hex digits
 * ```
 */
export function candlesSha256(
  candles: ReadonlyMap<SymbolId, readonly Candle[]>,
  symbols: readonly SymbolId[],
): string {
  const hash = createHash('sha256');
  hash.update(encodingTag, 'latin1');
  const chunk = new DataView(new ArrayBuffer(chunkCandles * candleBytes));
  for (const symbol of symbols) {
    const list = candles.get(symbol) ?? [];
    const name = Buffer.from(symbol, 'utf8');
    const header = Buffer.alloc(8 + name.length);
    header.writeUInt32LE(name.length, 0);
    name.copy(header, 4);
    header.writeUInt32LE(list.length, 4 + name.length);
    hash.update(header);
    updateWithCandles(hash, chunk, list);
  }
  return hash.digest('hex');
}

/** Feeds `list` to `hash` as float64 little-endian rows, `chunk` at a time. */
function updateWithCandles(hash: Hash, chunk: DataView, list: readonly Candle[]): void {
  let filled = 0;
  for (const candle of list) {
    const offset = filled * candleBytes;
    chunk.setFloat64(offset, plain(candle.time), true);
    chunk.setFloat64(offset + 8, plain(candle.open), true);
    chunk.setFloat64(offset + 16, plain(candle.high), true);
    chunk.setFloat64(offset + 24, plain(candle.low), true);
    chunk.setFloat64(offset + 32, plain(candle.close), true);
    chunk.setFloat64(offset + 40, plain(candle.volume), true);
    filled += 1;
    if (filled === chunkCandles) {
      hash.update(new Uint8Array(chunk.buffer, 0, filled * candleBytes));
      filled = 0;
    }
  }
  if (filled > 0) hash.update(new Uint8Array(chunk.buffer, 0, filled * candleBytes));
}

/** `-0` as `0`: the same value from a CSV file or a database hashes the same. */
function plain(value: number): number {
  return value === 0 ? 0 : value;
}

/** What {@link dataProvenanceOf} describes. */
export interface DataProvenanceInput {
  /** Where the candles came from, in words (`bundled Binance 1h of 2024`, a file, a database). */
  readonly description: string;
  /** The candles the run read, warm-up included. */
  readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
  /** The run's symbols, in run order: the order they are hashed in. */
  readonly symbols: readonly SymbolId[];
  /** Candle interval (`1h`). */
  readonly interval: string;
}

/**
 * The record of the candles a run read (core's `DataProvenance`): where they came from, the
 * symbols and interval, the open times of the first and the last candle over all symbols
 * (`null` without candles), the candle count and {@link candlesSha256}.
 *
 * @example
 * ```ts
 * const data = dataProvenanceOf({ description: 'bundled', candles, symbols, interval: '1h' });
 * // { description, symbols, interval, first, last, candles, sha256: '101ad3…' }
 * ```
 */
export function dataProvenanceOf(input: DataProvenanceInput): DataProvenance {
  let first: number | null = null;
  let last: number | null = null;
  let count = 0;
  for (const symbol of input.symbols) {
    const list = input.candles.get(symbol) ?? [];
    count += list.length;
    for (const candle of list) {
      if (first === null || candle.time < first) first = candle.time;
      if (last === null || candle.time > last) last = candle.time;
    }
  }
  return {
    description: input.description,
    symbols: [...input.symbols],
    interval: input.interval,
    first,
    last,
    candles: count,
    sha256: candlesSha256(input.candles, input.symbols),
  };
}
