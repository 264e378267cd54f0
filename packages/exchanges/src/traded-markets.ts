/**
 * The markets a bot trades, checked against what the exchange lists before anything is traded.
 */
import {
  ConfigError,
  type MarketDataSource,
  type MarketInfo,
  type SymbolId,
} from '@lumenlink/core';

/**
 * The market rules of `symbols` from `source.loadMarkets()`, in the order given.
 *
 * @example
 * ```ts
 * const markets = await tradedMarkets(exchange, ['BTC-USDT', 'ETH-USDT']);
 * ```
 * @throws {ConfigError} naming `SYMBOLS` when the exchange lists a symbol not as a spot market.
 */
export async function tradedMarkets(
  source: Pick<MarketDataSource, 'loadMarkets'>,
  symbols: readonly SymbolId[],
): Promise<ReadonlyMap<SymbolId, MarketInfo>> {
  const all = await source.loadMarkets();
  const missing = symbols.filter((symbol) => !all.has(symbol));
  if (missing.length > 0) {
    throw new ConfigError([
      {
        key: 'SYMBOLS',
        problem: `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not a spot market of the exchange`,
        accepted:
          'BASE-QUOTE symbols the exchange lists, e.g. BTC-USDT on binance, BTC-USD on coinbase',
      },
    ]);
  }
  return new Map(symbols.map((symbol) => [symbol, all.get(symbol) as MarketInfo]));
}
