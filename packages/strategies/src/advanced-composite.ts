import {
  contextAge,
  ValidationError,
  type Candle,
  type Signal,
  type StrategyContext,
  type Timeframe,
} from '@lumenlink/core';
import {
  ADX,
  BollingerBands,
  BollingerSqueeze,
  CCI,
  CandlePatterns,
  candlePatternBits,
  EMA,
  MACD,
  MFI,
  OBV,
  RelativeVolume,
  RSI,
  SessionVWAP,
  Stochastic,
  WilliamsR,
} from '@lumenlink/indicators';
import { z } from 'zod';
import { defineStrategy, type StrategyLogic } from './define-strategy.js';
import { MultiTimeframeAnalyzer } from './multi-timeframe.js';
import {
  describeParameters,
  groupParam,
  integerParam,
  numberParam,
  shapeOf,
  timeframeListParam,
  requireAbove,
} from './params.js';
import { clamp, constantHold, formatNumber, holdsPosition } from './signal-helpers.js';

/**
 * The confluence factors of `advanced_composite`, in scoring order, as named in signal reasons.
 * Each votes from -1 (bearish) to 1 (bullish) on every candle; 0 is neutral.
 */
export const advancedCompositeFactors = [
  'ema_trend',
  'macd',
  'rsi',
  'stochastic',
  'adx',
  'squeeze_breakout',
  'vwap',
  'volume',
  'obv',
  'mfi',
  'cci',
  'williams_r',
  'patterns',
  'timeframes',
  'sentiment',
] as const;

/** One confluence factor of `advanced_composite`. */
export type AdvancedCompositeFactor = (typeof advancedCompositeFactors)[number];

const weight = (description: string, defaultValue: number) =>
  numberParam(description, { default: defaultValue, min: 0, max: 10 });

const weightTable = {
  emaTrend: weight('ema_trend: fast EMA vs slow EMA, with the close beyond the fast EMA.', 1.5),
  macd: weight('macd: MACD(12, 26, 9) histogram sign, stronger with the MACD line.', 1),
  rsi: weight('rsi: RSI at or below oversold (+1) or at or above overbought (-1).', 1),
  stochastic: weight('stochastic: %K(14, 3) turning up below 20 or down above 80.', 0.75),
  adx: weight('adx: ADX(14) at or above adxTrend votes the +DI/-DI direction.', 1),
  squeeze: weight(
    'squeeze_breakout: within 3 candles of a Bollinger squeeze release, the close vs the bands.',
    1,
  ),
  vwap: weight('vwap: close above or below the daily session VWAP.', 0.75),
  volume: weight(
    'volume: relative volume(20) at or above highVolume, in the candle direction.',
    0.5,
  ),
  obv: weight('obv: OBV above or below its EMA(20).', 0.75),
  mfi: weight('mfi: MFI(14) at or below 20 (+1) or at or above 80 (-1).', 0.5),
  cci: weight('cci: CCI(20) at or below -100 (+1) or at or above 100 (-1).', 0.5),
  williamsR: weight(
    'williams_r: Williams %R(14) at or below -80 (+1) or at or above -20 (-1).',
    0.5,
  ),
  patterns: weight(
    'patterns: bullish engulfing, confirmed hammer or morning star (+1); bearish engulfing, confirmed shooting star or evening star (-1).',
    0.75,
  ),
  timeframes: weight(
    'timeframes: multi-timeframe trend score, base and higherTimeframes (EMA 9/21 on each).',
    1.5,
  ),
  sentiment: weight(
    'sentiment: contrarian Fear & Greed and CryptoPanic news score, when a fresh MarketContext is present.',
    1,
  ),
} as const;

const parameterTable = {
  buyThreshold: numberParam(
    'Buy when the confluence score reaches this; again only after it fell back to 0 or below.',
    {
      default: 0.3,
      min: 0,
      max: 1,
      minExclusive: true,
    },
  ),
  sellThreshold: numberParam('Sell an open position while the score is at or below minus this.', {
    default: 0.3,
    min: 0,
    max: 1,
    minExclusive: true,
  }),
  emaFast: integerParam('Fast EMA period of ema_trend.', { default: 9, min: 1, max: 500 }),
  emaSlow: integerParam('Slow EMA period of ema_trend, above emaFast.', {
    default: 21,
    min: 2,
    max: 1000,
  }),
  rsiPeriod: integerParam('RSI period.', { default: 14, min: 2, max: 500 }),
  oversold: numberParam('RSI oversold level.', {
    default: 30,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
  overbought: numberParam('RSI overbought level, above oversold.', {
    default: 70,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
  adxTrend: numberParam('ADX level from which a trend counts.', { default: 25, min: 0, max: 100 }),
  highVolume: numberParam('Relative volume from which a candle counts as high-volume.', {
    default: 1.5,
    min: 0,
    max: 100,
    minExclusive: true,
  }),
  higherTimeframes: timeframeListParam(
    'Higher timeframes built from the base candles for the timeframes factor (with the base).',
    ['4h', '1d'],
    4,
  ),
  sentimentMaxAgeMs: integerParam('Ignore sentiment parts older than this (ms).', {
    default: 172_800_000,
    min: 60_000,
    max: 2_592_000_000,
  }),
  weights: groupParam('Weight of each factor (0 turns it off).', weightTable),
};

/** Parameters of `advanced_composite`; every one has a default. */
export const advancedCompositeParamsSchema = z
  .strictObject(shapeOf(parameterTable))
  .superRefine((params, context) => {
    requireAbove(params, context, 'emaFast', 'emaSlow');
    requireAbove(params, context, 'oversold', 'overbought');
    if (Object.values(params.weights).every((value) => value === 0)) {
      context.addIssue({
        code: 'custom',
        path: ['weights'],
        message: 'at least one weight must be above 0',
      });
    }
  });

/** Validated parameters of `advanced_composite`. */
export type AdvancedCompositeParams = z.infer<typeof advancedCompositeParamsSchema>;

const factorWeightKeys: readonly (keyof AdvancedCompositeParams['weights'])[] = [
  'emaTrend',
  'macd',
  'rsi',
  'stochastic',
  'adx',
  'squeeze',
  'vwap',
  'volume',
  'obv',
  'mfi',
  'cci',
  'williamsR',
  'patterns',
  'timeframes',
  'sentiment',
];

const factorIndex = Object.fromEntries(advancedCompositeFactors.map((name, i) => [name, i])) as {
  readonly [Name in AdvancedCompositeFactor]: number;
};

/** Candles after a squeeze release during which a breakout counts. */
const breakoutWindow = 3;
/** The candlestick patterns that vote +1 (bullish) and -1 (bearish). */
const bullishPatterns =
  candlePatternBits.bullish_engulfing |
  candlePatternBits.confirmed_hammer |
  candlePatternBits.morning_star;
const bearishPatterns =
  candlePatternBits.bearish_engulfing |
  candlePatternBits.confirmed_shooting_star |
  candlePatternBits.evening_star;

/**
 * The candlestick pattern vote from the mask of the patterns that completed on the candle: +1 for
 * a bullish engulfing, confirmed hammer or morning star, -1 for a bearish engulfing, confirmed
 * shooting star or evening star (0 for both or neither).
 */
function patternVote(mask: number): number {
  return (mask & bullishPatterns ? 1 : 0) - (mask & bearishPatterns ? 1 : 0);
}

function sign(value: number): number {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

class AdvancedComposite implements StrategyLogic {
  readonly warmup: number;
  readonly #params: AdvancedCompositeParams;
  readonly #weights: Float64Array;
  readonly #votes = new Float64Array(advancedCompositeFactors.length);
  readonly #fast: EMA;
  readonly #slow: EMA;
  readonly #macd = new MACD({ fast: 12, slow: 26, signal: 9 });
  readonly #rsi: RSI;
  readonly #stochastic = new Stochastic({ period: 14, signal: 3 });
  readonly #adx = new ADX(14);
  readonly #bands = new BollingerBands({ period: 20, stdDev: 2 });
  readonly #squeeze = new BollingerSqueeze();
  readonly #vwap = new SessionVWAP();
  readonly #relativeVolume = new RelativeVolume(20);
  readonly #obv = new OBV();
  readonly #obvAverage = new EMA(20);
  readonly #mfi = new MFI(14);
  readonly #cci = new CCI({ period: 20 });
  readonly #williamsR = new WilliamsR(14);
  readonly #analyzer: MultiTimeframeAnalyzer;
  /** Streaming detectors of the six voting patterns: technicalindicators' verdicts, O(1). */
  readonly #patterns = new CandlePatterns([
    'bullish_engulfing',
    'confirmed_hammer',
    'morning_star',
    'bearish_engulfing',
    'confirmed_shooting_star',
    'evening_star',
  ]);
  #candles = 0;
  #wasSqueezed = false;
  #sinceRelease = Number.POSITIVE_INFINITY;
  /** Whether a buy may fire: cleared by a buy, set again when the score falls to 0 or below. */
  #armed = true;
  readonly #warmingUp: Signal;
  readonly #neutral: Signal;
  readonly #bullishOngoing: Signal;
  readonly #bearishFlat: Signal;

  constructor(params: AdvancedCompositeParams, interval: Timeframe) {
    this.#params = params;
    this.#weights = Float64Array.from(factorWeightKeys, (key) => params.weights[key]);
    this.#fast = new EMA(params.emaFast);
    this.#slow = new EMA(params.emaSlow);
    this.#rsi = new RSI(params.rsiPeriod);
    this.#analyzer = new MultiTimeframeAnalyzer({
      base: interval,
      higher: params.higherTimeframes,
    });
    // The slowest indicator: MACD needs 26 + 9 - 1 closes, ADX 2 x 14, the squeeze's ATR(20) and
    // relative volume 21, the analyzer its highest timeframe's slow EMA plus a partial first period.
    this.warmup = Math.max(
      params.emaSlow,
      params.rsiPeriod + 1,
      34,
      2 * 14,
      21,
      this.#analyzer.warmup,
    );
    this.#warmingUp = constantHold(
      'advanced composite is warming up its indicators and timeframes',
    );
    this.#neutral = constantHold(
      `confluence score is between -${params.sellThreshold} and ${params.buyThreshold}`,
    );
    this.#bullishOngoing = constantHold(
      `confluence score is at or above ${params.buyThreshold}, but a buy fired since the score was last at or below 0`,
    );
    this.#bearishFlat = constantHold(
      `confluence score is at or below -${params.sellThreshold}, but there is no position to sell`,
    );
  }

  onCandle(candle: Candle, context: StrategyContext): Signal {
    const params = this.#params;
    const votes = this.#votes;
    const close = candle.close;

    const fast = this.#fast.update(close);
    const slow = this.#slow.update(close);
    const macd = this.#macd.update(close);
    const rsi = this.#rsi.update(close);
    const stochastic = this.#stochastic.update(candle);
    const adx = this.#adx.update(candle);
    const bands = this.#bands.update(close);
    const squeeze = this.#squeeze.update(candle);
    const vwap = this.#vwap.update(candle);
    const relativeVolume = this.#relativeVolume.update(candle.volume);
    const obv = this.#obv.update(candle);
    const obvAverage = this.#obvAverage.update(obv);
    const mfi = this.#mfi.update(candle);
    const cci = this.#cci.update(candle);
    const williamsR = this.#williamsR.update(candle);
    this.#analyzer.update(candle);
    const patterns = this.#weights[factorIndex.patterns] === 0 ? 0 : this.#patterns.update(candle);

    if (this.#squeeze.isReady) {
      if (squeeze.squeezeOn) this.#sinceRelease = Number.POSITIVE_INFINITY;
      else if (this.#wasSqueezed) this.#sinceRelease = 0;
      else this.#sinceRelease++;
      this.#wasSqueezed = squeeze.squeezeOn;
    }

    if (++this.#candles < this.warmup) return this.#warmingUp;

    votes[factorIndex.ema_trend] =
      Number.isNaN(fast) || Number.isNaN(slow)
        ? 0
        : fast > slow
          ? close > fast
            ? 1
            : 0.5
          : fast < slow
            ? close < fast
              ? -1
              : -0.5
            : 0;
    votes[factorIndex.macd] = !this.#macd.isReady
      ? 0
      : macd.histogram > 0
        ? macd.macd > 0
          ? 1
          : 0.5
        : macd.histogram < 0
          ? macd.macd < 0
            ? -1
            : -0.5
          : 0;
    votes[factorIndex.rsi] = Number.isNaN(rsi)
      ? 0
      : rsi <= params.oversold
        ? 1
        : rsi >= params.overbought
          ? -1
          : 0;
    votes[factorIndex.stochastic] = !this.#stochastic.isReady
      ? 0
      : stochastic.k < 20 && stochastic.k > stochastic.d
        ? 1
        : stochastic.k > 80 && stochastic.k < stochastic.d
          ? -1
          : 0;
    votes[factorIndex.adx] =
      !this.#adx.isReady || adx.adx < params.adxTrend ? 0 : sign(adx.plusDI - adx.minusDI);
    votes[factorIndex.squeeze_breakout] =
      !this.#bands.isReady || this.#sinceRelease >= breakoutWindow
        ? 0
        : close > bands.upper
          ? 1
          : close < bands.lower
            ? -1
            : 0.5 * sign(close - bands.middle);
    votes[factorIndex.vwap] = Number.isNaN(vwap) ? 0 : sign(close - vwap);
    votes[factorIndex.volume] =
      !Number.isNaN(relativeVolume) && relativeVolume >= params.highVolume
        ? sign(close - candle.open)
        : 0;
    votes[factorIndex.obv] = Number.isNaN(obvAverage) ? 0 : sign(obv - obvAverage);
    votes[factorIndex.mfi] = Number.isNaN(mfi) ? 0 : mfi <= 20 ? 1 : mfi >= 80 ? -1 : 0;
    votes[factorIndex.cci] = Number.isNaN(cci) ? 0 : cci <= -100 ? 1 : cci >= 100 ? -1 : 0;
    votes[factorIndex.williams_r] = Number.isNaN(williamsR)
      ? 0
      : williamsR <= -80
        ? 1
        : williamsR >= -20
          ? -1
          : 0;
    votes[factorIndex.patterns] = patternVote(patterns);
    votes[factorIndex.timeframes] = this.#analyzer.score;
    const sentiment = this.#sentiment(context);
    votes[factorIndex.sentiment] = Number.isNaN(sentiment) ? 0 : sentiment;

    let total = 0;
    let weightSum = 0;
    for (let i = 0; i < votes.length; i++) {
      if (i === factorIndex.sentiment && Number.isNaN(sentiment)) continue;
      const factorWeight = this.#weights[i]!;
      total += factorWeight * votes[i]!;
      weightSum += factorWeight;
    }
    const score = weightSum === 0 ? 0 : clamp(total / weightSum, -1, 1);
    if (score <= 0) this.#armed = true;

    if (score >= params.buyThreshold) {
      if (!this.#armed) return this.#bullishOngoing;
      this.#armed = false;
      return this.#signal('buy', score, Number.isNaN(sentiment));
    }
    if (score <= -params.sellThreshold) {
      if (!holdsPosition(context)) return this.#bearishFlat;
      return this.#signal('sell', score, Number.isNaN(sentiment));
    }
    return this.#neutral;
  }

  /** The sentiment vote from -1 to 1, or `NaN` when no fresh sentiment is present. */
  #sentiment(context: StrategyContext): number {
    const market = context.market;
    if (market === undefined) return Number.NaN;
    const maxAge = this.#params.sentimentMaxAgeMs;
    let sum = 0;
    let parts = 0;
    const fearGreed = market.fearGreed;
    const fearGreedAge = contextAge(fearGreed, context.time);
    if (fearGreed !== undefined && fearGreedAge !== undefined && fearGreedAge <= maxAge) {
      // Contrarian: extreme fear (0) is a buying opportunity, extreme greed (100) a warning.
      sum += clamp((50 - fearGreed.value) / 50, -1, 1);
      parts++;
    }
    const news = market.news;
    const newsAge = contextAge(news, context.time);
    if (news !== undefined && newsAge !== undefined && newsAge <= maxAge && news.posts > 0) {
      sum += clamp(news.score, -1, 1);
      parts++;
    }
    return parts === 0 ? Number.NaN : sum / parts;
  }

  #signal(action: 'buy' | 'sell', score: number, noSentiment: boolean): Signal {
    const params = this.#params;
    const bullish: string[] = [];
    const bearish: string[] = [];
    let factors = 0;
    for (let i = 0; i < advancedCompositeFactors.length; i++) {
      if (this.#weights[i] === 0 || (noSentiment && i === factorIndex.sentiment)) continue;
      factors++;
      const vote = this.#votes[i]!;
      if (vote > 0) bullish.push(advancedCompositeFactors[i]!);
      else if (vote < 0) bearish.push(advancedCompositeFactors[i]!);
    }
    const threshold =
      action === 'buy' ? `>= buy threshold ${params.buyThreshold}` : `<= -${params.sellThreshold}`;
    return {
      action,
      confidence: clamp(Math.abs(score), 0, 1),
      reason: `confluence score ${formatNumber(score, 3)} ${threshold} over ${factors} factors; bullish: ${bullish.join(', ') || 'none'}; bearish: ${bearish.join(', ') || 'none'}`,
    };
  }
}

/**
 * `advanced_composite`: confluence scoring over 15 weighted factors (see
 * {@link advancedCompositeFactors}): each votes from -1 to 1, the score is the weighted mean
 * (sentiment counts only when a fresh `MarketContext` is present) and the confidence is its size.
 * Buys when the score reaches `buyThreshold`, once: the next buy waits until the score has fallen
 * back to 0 or below. Sells an open position while the score is at or below `-sellThreshold`. The
 * reason names the factors that fired on each side.
 *
 * @example
 * ```ts
 * const strategy = advancedComposite.create(
 *   { buyThreshold: 0.4, weights: { sentiment: 0 } },
 *   { interval: '1h' },
 * );
 * strategy.warmup; // 527 with the default 4h and 1d timeframes
 * ```
 * @throws {ValidationError} from `create` when a higher timeframe is not a multiple of the interval.
 */
export const advancedComposite = defineStrategy({
  key: 'advanced_composite',
  description:
    'Confluence scoring over 15 weighted factors (trend, momentum, volatility, volume, patterns, 1h/4h/1d alignment, sentiment); buys when the score rises through a threshold, sells below a negative one.',
  paramsSchema: advancedCompositeParamsSchema,
  parameters: describeParameters(parameterTable, advancedCompositeParamsSchema.parse({})),
  build: (params, { interval }) => {
    for (const timeframe of params.higherTimeframes) {
      if (timeframe === interval) {
        throw new ValidationError(
          `advanced_composite higherTimeframes must be above the interval ${interval}, got ${timeframe}`,
        );
      }
    }
    return new AdvancedComposite(params, interval);
  },
});
