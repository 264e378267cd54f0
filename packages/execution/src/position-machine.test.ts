import { ValidationError, type PositionState } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import { PositionStateMachine } from './position-machine.js';

describe('PositionStateMachine', () => {
  it('walks a trade flat -> pending -> filled -> managing -> exited -> flat', () => {
    const machine = new PositionStateMachine();
    expect(machine.state('BTC-USD')).toBe('flat');
    const path: PositionState[] = ['pending', 'filled', 'managing', 'managing', 'exited', 'flat'];
    let from: PositionState = 'flat';
    for (const to of path) {
      expect(machine.transition('BTC-USD', to)).toEqual({ symbol: 'BTC-USD', from, to });
      from = to;
    }
    expect(machine.entries()).toEqual([]);
  });

  it('allows a canceled entry back to flat and a new entry after an exit', () => {
    const machine = new PositionStateMachine();
    machine.transition('BTC-USD', 'pending');
    machine.transition('BTC-USD', 'flat');
    machine.transition('BTC-USD', 'pending');
    machine.transition('BTC-USD', 'filled');
    machine.transition('BTC-USD', 'exited');
    expect(machine.can('BTC-USD', 'pending')).toBe(true);
    machine.transition('BTC-USD', 'pending');
    expect(machine.state('BTC-USD')).toBe('pending');
  });

  it('throws on an illegal change, naming the symbol and the legal targets, and keeps the state', () => {
    const machine = new PositionStateMachine([['ETH-USD', 'filled']]);
    expect(machine.can('ETH-USD', 'flat')).toBe(false);
    expect(() => machine.transition('ETH-USD', 'flat')).toThrow(ValidationError);
    expect(() => machine.transition('ETH-USD', 'flat')).toThrow(
      'ETH-USD: illegal position state change filled -> flat; from filled only managing, exited is allowed',
    );
    expect(() => machine.transition('BTC-USD', 'managing')).toThrow('flat -> managing');
    expect(() => machine.transition('ETH-USD', 'open' as PositionState)).toThrow(
      'open is not a position state',
    );
    expect(machine.state('ETH-USD')).toBe('filled');
    expect(machine.state('BTC-USD')).toBe('flat');
  });

  it('starts from stored positions', () => {
    const machine = PositionStateMachine.fromPositions([
      { symbol: 'SOL-USDT', state: 'managing' },
      { symbol: 'BTC-USDT', state: 'filled' },
    ]);
    expect(machine.entries()).toEqual([
      ['BTC-USDT', 'filled'],
      ['SOL-USDT', 'managing'],
    ]);
    expect(() => new PositionStateMachine([['BTC-USD', 'long' as PositionState]])).toThrow(
      ValidationError,
    );
  });
});
