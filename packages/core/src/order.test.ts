import { describe, expect, it } from 'vitest';
import { OrderTransitionError } from './errors.js';
import {
  assertOrderTransition,
  assertOrderUpdate,
  canTransitionOrder,
  finalOrderStatuses,
  isFinalOrderStatus,
  orderStatuses,
  orderTransitions,
  resurrectionStatuses,
} from './order.js';
import type { OrderUpdate } from './ports.js';

describe('order state machine', () => {
  it('lets a final order never change again, but resurrects a failed one the exchange shows', () => {
    for (const status of finalOrderStatuses) {
      for (const to of orderStatuses) {
        const resurrection = status === 'failed' && resurrectionStatuses.has(to);
        expect(canTransitionOrder(status, to)).toBe(resurrection);
      }
    }
    expect([...resurrectionStatuses].sort()).toEqual(
      ['canceled', 'expired', 'filled', 'open', 'partially_filled'].sort(),
    );
    // A proven refusal stays one, and nothing goes back to pending or unknown.
    expect(canTransitionOrder('failed', 'rejected')).toBe(false);
    expect(canTransitionOrder('failed', 'unknown')).toBe(false);
  });

  it('never goes back to pending and only proves failure from pending or unknown', () => {
    for (const from of orderStatuses) {
      if (from !== 'pending') expect(canTransitionOrder(from, 'pending')).toBe(false);
      expect(canTransitionOrder(from, 'failed')).toBe(from === 'pending' || from === 'unknown');
    }
  });

  it('resolves unknown orders by lookup, never back to unknown from a known state', () => {
    expect(orderTransitions.unknown).toEqual(
      expect.arrayContaining([
        'open',
        'partially_filled',
        'filled',
        'canceled',
        'rejected',
        'expired',
        'failed',
      ]),
    );
    expect(canTransitionOrder('open', 'unknown')).toBe(false);
    expect(canTransitionOrder('pending', 'unknown')).toBe(true);
  });

  it('allows repeated updates of a live order (more fills)', () => {
    expect(canTransitionOrder('partially_filled', 'partially_filled')).toBe(true);
    expect(canTransitionOrder('open', 'open')).toBe(true);
    expect(canTransitionOrder('partially_filled', 'open')).toBe(false);
  });

  it('throws an error naming the order and the legal targets', () => {
    expect(() => assertOrderTransition('filled', 'canceled', 'llABC')).toThrow(
      OrderTransitionError,
    );
    expect(() => assertOrderTransition('filled', 'canceled', 'llABC')).toThrow(
      'llABC: illegal status change filled -> canceled; from filled only nothing (final) is allowed',
    );
    expect(() => assertOrderTransition('open', 'pending')).toThrow(
      /only partially_filled, filled, canceled/,
    );
    expect(() => assertOrderTransition('pending', 'open')).not.toThrow();
  });

  it('lets a final order take only its fee, never another change', () => {
    expect(() =>
      assertOrderUpdate('filled', { fee: 0.1, feeCurrency: 'USDT', updatedAt: 5 }),
    ).not.toThrow();
    expect(() =>
      assertOrderUpdate('filled', { fee: 0.1, filledQuantity: 2, updatedAt: 5 }, 'llABC'),
    ).toThrow(OrderTransitionError);
    expect(() => assertOrderUpdate('canceled', { updatedAt: 5 })).toThrow(OrderTransitionError);
    // A field given as undefined (from JavaScript) sets nothing: the update is still a fee alone.
    const loose = (update: Record<string, unknown>): OrderUpdate => update as OrderUpdate;
    expect(() =>
      assertOrderUpdate('filled', loose({ fee: 0.1, filledQuantity: undefined, updatedAt: 5 })),
    ).not.toThrow();
    expect(() =>
      assertOrderUpdate('filled', loose({ fee: undefined, feeCurrency: undefined, updatedAt: 5 })),
    ).toThrow(OrderTransitionError);
    expect(() =>
      assertOrderUpdate('filled', { feeCurrency: 'USDT', reason: 'late', updatedAt: 5 }),
    ).toThrow(OrderTransitionError);
    expect(() => assertOrderUpdate('filled', { status: 'open', fee: 0, updatedAt: 5 })).toThrow(
      /filled -> open/,
    );
    expect(() =>
      assertOrderUpdate('open', { status: 'filled', filledQuantity: 1, updatedAt: 5 }),
    ).not.toThrow();
  });

  it('defines exactly the final statuses of the order lifecycle', () => {
    expect(orderStatuses.filter(isFinalOrderStatus).sort()).toEqual(
      ['canceled', 'expired', 'failed', 'filled', 'rejected'].sort(),
    );
  });
});
