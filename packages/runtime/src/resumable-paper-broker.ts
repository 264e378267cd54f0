/**
 * The paper broker as the bot runs it across restarts: while the bot re-warms its strategies on
 * candles it already processed, the broker ignores those candles.
 */
import type { Candle, Fill, SymbolId } from '@lumenlink/core';
import { PaperBroker } from '@lumenlink/execution';

/**
 * A {@link PaperBroker} that can set candles aside. After a restart the bot feeds the candles it
 * processed before through `TradeCycle.warmUp`, so its strategies and ATR are warm again; the
 * orders restored from the store (say, a market order decided on the last candle before the
 * stop) must not fill on that history but on the first candle traded after it. Inside
 * {@link ResumablePaperBroker.settingAside} `processCandle` returns no fills and changes nothing.
 *
 * @example
 * ```ts
 * const broker = new ResumablePaperBroker({ clock, feeBps, slippageBps, startingCash, restore });
 * broker.settingAside(() => { for (const candle of history) cycle.warmUp(symbol, candle); });
 * ```
 */
export class ResumablePaperBroker extends PaperBroker {
  #settingAside = false;

  /** Runs `work` with candles set aside: the paper book is not touched by them. */
  settingAside<T>(work: () => T): T {
    this.#settingAside = true;
    try {
      return work();
    } finally {
      this.#settingAside = false;
    }
  }

  override processCandle(symbol: SymbolId, candle: Candle): readonly Fill[] {
    return this.#settingAside ? [] : super.processCandle(symbol, candle);
  }
}
