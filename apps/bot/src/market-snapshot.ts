import type { Candle, Config, SymbolId } from '@lumenlink/core';
import { importBundledData, openStore, type BundledImport } from '@lumenlink/data';
import { ATR, EMA, RSI } from '@lumenlink/indicators';
import { RiskEngine, riskConfigFromConfig } from '@lumenlink/risk';

/** What the demo shows for one bundled symbol. */
export interface SymbolSnapshot {
  readonly symbol: SymbolId;
  readonly candles: number;
  readonly lastTime: number;
  readonly close: number;
  readonly rsi: number;
  readonly emaFast: number;
  readonly emaSlow: number;
  readonly atr: number;
  /** The risk verdict on a hypothetical 0.8-confidence buy at the last close. */
  readonly verdict: string;
  readonly allowed: boolean;
}

/**
 * Imports the bundled Binance data into the SQLite store at `config.data.dbPath` (once), then
 * reads each symbol back and computes a few indicators and a risk verdict on its last candle.
 */
export async function marketSnapshot(
  config: Config,
): Promise<{ imports: BundledImport[]; symbols: SymbolSnapshot[] }> {
  const store = await openStore({ path: config.data.dbPath });
  try {
    const imports = await importBundledData(store.candles);
    const risk = new RiskEngine(riskConfigFromConfig(config));
    const symbols: SymbolSnapshot[] = [];
    for (const { symbol } of imports) {
      const candles = await store.candles.getRecentCandles(symbol, '1h', 500);
      symbols.push(snapshotOf(symbol, candles, config, risk));
    }
    return { imports, symbols };
  } finally {
    await store.close();
  }
}

function snapshotOf(
  symbol: SymbolId,
  candles: readonly Candle[],
  config: Config,
  risk: RiskEngine,
): SymbolSnapshot {
  const rsi = new RSI(14);
  const fast = new EMA(9);
  const slow = new EMA(21);
  const atr = new ATR(config.trading.atrPeriod);
  for (const candle of candles) {
    rsi.update(candle.close);
    fast.update(candle.close);
    slow.update(candle.close);
    atr.update(candle);
  }
  const last = candles[candles.length - 1];
  if (
    last === undefined ||
    rsi.value === undefined ||
    slow.value === undefined ||
    atr.value === undefined
  ) {
    throw new Error(`Not enough stored candles for ${symbol} (${candles.length})`);
  }
  const verdict = risk.evaluate(
    { action: 'buy', confidence: 0.8, reason: 'demo' },
    {
      now: last.time + 3_600_000,
      symbol,
      tradingState: config.killSwitch ? 'halted' : 'active',
      mode: config.mode,
      allowLiveTrading: config.allowLiveTrading,
      price: last.close,
      position: null,
      openPositions: 0,
      equity: config.paper.startingCash,
      cash: config.paper.startingCash,
      dailyPnl: 0,
      lastStopOutAt: null,
      atr: atr.value,
      market: null,
      ticker: null,
      orderBook: null,
      circuitOpen: false,
    },
  );
  return {
    symbol,
    candles: candles.length,
    lastTime: last.time,
    close: last.close,
    rsi: rsi.value,
    emaFast: fast.value ?? Number.NaN,
    emaSlow: slow.value,
    atr: atr.value,
    verdict: verdict.reason,
    allowed: verdict.allowed,
  };
}
