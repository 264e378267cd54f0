import { createRedactor, type AlertEvent } from '@lumenlink/core';
import { describe, expect, it } from 'vitest';
import type { AlertChannel } from './alert-channel.js';
import { redactingChannel } from './redacting-channel.js';

const secret = 'sk-live-0123456789abcdef0123';

describe('redactingChannel', () => {
  it('sends every text without the secret and leaves numbers alone', async () => {
    const sent: AlertEvent[] = [];
    const channel: AlertChannel = {
      name: 'capture',
      send: (event) => {
        sent.push(event);
        return Promise.resolve();
      },
    };
    const wrapped = redactingChannel(createRedactor([secret]), channel);
    const event: AlertEvent = {
      type: 'error',
      code: 'LOOP_FAILED_STRATEGY',
      message: `exchange said: bad key ${secret}`,
      at: 1_700_000_000_000,
    };
    await wrapped.send(event);
    await wrapped.send(event);
    expect(wrapped.name).toBe('capture');
    expect(JSON.stringify(sent)).not.toContain(secret);
    expect(sent[0]?.at).toBe(1_700_000_000_000);
    expect(JSON.stringify(sent[0])).toContain('exchange said: bad key [REDACTED]');
    // A retry of the same event hands the channel the same redacted object.
    expect(sent[1]).toBe(sent[0]);
  });
});
