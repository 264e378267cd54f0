import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@lumenlink/core';
import { runDemo } from './demo.js';
import { mergeEnv, readEnvFile } from './env-file.js';

async function run(envText: string | undefined, processEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-demo-'));
  processEnv = { DB_PATH: join(dir, 'demo.db'), ...processEnv };
  const envFile = join(dir, '.env');
  if (envText !== undefined) writeFileSync(envFile, envText);
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = await runDemo({ envFile, processEnv, out });
  return { code, text };
}

describe('env file', () => {
  it('reads KEY=value lines with comments and quotes, and a missing file as empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-env-'));
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nMODE=paper\nSYMBOLS="BTC-USD,ETH-USD"\n');
    expect(readEnvFile(file)).toEqual({
      found: true,
      values: { MODE: 'paper', SYMBOLS: 'BTC-USD,ETH-USD' },
    });
    expect(readEnvFile(join(dir, 'missing.env'))).toEqual({ found: false, values: {} });
  });

  it('loads the committed .env.example as a valid configuration', () => {
    const example = readEnvFile(new URL('../../../.env.example', import.meta.url).pathname);
    expect(example.found).toBe(true);
    expect(loadConfig(example.values)).toMatchObject({
      mode: 'paper',
      killSwitch: false,
      symbols: ['BTC-USD', 'ETH-USD'],
    });
  });

  it('lets the process environment win over the file', () => {
    expect(mergeEnv({ MODE: 'live', INTERVAL: '4h' }, { MODE: 'paper' })).toEqual({
      MODE: 'paper',
      INTERVAL: '4h',
    });
  });
});

describe('demo (configuration doctor)', () => {
  it('loads the seed example env, shows what was set and starts halted with the kill switch', async () => {
    const { code, text } = await run(
      'MODE=paper\nEXCHANGE=coinbase\nSYMBOLS=BTC-USD,ETH-USD\nINTERVAL=1h\nSTRATEGY=advanced_composite\nKILL_SWITCH=true\nALLOW_LIVE_TRADING=false\n',
    );
    expect(code).toBe(0);
    expect(text).toMatch(/KILL_SWITCH +true +<- set/);
    expect(text).toContain('kill switch   ON: the bot starts halted');
    expect(text).toContain('mode          paper');
  });

  it('reports every bad key at once and exits 1', async () => {
    const { code, text } = await run('MODE=papr\nHTTP_PORT=abc\nRISK_MAX_POSITON_USD=50\n');
    expect(code).toBe(1);
    expect(text).toContain('Invalid configuration (3 problems)');
    for (const key of ['MODE', 'HTTP_PORT', 'RISK_MAX_POSITON_USD'])
      expect(text).toContain(`- ${key}:`);
    expect(text).toContain('did you mean RISK_MAX_POSITION_USD?');
  });

  it('never prints a secret, in the table or the log line', async () => {
    const secret = 'sk-demo-9f8e7d6c5b4a';
    const { code, text } = await run(undefined, {
      EXCHANGE_API_KEY: secret,
      HTTP_TOKEN: `${secret}-http-token`,
    });
    expect(code).toBe(0);
    expect(text).not.toContain(secret);
    expect(text).toMatch(/EXCHANGE_API_KEY +\[REDACTED\] +<- set/);
    expect(text).toContain('"apiKey":"[REDACTED]"');
  });

  it('imports the bundled data into SQLite once and shows indicators and a risk verdict per symbol', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lumenlink-demo-db-'));
    const env = { DB_PATH: join(dir, 'nested', 'lumenlink.db') };
    const first = await run(undefined, env);
    expect(first.code).toBe(0);
    expect(first.text).toContain('Imported the bundled Binance 1h data');
    expect(first.text).toContain('BTC-USDT 5980');
    expect(first.text).toMatch(
      /BTC-USDT +2024-09-06T03:00Z +close 56588 +RSI\(14\) \d+\.\d +EMA 9\/21 (up|down)/,
    );
    expect(first.text).toMatch(/risk: allowed: buy [\d.]+ SOL/);
    const second = await run(undefined, env);
    expect(second.text).toContain('Bundled Binance 1h data already in');
  });

  it('shows risk blocking every order with the kill switch on', async () => {
    const { text } = await run('KILL_SWITCH=true\n');
    expect(text).toMatch(/risk: blocked: trading_state/);
  });

  it('explains a live dry run and missing live keys', async () => {
    const { code, text } = await run('MODE=live\n');
    expect(code).toBe(0);
    expect(text).toContain('live dry run');
    expect(text).toMatch(/readiness +NOT READY: EXCHANGE_API_KEY/);
  });
});
