import { DataIntegrityError, ValidationError, hold, type Signal } from '@lumenlink/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aDecision, hour, t0 } from './__fixtures__/domain.js';
import { openStore, type LumenLinkStore } from './open-store.js';

let store: LumenLinkStore;

beforeEach(async () => {
  store = await openStore({ path: ':memory:' });
});

afterEach(async () => {
  await store.close();
});

describe('decisions', () => {
  it('round-trips a decision with its signal and every risk check', async () => {
    const decision = aDecision();
    await store.decisions.recordDecision(decision);
    expect(await store.decisions.recentDecisions('BTC-USD', 10)).toEqual([decision]);
    const row = await store.db.selectFrom('decisions').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ action: 'buy', outcome: 'submitted' });
    expect(JSON.parse(row.verdict ?? 'null')).toEqual(decision.verdict);
  });

  it('round-trips a decision without a verdict', async () => {
    const decision = aDecision({
      signal: hold('RSI 52 is between the bands'),
      verdict: null,
      outcome: 'hold',
      clientOrderId: null,
      note: '',
    });
    await store.decisions.recordDecision(decision);
    expect(await store.decisions.recentDecisions('BTC-USD', 1)).toEqual([decision]);
  });

  it('returns the newest decisions first, per symbol, up to the limit', async () => {
    for (let index = 0; index < 5; index++) {
      await store.decisions.recordDecision(
        aDecision({ candleTime: t0 + index * hour, decidedAt: t0 + (index + 1) * hour }),
      );
    }
    await store.decisions.recordDecision(aDecision({ symbol: 'ETH-USD' }));
    // Two decisions at the same time come back newest recorded first.
    await store.decisions.recordDecision(
      aDecision({ candleTime: t0 + 4 * hour, decidedAt: t0 + 5 * hour, note: 'second' }),
    );
    const recent = await store.decisions.recentDecisions('BTC-USD', 3);
    expect(recent.map((decision) => [decision.decidedAt, decision.note])).toEqual([
      [t0 + 5 * hour, 'second'],
      [t0 + 5 * hour, 'order submitted'],
      [t0 + 4 * hour, 'order submitted'],
    ]);
    expect(await store.decisions.recentDecisions('ETH-USD', 10)).toHaveLength(1);
    expect(await store.decisions.recentDecisions('BTC-USD', 0)).toEqual([]);
  });

  it('lists the decisions of some symbols in the order recorded, not by decision time', async () => {
    await store.decisions.recordDecision(
      aDecision({ candleTime: t0 + hour, decidedAt: t0 + 3 * hour }),
    );
    await store.decisions.recordDecision(aDecision({ symbol: 'SOL-USD', note: 'other symbol' }));
    await store.decisions.recordDecision(
      aDecision({
        symbol: 'ETH-USD',
        candleTime: t0,
        decidedAt: t0 + hour,
        signal: hold('flat'),
        verdict: null,
        outcome: 'hold',
        clientOrderId: null,
        note: '',
      }),
    );
    expect(await store.decisionLog.listDecisions(['BTC-USD', 'ETH-USD'])).toEqual([
      {
        symbol: 'BTC-USD',
        candleTime: t0 + hour,
        action: 'buy',
        outcome: 'submitted',
        clientOrderId: 'llTEST0001',
        note: 'order submitted',
      },
      {
        symbol: 'ETH-USD',
        candleTime: t0,
        action: 'hold',
        outcome: 'hold',
        clientOrderId: null,
        note: '',
      },
    ]);
    expect(await store.decisionLog.listDecisions([])).toEqual([]);
  });

  it('rejects a decision whose signal or verdict breaks its type', async () => {
    const badSignal = { action: 'buy', confidence: 2, reason: 'x' } as Signal;
    await expect(store.decisions.recordDecision(aDecision({ signal: badSignal }))).rejects.toThrow(
      ValidationError,
    );
    await expect(
      store.decisions.recordDecision(
        aDecision({
          verdict: { allowed: true, quantity: 1, side: 'buy', checks: [{}], reason: '' } as never,
        }),
      ),
    ).rejects.toThrow(/verdict.checks\[0\].name/);
    expect(await store.decisions.recentDecisions('BTC-USD', 10)).toEqual([]);
  });

  it('reports a stored decision that no longer parses as a data integrity error', async () => {
    await store.db
      .insertInto('decisions')
      .values({
        symbol: 'BTC-USD',
        strategy: 's',
        candle_time: t0,
        decided_at: t0,
        action: 'buy',
        outcome: 'submitted',
        signal: '{"action":"buy"',
        verdict: null,
        client_order_id: null,
        note: '',
      })
      .execute();
    await expect(store.decisions.recentDecisions('BTC-USD', 1)).rejects.toThrow(DataIntegrityError);
    await expect(store.decisions.recentDecisions('BTC-USD', 1)).rejects.toThrow(
      /signal is not valid JSON/,
    );
  });
});
