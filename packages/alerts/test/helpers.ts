/**
 * Test helpers: a recording redacting logger, a clock whose waits are recorded and shortened,
 * a scriptable in-memory channel, and sample alerts.
 */
import { Writable } from 'node:stream';
import { systemClock } from '@lumenlink/core';
import type { AlertEvent, Clock, Logger } from '@lumenlink/core';
import { createLogger } from '@lumenlink/core/logging';
import type { AlertChannel } from '../src/index.js';

/** A real redacting logger whose JSON lines are kept in `lines`. */
export function recordingLogger(secrets: readonly string[]): {
  logger: Logger;
  lines: string[];
} {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', stream, secrets }), lines };
}

/** The wall clock, except that `sleep` records the asked wait and waits `actualMs` instead. */
export function fastClock(actualMs = 1): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => systemClock.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return systemClock.sleep(Math.min(ms, actualMs), signal);
    },
    setTimeout: (callback, ms) => systemClock.setTimeout(callback, ms),
    clearTimeout: (handle) => systemClock.clearTimeout(handle),
  };
}

/** An in-memory channel; `failures` are thrown by the next sends, in order. */
export function memoryChannel(name = 'memory'): AlertChannel & {
  sent: AlertEvent[];
  failures: Error[];
  attempts: number;
} {
  const channel = {
    name,
    sent: [] as AlertEvent[],
    failures: [] as Error[],
    attempts: 0,
    send(event: AlertEvent): Promise<void> {
      channel.attempts++;
      const failure = channel.failures.shift();
      if (failure !== undefined) return Promise.reject(failure);
      channel.sent.push(event);
      return Promise.resolve();
    },
  };
  return channel;
}

/** A bot token shaped like Telegram's, so the pattern redaction would also catch it. */
export const botToken = '1234567890:AAHsecretTokenPartABCDEFGHIJKLMNOPQRS';

/** One sample alert of every type. */
export const sampleEvents = {
  opened: {
    type: 'trade_opened',
    symbol: 'BTC-USD',
    side: 'buy',
    quantity: 0.015,
    price: 64_250.5,
    reason: 'EMA cross <up> & RSI 55',
    at: 1_700_000_000_000,
  },
  closed: {
    type: 'trade_closed',
    symbol: 'BTC-USD',
    quantity: 0.015,
    entryPrice: 64_250.5,
    exitPrice: 63_000,
    pnl: -18.76,
    pnlPct: -1.95,
    reason: 'stop hit',
    at: 1_700_003_600_000,
  },
  resized: {
    type: 'trade_resized',
    symbol: 'BTC-USD',
    side: 'sell',
    quantity: 0.005,
    price: 66_000,
    held: 0.01,
    pnl: 8.62,
    reason: 'take half off at RSI 75',
    at: 1_700_001_800_000,
  },
  stop: { type: 'stop_moved', symbol: 'ETH-USD', from: 3_000, to: 3_050.25, at: 1_700_000_000_000 },
  blocked: {
    type: 'risk_blocked',
    symbol: 'SOL-USD',
    side: 'buy',
    check: {
      name: 'daily_loss',
      outcome: 'fail',
      value: -260,
      limit: -250,
      reason: 'daily loss 260 > 250',
    },
    at: 1_700_000_000_000,
  },
  state: {
    type: 'trading_state_changed',
    from: 'active',
    to: 'halted',
    reason: 'kill switch',
    changedBy: 'telegram:1',
    at: 1_700_000_000_000,
  },
  error: { type: 'error', code: 'EXCHANGE_DOWN', message: 'timeout', at: 1_700_000_000_000 },
  daily: {
    type: 'daily_summary',
    day: '2023-11-14',
    pnl: 42.5,
    equity: 10_042.5,
    trades: 3,
    at: 1_700_000_000_000,
  },
} as const satisfies Record<string, AlertEvent>;
