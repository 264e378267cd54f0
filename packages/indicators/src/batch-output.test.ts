import { describe, expect, it } from 'vitest';
import { loadBtc1h } from './__fixtures__/candles.js';
import * as indicators from './index.js';

const { high, low, close, volume, candles } = loadBtc1h();
const time = Float64Array.from(candles, (candle) => candle.time);

/** Every batch function, called with an optional `out` as its last argument. */
const single: Record<string, (out?: Float64Array) => Float64Array> = {
  sma: (out) => indicators.sma(close, 20, out),
  ema: (out) => indicators.ema(close, 20, out),
  wma: (out) => indicators.wma(close, 20, out),
  wilder: (out) => indicators.wilder(close, 14, out),
  rsi: (out) => indicators.rsi(close, 14, out),
  roc: (out) => indicators.roc(close, 12, out),
  trueRange: (out) => indicators.trueRange(high, low, close, out),
  atr: (out) => indicators.atr(high, low, close, 14, out),
  dx: (out) => indicators.dx(high, low, close, 14, out),
  obv: (out) => indicators.obv(close, volume, out),
  mfi: (out) => indicators.mfi(high, low, close, volume, 14, out),
  cci: (out) => indicators.cci(high, low, close, {}, out),
  williamsR: (out) => indicators.williamsR(high, low, close, 14, out),
  rollingVwap: (out) => indicators.rollingVwap(high, low, close, volume, 20, out),
  sessionVwap: (out) => indicators.sessionVwap(time, high, low, close, volume, {}, out),
  relativeVolume: (out) => indicators.relativeVolume(volume, 20, out),
};

type Columns = Readonly<Record<string, Float64Array>>;
const multi: Record<string, (out?: Columns) => object> = {
  macd: (out) => indicators.macd(close, {}, out as indicators.MACDSeries | undefined),
  bollingerBands: (out) =>
    indicators.bollingerBands(close, {}, out as indicators.BollingerBandsSeries | undefined),
  keltnerChannels: (out) =>
    indicators.keltnerChannels(
      high,
      low,
      close,
      {},
      out as indicators.KeltnerChannelsSeries | undefined,
    ),
  bollingerSqueeze: (out) =>
    indicators.bollingerSqueeze(
      high,
      low,
      close,
      {},
      out as indicators.BollingerSqueezeSeries | undefined,
    ),
  stochastic: (out) =>
    indicators.stochastic(high, low, close, {}, out as indicators.StochasticSeries | undefined),
  slowStochastic: (out) =>
    indicators.slowStochastic(
      high,
      low,
      close,
      {},
      out as indicators.SlowStochasticSeries | undefined,
    ),
  stochasticRSI: (out) =>
    indicators.stochasticRSI(close, {}, out as indicators.StochasticRSISeries | undefined),
  adx: (out) => indicators.adx(high, low, close, 14, out as indicators.ADXSeries | undefined),
  directionalIndicators: (out) =>
    indicators.directionalIndicators(
      high,
      low,
      close,
      14,
      out as indicators.DirectionalIndicatorsSeries | undefined,
    ),
  supertrend: (out) =>
    indicators.supertrend(high, low, close, {}, out as indicators.SupertrendSeries | undefined),
  donchian: (out) =>
    indicators.donchian(high, low, 20, out as indicators.DonchianSeries | undefined),
};

/** An output already full of a stale value, as a reused array is. */
const stale = () => new Float64Array(close.length).fill(12345);

describe('batch outputs', () => {
  it.each(Object.entries(single))(
    '%s fills a caller-provided array, warm-up included, as a fresh one',
    (_, batch) => {
      const out = stale();
      expect(batch(out)).toBe(out);
      expect([...out]).toEqual([...batch()]);
      expect(() => batch(new Float64Array(close.length + 1))).toThrow('entries like its input');
    },
  );

  it.each(Object.entries(multi))(
    '%s fills caller-provided columns, warm-up included, as fresh ones',
    (_, batch) => {
      const fresh = batch() as Columns;
      const out = Object.fromEntries(Object.keys(fresh).map((key) => [key, stale()]));
      const result = batch(out) as Columns;
      for (const [key, column] of Object.entries(fresh)) {
        expect(result[key]).toBe(out[key]);
        expect([...result[key]!]).toEqual([...column]);
      }
    },
  );
});
