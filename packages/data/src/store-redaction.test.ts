/**
 * Nothing secret reaches the database file: every free text the store writes passes the
 * redactor first. Checked on a real SQLite file, by reading its raw bytes (and its WAL).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedactor } from '@lumenlink/core';
import { afterEach, describe, expect, it } from 'vitest';
import { aDecision, anOrder, allowedVerdict, t0 } from './__fixtures__/domain.js';
import { openStore } from './open-store.js';
import { unredactableText } from './store-redaction.js';

const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-redaction-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}

/** Secrets as an operator's config holds them, with characters that encode differently. */
const secrets = {
  apiKey: 'sntlApiKeyQ7x2Lm9Vb4Nc8Zr1Tw6Ys3',
  secret: 'sntlSecretHk4+Pq/Wd8=Ej2Rm5Uz0Xa',
  password: 'sntlPass phrase&Bv7Gy3Kq9Jt1',
  telegram: '7004242:AAsntlTelegramTokenFh6Dw2Ln8Ps4Qv',
};

/** The forms a secret can be found in: raw, URL, form, JSON, base64, and its cut forms. */
function needles(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ v: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret).toString('base64'),
    // Any 8+ character prefix or suffix contains these two.
    secret.slice(0, 8),
    secret.slice(-8),
  ];
}

/** Every secret form found in the database file and its WAL and shared-memory files. */
function leaksIn(file: string): string[] {
  const found: string[] = [];
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    const bytes = readFileSync(path).toString('latin1');
    for (const secret of Object.values(secrets)) {
      for (const needle of needles(secret)) {
        if (bytes.includes(needle)) found.push(`${path}: ${needle}`);
      }
    }
  }
  return found;
}

/** An exchange refusal that echoes the request, as a proxy error page or a careless API does. */
const echo = [
  `binance {"code":-2010,"msg":"refused; headers X-MBX-APIKEY ${secrets.apiKey}`,
  `query symbol=BTCUSDT&signature=0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0`,
  `secret ${secrets.secret} passphrase ${secrets.password} token ${secrets.telegram}`,
  // Cut short elsewhere before it reached us: only a prefix of the key is left.
  `cut ${secrets.apiKey.slice(0, 13)}..."}`,
].join('; ');

describe('openStore({ redact })', () => {
  it('writes no secret to the file: order reasons, decision notes, signals, verdicts, trading state', async () => {
    const file = tempFile();
    const store = await openStore({ path: file, redact: createRedactor(Object.values(secrets)) });
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llR1', reason: `intent; ${echo}` }));
    await store.orders.updateOrder('llR1', {
      status: 'rejected',
      reason: `insufficient_funds: ${echo}`,
      updatedAt: t0 + 1,
    });
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llR2', reason: null }));
    await store.orders.updateOrder('llR2', { status: 'unknown', reason: echo, updatedAt: t0 + 2 });
    await store.decisions.recordDecision(
      aDecision({
        signal: { action: 'buy', confidence: 0.5, reason: `signal ${echo}` },
        verdict: {
          ...allowedVerdict,
          checks: allowedVerdict.checks.map((check) => ({
            ...check,
            value: typeof check.value === 'string' ? `value ${echo}` : check.value,
            reason: `check ${echo}`,
          })),
          reason: `verdict ${echo}`,
        },
        outcome: 'error',
        note: `order failed: ${echo}`,
      }),
    );
    await store.runtime.setTradingState({
      state: 'halted',
      reason: `operator pasted ${echo}`,
      changedBy: `telegram:${secrets.telegram}`,
      changedAt: t0,
      until: null,
    });

    // While open, the rows are in the WAL; after close, in the file.
    expect(existsSync(`${file}-wal`)).toBe(true);
    expect(leaksIn(file)).toEqual([]);
    const rejected = await store.orders.getOrder('llR1');
    expect(rejected?.reason).toMatch(/^insufficient_funds: binance .*X-MBX-APIKEY \[REDACTED\]/);
    expect(rejected?.reason).toContain('signature=[REDACTED]');
    expect(rejected?.reason).toContain('cut [REDACTED]...');
    const [decision] = await store.decisions.recentDecisions('BTC-USD', 1);
    expect(decision?.note).toContain('X-MBX-APIKEY [REDACTED]');
    expect(decision?.signal.action).toBe('buy');
    expect(decision?.verdict?.checks.map((check) => check.name)).toEqual(
      allowedVerdict.checks.map((check) => check.name),
    );
    expect((await store.runtime.getTradingState())?.reason).toContain('secret [REDACTED]');
    await store.close();
    expect(leaksIn(file)).toEqual([]);
    // Secrets were really written: without the redactor they are in the file.
    const plain = tempFile();
    const unredacted = await openStore({ path: plain, redact: (text) => text });
    await unredacted.orders.insertOrder(anOrder({ reason: echo }));
    await unredacted.close();
    expect(leaksIn(plain).length).toBeGreaterThan(0);
  });

  it('removes well-known secret shapes by default, without configured secrets', async () => {
    const file = tempFile();
    const store = await openStore({ path: file });
    await store.orders.insertOrder(
      anOrder({
        reason: `GET /api/v3/account?timestamp=1&signature=abcdef0123456789abcdef X-MBX-APIKEY: ${secrets.apiKey} {"apiKey":"${secrets.apiKey}"}`,
      }),
    );
    const order = await store.orders.getOrder('llTEST0001');
    expect(order?.reason).toBe(
      'GET /api/v3/account?timestamp=1&signature=[REDACTED] X-MBX-APIKEY: [REDACTED] {"apiKey":"[REDACTED]"}',
    );
    await store.close();
    expect(readFileSync(file).toString('latin1')).not.toContain(secrets.apiKey.slice(0, 8));
  });

  it('fails closed: a redactor that throws or returns no text withholds the text', async () => {
    const store = await openStore({
      path: ':memory:',
      redact: (text) => {
        if (text.includes('boom')) throw new Error('redactor failed');
        return text.includes('odd') ? (42 as unknown as string) : text;
      },
    });
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llA', reason: 'boom' }));
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llB', reason: 'odd' }));
    await store.orders.insertOrder(anOrder({ clientOrderId: 'llC', reason: 'fine' }));
    expect((await store.orders.getOrder('llA'))?.reason).toBe(unredactableText);
    expect((await store.orders.getOrder('llB'))?.reason).toBe(unredactableText);
    expect((await store.orders.getOrder('llC'))?.reason).toBe('fine');
    await store.close();
    await expect(
      openStore({ path: ':memory:', redact: 'no' as unknown as (text: string) => string }),
    ).rejects.toThrow(/redact must be a function/);
  });
});
