import { describe, expect, it } from 'vitest';
import type { Candle } from './candle.js';
import type { Fill } from './fill.js';
import { ManualClock } from './manual-clock.js';
import { fillsOnCandles, type Broker } from './ports.js';
import type { SymbolId } from './symbol.js';
import { RecordingBroker } from './testing/recording-broker.js';

describe('fillsOnCandles', () => {
  const venue = (): Broker =>
    new RecordingBroker({ clock: new ManualClock(0), feeBps: 0, balances: { USD: 1 } });

  it('is false for a broker without the simulated-venue capability', () => {
    expect(fillsOnCandles(venue())).toBe(false);
  });

  it('is true for any broker that fills on candles, whatever its class', () => {
    const seen: SymbolId[] = [];
    const base = venue();
    const simulated: Broker = {
      name: 'paper',
      createOrder: (request) => base.createOrder(request),
      cancelOrder: (symbol, id) => base.cancelOrder(symbol, id),
      fetchOrder: (symbol, id) => base.fetchOrder(symbol, id),
      fetchOrderByClientId: (symbol, id) => base.fetchOrderByClientId(symbol, id),
      fetchOpenOrders: (symbol) => base.fetchOpenOrders(symbol),
      fetchClosedOrders: (symbol, since) => base.fetchClosedOrders(symbol, since),
      fetchFills: (symbol, since) => base.fetchFills(symbol, since),
      fetchBalance: () => base.fetchBalance(),
      processCandle: (symbol: SymbolId, _candle: Candle): Fill[] => {
        seen.push(symbol);
        return [];
      },
    };
    expect(fillsOnCandles(simulated)).toBe(true);
    if (fillsOnCandles(simulated)) {
      simulated.processCandle('BTC-USD', {
        time: 0,
        open: 1,
        high: 1,
        low: 1,
        close: 1,
        volume: 0,
      });
    }
    expect(seen).toEqual(['BTC-USD']);
  });
});
