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

describe('TradingStateMachine: reasons are one storable line', () => {
  const hostile = [
    ['a line feed', 'maintenance\nFAKE: resumed by admin'],
    ['a carriage return', 'maintenance\rresumed'],
    ['a tab', 'maintenance\tnow'],
    ['an ANSI escape', 'maintenance \u001b[2J\u001b[31mcleared'],
    ['NUL', 'maintenance\u0000'],
    ['a C1 control', 'maintenance\u0085next'],
    ['a line separator', 'maintenance\u2028next'],
    ['a bidi override', 'maintenance \u202eesaeler'],
  ] as const;

  it.each(hostile)(
    'resume and reduce refuse a reason with %s, naming the field',
    async (_, reason) => {
      const trading = await open();
      await trading.halt('incident', 'http');
      await expect(trading.resume(reason, 'http')).rejects.toThrow(
        /^TradingStateMachine\.resume: reason holds a control character \(U\+[0-9A-F]{4}\) at position \d+; a reason is one line of text: remove it$/,
      );
      await expect(trading.reduce(reason, 'http')).rejects.toThrow(ValidationError);
      expect(trading.state).toBe('halted');
      expect((await store.runtime.getTradingState())?.reason).toBe('incident');
    },
  );

  it('names the character and its position', async () => {
    const trading = await open();
    await expect(trading.reduce('ab\ncd', 'http')).rejects.toThrow(
      'TradingStateMachine.reduce: reason holds a control character (U+000A) at position 3',
    );
    await expect(trading.resume('ok', 'http\u0007')).rejects.toThrow(
      'TradingStateMachine.resume: changedBy holds a control character (U+0007) at position 5',
    );
  });

  it('caps a reason at 200 characters with a clear error', async () => {
    const trading = await open();
    await expect(trading.reduce('x'.repeat(201), 'http')).rejects.toThrow(
      'TradingStateMachine.reduce: reason is 201 characters long; at most 200 are allowed: shorten it',
    );
    const record = await trading.reduce('y'.repeat(200), 'http');
    expect(record.reason).toHaveLength(200);
    // Characters, not UTF-16 units: 200 emoji are 200 characters.
    await trading.resume('🚀'.repeat(200), 'http');
    expect(trading.state).toBe('active');
  });

  it.each(hostile)(
    'a halt is never refused for %s: it is stored as one line',
    async (_, reason) => {
      const trading = await open();
      const record = await trading.halt(reason, 'telegram:42');
      expect(record.state).toBe('halted');
      expect(record.reason).not.toMatch(/[\p{Cc}\u2028\u2029\u202a-\u202e]/u);
      expect(record.reason.startsWith('maintenance')).toBe(true);
      expect((await store.runtime.getTradingState())?.reason).toBe(record.reason);
    },
  );

  it('a halt with an over-long reason or only control characters still halts, cut to 200', async () => {
    const trading = await open();
    const record = await trading.halt(`stop ${'z'.repeat(500)}`, 'http');
    expect([...record.reason]).toHaveLength(200);
    expect(record.reason.endsWith('…')).toBe(true);
    await trading.resume('ok', 'http');
    expect((await trading.halt('\u0007\u0007', 'http')).reason).toBe(
      'halt (its reason was control characters only)',
    );
  });

  it("stores a protection's reason one-line and cut, and the end of its pause too", async () => {
    const trading = await open();
    const change = await trading.protect({
      protection: 'daily_loss',
      reason: `daily loss\n${'9'.repeat(300)}`,
      until: noon + 60 * minute,
    });
    expect(change?.reason).not.toContain('\n');
    expect([...(change?.reason ?? '')]).toHaveLength(200);
    await clock.advance(61 * minute);
    const ended = await trading.check();
    expect(ended.state).toBe('active');
    expect([...ended.reason].length).toBeLessThanOrEqual(200);
  });

  it('shows a record stored before the check as one line, without rewriting it', async () => {
    const legacy: TradingStateRecord = {
      state: 'halted',
      reason: 'old\nrecord',
      changedBy: 'http',
      changedAt: noon - minute,
      until: null,
    };
    await store.runtime.setTradingState(legacy);
    const trading = await open();
    expect(trading.record.reason).toBe('old record');
    expect(trading.history).toEqual([]);
  });
});

describe('TradingStateMachine: checkNow', () => {
  it('answers synchronously when no pause ends and no change is in flight, else queues as check', async () => {
    const trading = await open();
    const quiet = trading.checkNow();
    expect(quiet).not.toBeInstanceOf(Promise);
    expect(quiet).toBe(trading.record);
    // A change in flight: the check waits for it, and sees its result.
    const reducing = trading.reduce('volatile market', 'http', noon + 30 * minute);
    const queued = trading.checkNow();
    expect(queued).toBeInstanceOf(Promise);
    expect((await queued).state).toBe('reducing');
    await reducing;
    expect(trading.checkNow()).toBe(trading.record);
    // The pause ends: a store write, so a promise, as check.
    await clock.advance(30 * minute);
    const ending = trading.checkNow();
    expect(ending).toBeInstanceOf(Promise);
    expect(await ending).toMatchObject({ state: 'active', changedBy: 'expiry' });
    expect(await store.runtime.getTradingState()).toMatchObject({ state: 'active' });
    expect(trading.checkNow()).not.toBeInstanceOf(Promise);
  });
});
