/** Where an optimisation's candles come from: a `@lumenlink/data` source, or candles in memory. */
import type { Candle, SymbolId, Timeframe } from '@lumenlink/core';
import { loadCandles, type CandleSource, type LoadedCandles } from '@lumenlink/data';

/**
 * The bundled data, CSV files or a database (`@lumenlink/data`'s `CandleSource`), or candles
 * already in memory (`kind: 'candles'`). Either way `optimize` loads them once and shares them
 * with its workers.
 */
export type OptimizeSource =
  | CandleSource
  | {
      readonly kind: 'candles';
      /** Closed candles per symbol, ascending by time. */
      readonly candles: ReadonlyMap<SymbolId, readonly Candle[]>;
      readonly interval: Timeframe;
    };

/**
 * Loads the candles of a source, every one of them (warm-up and period are cut per job).
 *
 * @throws {DataInputError} for a missing file or a database without the symbols' candles.
 */
export async function loadSource(
  source: OptimizeSource,
  symbols: readonly SymbolId[] | undefined,
  interval: Timeframe | undefined,
): Promise<LoadedCandles> {
  if (source.kind === 'candles') {
    const candles =
      symbols === undefined
        ? source.candles
        : new Map(symbols.map((symbol) => [symbol, source.candles.get(symbol) ?? []]));
    return {
      candles,
      interval: source.interval,
      description: `candles in memory (${[...candles.keys()].join(', ')}, ${source.interval})`,
    };
  }
  return loadCandles({
    source,
    symbols,
    interval,
    from: undefined,
    to: undefined,
    warmupCandles: 0,
  });
}
