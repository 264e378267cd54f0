import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.js';
import { fromCcxtSymbol, parseSymbol, symbolParts, toCcxtSymbol } from './symbol.js';

describe('symbols', () => {
  it('accepts our form and ccxt form, in any case', () => {
    expect(parseSymbol('BTC-USD')).toBe('BTC-USD');
    expect(parseSymbol('eth/usdt')).toBe('ETH-USDT');
    expect(parseSymbol(' sol-usdc ')).toBe('SOL-USDC');
  });

  it.each(['BTC', 'BTC-', '-USD', 'BTC/USDT:USDT', 'BTC-USD-X', 'BT C-USD', ''])(
    'rejects %j',
    (text) => {
      expect(() => parseSymbol(text)).toThrow(ValidationError);
      expect(() => parseSymbol(text)).toThrow(/BASE-QUOTE such as BTC-USD/);
    },
  );

  it('converts to and from ccxt symbols', () => {
    expect(toCcxtSymbol('BTC-USD')).toBe('BTC/USD');
    expect(fromCcxtSymbol('ETH/USDT')).toBe('ETH-USDT');
    expect(symbolParts('SOL-USDT')).toEqual({ base: 'SOL', quote: 'USDT' });
  });
});
