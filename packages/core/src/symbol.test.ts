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

describe('symbols parsed once', () => {
  it('answers a text seen before from memory, the same as the first time, and still refuses bad ones', () => {
    for (let round = 0; round < 3; round++) {
      expect(parseSymbol(' btc/usdt ')).toBe('BTC-USDT');
      expect(() => parseSymbol('BTC-USD:USD')).toThrow(ValidationError);
    }
    const parts = symbolParts('ETH-USDT');
    expect(symbolParts('ETH-USDT')).toBe(parts);
    expect(Object.isFrozen(parts)).toBe(true);
    expect(() => symbolParts('nonsense' as never)).toThrow(ValidationError);
  });

  it('stays bounded: thousands of different texts are all parsed right', () => {
    for (let index = 0; index < 10_000; index++) {
      expect(parseSymbol(`c${index}-usd`)).toBe(`C${index}-USD`);
      expect(symbolParts(`C${index}-USD`).base).toBe(`C${index}`);
    }
    expect(parseSymbol('eth-btc')).toBe('ETH-BTC');
  });
});
