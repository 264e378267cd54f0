import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageError, ValidationError, type TradingStateRecord } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import { openStore, type LumenLinkStore } from '@lumenlink/data';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { minute, noon } from './__fixtures__/risk-state.js';
import { KillSwitchError, TradingStateMachine } from './trading-state-machine.js';

let store: LumenLinkStore;
let clock: ManualClock;

beforeEach(async () => {
  clock = new ManualClock(noon);
  store = await openStore({ path: ':memory:', clock });
});

afterEach(async () => {
  await store.close().catch(() => undefined);
});

const open = (killSwitch = false) =>
  TradingStateMachine.open({ store: store.runtime, clock, killSwitch });

describe('TradingStateMachine: start', () => {
  it('starts active on the first start with KILL_SWITCH=false, and stores it', async () => {
    const trading = await open();
    expect(trading.state).toBe('active');
    expect(await store.runtime.getTradingState()).toEqual(trading.record);
    expect(trading.history).toEqual([{ ...trading.record, from: null }]);
  });

  it('restores the stored state with KILL_SWITCH=false', async () => {
    const halted: TradingStateRecord = {
      state: 'halted',
      reason: 'exchange maintenance',
      changedBy: 'telegram:42',
      changedAt: noon - 60 * minute,
      until: null,
    };
    await store.runtime.setTradingState(halted);
    const trading = await open();
    expect(trading.record).toEqual(halted);
    expect(trading.history).toEqual([]);
  });

  it('forces halted with KILL_SWITCH=true, over a stored active', async () => {
    await (await open()).reduce('manual', 'http', noon + 60 * minute);
    const trading = await open(true);
    expect(trading.record).toEqual({
      state: 'halted',
      reason: 'KILL_SWITCH=true in config: no orders at all, exits included',
      changedBy: 'config',
      changedAt: noon,
      until: null,
    });
    expect(trading.history).toEqual([{ ...trading.record, from: 'reducing' }]);
    expect(await store.runtime.getTradingState()).toEqual(trading.record);
    // A restart with the kill switch still on keeps the same record: nothing new is written.
    await clock.advance(minute);
    const again = await open(true);
    expect(again.record.changedAt).toBe(noon);
    expect(again.history).toEqual([]);
  });

  it('cannot be lifted while KILL_SWITCH=true: resume and reduce throw KillSwitchError', async () => {
    const trading = await open(true);
    await expect(trading.resume('please', 'telegram:42')).rejects.toThrow(KillSwitchError);
    await expect(trading.reduce('please', 'http')).rejects.toThrow(
      'Cannot reduce: KILL_SWITCH=true in config keeps trading halted. Set KILL_SWITCH=false and restart to lift it.',
    );
    const error = await trading.resume('please', 'http').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'KILL_SWITCH_ENGAGED', isRetryable: false });
    expect(
      await trading.protect({ protection: 'daily_loss', reason: 'x', until: noon + 1 }),
    ).toBeNull();
    expect(trading.state).toBe('halted');
    expect((await store.runtime.getTradingState())?.changedBy).toBe('config');
  });

  it('with KILL_SWITCH back to false, a config halt is restored (lifted only by a resume)', async () => {
    await open(true);
    const trading = await open(false);
    expect(trading.state).toBe('halted');
    await trading.resume('kill switch off in config', 'http');
    expect(trading.state).toBe('active');
  });
});

describe('TradingStateMachine: changes', () => {
  it('audits each change: who, why, when, and from which state', async () => {
    const trading = await open();
    await clock.advance(minute);
    const reducing = await trading.reduce('volatile market', 'telegram:42', noon + 90 * minute);
    expect(reducing).toEqual({
      state: 'reducing',
      reason: 'volatile market',
      changedBy: 'telegram:42',
      changedAt: noon + minute,
      until: noon + 90 * minute,
    });
    await clock.advance(minute);
    await trading.halt('exchange incident', 'http');
    await clock.advance(minute);
    await trading.resume('incident over', 'http');
    expect(
      trading.history.map(({ from, state, changedBy, changedAt }) => [
        from,
        state,
        changedBy,
        changedAt,
      ]),
    ).toEqual([
      [null, 'active', 'config', noon],
      ['active', 'reducing', 'telegram:42', noon + minute],
      ['reducing', 'halted', 'http', noon + 2 * minute],
      ['halted', 'active', 'http', noon + 3 * minute],
    ]);
    expect(await store.runtime.getTradingState()).toEqual(trading.record);
  });

  it('changes nothing for a change to the same state', async () => {
    const trading = await open();
    await trading.resume('again', 'http');
    await trading.halt('stop', 'http');
    await trading.halt('stop again', 'telegram:1');
    expect(trading.record.reason).toBe('stop');
    expect(trading.history).toHaveLength(2);
  });

  it('returns to active on the next check once a reducing pause ends', async () => {
    const trading = await open();
    await trading.reduce('pause', 'protection:max_drawdown', noon + 60 * minute);
    await clock.advance(59 * minute);
    expect((await trading.check()).state).toBe('reducing');
    await clock.advance(minute);
    const active = await trading.check();
    expect(active).toMatchObject({
      state: 'active',
      changedBy: 'expiry',
      changedAt: noon + 60 * minute,
    });
    expect(active.reason).toMatch(/^pause ended at 2024-01-01T13:00:00\.000Z \(pause\)$/);
    // An open-ended reducing stays until someone resumes.
    await trading.reduce('operator', 'http');
    await clock.advance(10_000 * minute);
    expect((await trading.check()).state).toBe('reducing');
  });

  it('checks its arguments', async () => {
    const trading = await open();
    await expect(trading.halt('', 'http')).rejects.toThrow(ValidationError);
    await expect(trading.resume('ok', ' ')).rejects.toThrow(/changedBy must be a non-empty string/);
    await expect(trading.reduce('past', 'http', noon)).rejects.toThrow(
      /must be an epoch ms time in the future/,
    );
  });

  it('lets a protection only tighten: a halt stays, a longer pause stays, a shorter one grows', async () => {
    const trading = await open();
    const until = noon + 60 * minute;
    const first = await trading.protect({
      protection: 'stoploss_guard',
      reason: 'three stops',
      until,
    });
    expect(first).toMatchObject({
      state: 'reducing',
      changedBy: 'protection:stoploss_guard',
      until,
    });
    expect(
      await trading.protect({ protection: 'daily_loss', reason: 'x', until: until - 1 }),
    ).toBeNull();
    const longer = await trading.protect({
      protection: 'daily_loss',
      reason: 'loss',
      until: until + 1,
    });
    expect(longer?.until).toBe(until + 1);
    await trading.reduce('operator', 'http');
    expect(
      await trading.protect({ protection: 'daily_loss', reason: 'x', until: until + 9 }),
    ).toBeNull();
    await trading.halt('stop', 'http');
    expect(
      await trading.protect({ protection: 'daily_loss', reason: 'x', until: until + 9 }),
    ).toBeNull();
    expect(trading.state).toBe('halted');
  });

  it('runs concurrent changes one at a time, in call order', async () => {
    const trading = await open();
    const [halted, resumed] = await Promise.all([
      trading.halt('stop', 'http'),
      trading.resume('go', 'telegram:1'),
    ]);
    expect([halted.state, resumed.state, trading.state]).toEqual(['halted', 'active', 'active']);
    expect(await store.runtime.getTradingState()).toEqual(trading.record);
  });

  it('halts in memory even when storing fails; other changes then fail without effect', async () => {
    const trading = await open();
    await store.close();
    await expect(trading.halt('disk gone', 'http')).rejects.toThrow(StorageError);
    expect(trading.state).toBe('halted');
    await expect(trading.resume('retry', 'http')).rejects.toThrow(StorageError);
    expect(trading.state).toBe('halted');
  });
});

describe('TradingStateMachine: restart on a file', () => {
  it('restores a pause across a restart, and ends it by the clock afterwards', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-risk-'));
    try {
      const path = join(dir, 'state.db');
      const first = await openStore({ path, clock });
      const before = await TradingStateMachine.open({
        store: first.runtime,
        clock,
        killSwitch: false,
      });
      await before.protect({
        protection: 'daily_loss',
        reason: 'daily loss',
        until: noon + 60 * minute,
      });
      await first.close();

      await clock.advance(30 * minute);
      const second = await openStore({ path, clock });
      const after = await TradingStateMachine.open({
        store: second.runtime,
        clock,
        killSwitch: false,
      });
      expect(after.record).toMatchObject({ state: 'reducing', changedBy: 'protection:daily_loss' });
      await clock.advance(30 * minute);
      expect((await after.check()).state).toBe('active');
      await second.close();

      const third = await openStore({ path, clock });
      expect((await third.runtime.getTradingState())?.changedBy).toBe('expiry');
      const halted = await TradingStateMachine.open({
        store: third.runtime,
        clock,
        killSwitch: true,
      });
      expect(halted.state).toBe('halted');
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
