/**
 * @lumenlink/indicators: streaming technical indicators (O(1), no allocation per update: `NaN`
 * while warming up) and batch functions that agree with them exactly and can write into
 * caller-provided arrays, at TA-Lib conventions. No I/O.
 * @packageDocumentation
 */
export type { StreamingIndicator, RangeInput } from './indicator.js';
export { SMA, sma } from './sma.js';
export { EMA, ema } from './ema.js';
export { WMA, wma } from './wma.js';
export { RSI, rsi } from './rsi.js';
export { WilderMA, wilder } from './wilder-ma.js';
export { MACD, macd, type MACDOptions, type MACDResult, type MACDSeries } from './macd.js';
export { ROC, roc } from './roc.js';
export {
  Stochastic,
  stochastic,
  type StochasticOptions,
  type StochasticResult,
  type StochasticSeries,
} from './stochastic.js';
export {
  SlowStochastic,
  slowStochastic,
  type SlowStochasticOptions,
  type SlowStochasticResult,
  type SlowStochasticSeries,
} from './slow-stochastic.js';
export {
  StochasticRSI,
  stochasticRSI,
  type StochasticRSIOptions,
  type StochasticRSIResult,
  type StochasticRSISeries,
} from './stochastic-rsi.js';
export { WilliamsR, williamsR } from './williams-r.js';
export { CCI, cci, type CCIOptions } from './cci.js';
export { MFI, mfi } from './mfi.js';
export { OBV, obv } from './obv.js';
export { TrueRange, trueRange } from './true-range.js';
export { ATR, atr } from './atr.js';
export {
  BollingerBands,
  bollingerBands,
  type BollingerBandsOptions,
  type BollingerBandsResult,
  type BollingerBandsSeries,
} from './bollinger-bands.js';
export {
  KeltnerChannels,
  keltnerChannels,
  type KeltnerChannelsOptions,
  type KeltnerChannelsResult,
  type KeltnerChannelsSeries,
} from './keltner-channels.js';
export {
  BollingerSqueeze,
  bollingerSqueeze,
  type BollingerSqueezeOptions,
  type BollingerSqueezeResult,
  type BollingerSqueezeSeries,
} from './bollinger-squeeze.js';
export { ADX, adx, type ADXResult, type ADXSeries } from './adx.js';
export {
  DirectionalIndicators,
  directionalIndicators,
  DX,
  dx,
  type DirectionalIndicatorsResult,
  type DirectionalIndicatorsSeries,
} from './directional-indicators.js';
export {
  RollingVWAP,
  rollingVwap,
  SessionVWAP,
  sessionVwap,
  type SessionVWAPInput,
  type SessionVWAPOptions,
} from './vwap.js';
export {
  Supertrend,
  supertrend,
  type SupertrendOptions,
  type SupertrendResult,
  type SupertrendSeries,
} from './supertrend.js';
export { Donchian, donchian, type DonchianResult, type DonchianSeries } from './donchian.js';
export { RelativeVolume, relativeVolume } from './relative-volume.js';
export {
  isBullishEngulfing,
  isBearishEngulfing,
  isHammer,
  isConfirmedHammer,
  isShootingStar,
  isConfirmedShootingStar,
  isDoji,
  isMorningStar,
  isEveningStar,
  detectPatterns,
  patternCandleCounts,
  type CandlePattern,
  type PatternInput,
} from './patterns.js';
export { CandlePatterns, candlePatternBits } from './candle-patterns.js';
