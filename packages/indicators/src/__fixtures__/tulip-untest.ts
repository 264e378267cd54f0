/**
 * Test vectors from tulipindicators' `tests/untest.txt` (github.com/TulipCharts/tulipindicators,
 * LGPL test data, copied unchanged): 15 daily bars and the expected outputs, to 3 decimals, of
 * `di 5`, `dx 5`, `stoch 5 3 3` and `wilders 5`. Tulip starts +DI, −DI and DX one bar earlier than
 * TA-Lib (from the unsmoothed seed sum, lookback `period - 1`); from its second value on, its
 * smoothing is TA-Lib's, so those values are TA-Lib's.
 */
export const tulipHigh: readonly number[] = [
  82.15, 81.89, 83.03, 83.3, 83.85, 83.9, 83.33, 84.3, 84.84, 85, 85.9, 86.58, 86.98, 88, 87.87,
];

/** Lows of the same bars. */
export const tulipLow: readonly number[] = [
  81.29, 80.64, 81.31, 82.65, 83.07, 83.11, 82.49, 82.3, 84.15, 84.11, 84.03, 85.39, 85.76, 87.17,
  87.01,
];

/** Closes of the same bars. */
export const tulipClose: readonly number[] = [
  81.59, 81.06, 82.87, 83, 83.61, 83.15, 82.84, 83.99, 84.55, 84.36, 85.53, 86.54, 86.89, 87.77,
  87.29,
];

/** `di 5`: +DI, from bar index 4. */
export const tulipPlusDI5: readonly number[] = [
  41.525, 35.436, 28.811, 35.85, 40.268, 36.416, 40.072, 43.468, 41.298, 50.793, 42.981,
];

/** `di 5`: −DI, from bar index 4. */
export const tulipMinusDI5: readonly number[] = [
  13.771, 11.389, 23.059, 14.815, 12.451, 10.299, 7.084, 5.675, 4.522, 3.673, 5.97,
];

/** `dx 5`, from bar index 4. */
export const tulipDX5: readonly number[] = [
  50.192, 51.356, 11.088, 41.517, 52.766, 55.907, 69.955, 76.905, 80.262, 86.511, 75.609,
];

/** `stoch 5 3 3`: slow %K, from bar index 8. */
export const tulipStochK: readonly number[] = [77.385, 83.126, 84.867, 88.361, 95.246, 96.74, 91.091];

/** `stoch 5 3 3`: %D, from bar index 8. */
export const tulipStochD: readonly number[] = [75.702, 78.011, 81.793, 85.452, 89.491, 93.449, 94.359];

/** `wilders 5` of the closes, from bar index 4. */
export const tulipWilders5: readonly number[] = [
  82.426, 82.571, 82.625, 82.898, 83.228, 83.455, 83.87, 84.404, 84.901, 85.475, 85.838,
];
