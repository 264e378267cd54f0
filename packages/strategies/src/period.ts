import { candleOpenTime, timeframeMs, type Timeframe } from '@lumenlink/core';

/**
 * Finds the open time of a timeframe's period (candle) containing a time, as core's
 * `candleOpenTime` does, with the duration and origin worked out once: `candleOpenTime` parses the
 * timeframe on every call, which allocates, and strategies call this on every candle.
 */
export class PeriodFinder {
  readonly timeframe: Timeframe;
  /** The period's duration in ms. */
  readonly durationMs: number;
  /** The open time of the period containing the epoch: periods open at origin + k x duration. */
  readonly #origin: number;

  constructor(timeframe: Timeframe) {
    this.timeframe = timeframe;
    this.durationMs = timeframeMs(timeframe);
    this.#origin = candleOpenTime(0, timeframe);
  }

  /** Open time of the period containing `time` (epoch ms); equals `candleOpenTime(time, timeframe)`. */
  openTime(time: number): number {
    const duration = this.durationMs;
    return Math.floor((time - this.#origin) / duration) * duration + this.#origin;
  }
}
