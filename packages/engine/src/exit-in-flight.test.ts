import {
  ManualClock,
  OrderOutcomeUnknownError,
  hold,
  type Broker,
  type BrokerOrder,
  type OrderRequest,
} from '@lumenlink/core';
import { Portfolio, TrailingStopManager } from '@lumenlink/execution';
import { RiskEngine, TradingStateMachine } from '@lumenlink/risk';
import { describe, expect, it } from 'vitest';
import { memoryStores } from './memory-stores.js';
import { TradeCycle } from './trade-cycle.js';

/** An exchange that answers no order placement (outcome unknown) and never finds one. */
function silentExchange(sent: OrderRequest[]): Broker {
  const none = (): Promise<never[]> => Promise.resolve([]);
  const unused = (): Promise<BrokerOrder> => Promise.reject(new Error('not used'));
  return {
    name: 'silent',
    createOrder: (request) => {
      sent.push(request);
      return Promise.reject(new OrderOutcomeUnknownError(request.clientOrderId, 'timed out'));
    },
    cancelOrder: unused,
    fetchOrder: unused,
    fetchOrderByClientId: () => Promise.resolve<BrokerOrder | null>(null),
    fetchOpenOrders: none,
    fetchClosedOrders: none,
    fetchFills: none,
    fetchBalance: () => Promise.resolve({}),
  };
}

describe('TradeCycle exits between candles', () => {
  it('never sends a second exit while the first one has an unknown outcome', async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const stores = memoryStores();
    const portfolio = new Portfolio({ clock, startingCash: 10_000 });
    portfolio.applyFill(
      {
        tradeId: 't1',
        clientOrderId: 'llentry',
        exchangeOrderId: '1',
        symbol: 'BTC-USDT',
        side: 'buy',
        quantity: 0.01,
        price: 50_000,
        fee: 0.5,
        feeCurrency: 'USDT',
        time: clock.now(),
      },
      { role: 'entry' },
    );
    const trailingStops = new TrailingStopManager({ clock });
    await trailingStops.open('BTC-USDT', 50_000, 500, 2); // stop at 49,000
    const sent: OrderRequest[] = [];
    const cycle = new TradeCycle({
      clock,
      settings: {
        mode: 'live',
        allowLiveTrading: true,
        intervalMs: 3_600_000,
        atrPeriod: 14,
        trailingStopAtrMultiple: 2,
        cooldownMs: 0,
      },
      strategies: new Map([
        ['BTC-USDT', { key: 'idle', params: {}, warmup: 0, onCandle: () => hold('idle') }],
      ]),
      risk: new RiskEngine(),
      tradingState: await TradingStateMachine.open({
        store: stores.runtime,
        clock,
        killSwitch: false,
      }),
      broker: silentExchange(sent),
      orders: stores.orders,
      decisions: stores.decisions,
      portfolio,
      trailingStops,
    });

    await cycle.onTick('BTC-USDT', 48_900);
    expect(sent).toHaveLength(1);
    expect((await stores.orders.listNonFinalOrders()).map((order) => order.status)).toEqual([
      'unknown',
    ]);
    // Later ticks below the stop: the first exit may have sold, so nothing is sent again.
    await clock.advance(5_000);
    await cycle.onTick('BTC-USDT', 48_800);
    await clock.advance(5_000);
    await cycle.onTick('BTC-USDT', 48_700);
    expect(sent).toHaveLength(1);
  });
});
