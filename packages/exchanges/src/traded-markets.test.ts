import { ConfigError, type MarketInfo, type SymbolId } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { tradedMarkets } from './traded-markets.js';

const listing = (symbols: readonly SymbolId[]) => ({
  loadMarkets: () =>
    Promise.resolve(
      new Map<SymbolId, MarketInfo>(
        symbols.map((symbol) => [
          symbol,
          {
            symbol,
            base: symbol.split('-')[0] ?? '',
            quote: 'USDT',
            amountStep: 0.0001,
            priceStep: 0.01,
            minAmount: 0.0001,
            maxAmount: null,
            minCost: 5,
            takerFee: 0.001,
            makerFee: 0.001,
            active: true,
          },
        ]),
      ),
    ),
});

describe('tradedMarkets', () => {
  it('returns the rules of the traded symbols in the order given', async () => {
    const markets = await tradedMarkets(listing(['ETH-USDT', 'BTC-USDT', 'SOL-USDT']), [
      'BTC-USDT',
      'ETH-USDT',
    ]);
    expect([...markets.keys()]).toEqual(['BTC-USDT', 'ETH-USDT']);
    expect(markets.get('ETH-USDT')?.symbol).toBe('ETH-USDT');
  });

  it('names SYMBOLS and every unlisted symbol', async () => {
    const failure = tradedMarkets(listing(['BTC-USDT']), ['BTC-USDT', 'XYZ-USDT', 'ABC-USDT']);
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(failure).rejects.toThrow(/SYMBOLS[\s\S]*XYZ-USDT, ABC-USDT are not a spot market/);
  });
});
