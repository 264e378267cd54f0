import fc from 'fast-check';

/**
 * Random candle-like inputs for property tests: lows either anywhere in 1..1e5 or on a coarse
 * integer grid (1..`gridMax`), spreads sometimes 0, so ties, flat windows and empty ranges occur.
 * Volume is 1, or random (sometimes 0) with `randomVolume`.
 */
export function gridCandles(options: { readonly gridMax: number; readonly randomVolume?: boolean }) {
  return fc.array(
    fc
      .record({
        low: fc.oneof(
          fc.double({ min: 1, max: 1e5, noNaN: true }),
          fc.integer({ min: 1, max: options.gridMax }),
        ),
        spread: fc.oneof(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.constant(0)),
        position: fc.double({ min: 0, max: 1, noNaN: true }),
        volume: options.randomVolume
          ? fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(0))
          : fc.constant(1),
      })
      .map(({ low, spread, position, volume }) => ({
        high: low + spread,
        low,
        close: low + position * spread,
        volume,
      })),
    { maxLength: 200 },
  );
}
