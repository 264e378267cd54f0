import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@lumenlink/core';
import { runDemo } from './demo.js';
import { mergeEnv, readEnvFile } from './env-file.js';

function run(envText: string | undefined, processEnv: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'lumenlink-demo-'));
  const envFile = join(dir, '.env');
  if (envText !== undefined) writeFileSync(envFile, envText);
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const code = runDemo({ envFile, processEnv, out });
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
  it('loads the seed example env, shows what was set and starts halted with the kill switch', () => {
    const { code, text } = run(
      'MODE=paper\nEXCHANGE=coinbase\nSYMBOLS=BTC-USD,ETH-USD\nINTERVAL=1h\nSTRATEGY=advanced_composite\nKILL_SWITCH=true\nALLOW_LIVE_TRADING=false\n',
    );
    expect(code).toBe(0);
    expect(text).toMatch(/KILL_SWITCH +true +<- set/);
    expect(text).toContain('kill switch   ON: the bot starts halted');
    expect(text).toContain('mode          paper');
  });

  it('reports every bad key at once and exits 1', () => {
    const { code, text } = run('MODE=papr\nHTTP_PORT=abc\nRISK_MAX_POSITON_USD=50\n');
    expect(code).toBe(1);
    expect(text).toContain('Invalid configuration (3 problems)');
    for (const key of ['MODE', 'HTTP_PORT', 'RISK_MAX_POSITON_USD'])
      expect(text).toContain(`- ${key}:`);
    expect(text).toContain('did you mean RISK_MAX_POSITION_USD?');
  });

  it('never prints a secret, in the table or the log line', () => {
    const secret = 'sk-demo-9f8e7d6c5b4a';
    const { code, text } = run(undefined, {
      EXCHANGE_API_KEY: secret,
      HTTP_TOKEN: `${secret}-http-token`,
    });
    expect(code).toBe(0);
    expect(text).not.toContain(secret);
    expect(text).toMatch(/EXCHANGE_API_KEY +\[REDACTED\] +<- set/);
    expect(text).toContain('"apiKey":"[REDACTED]"');
  });

  it('explains a live dry run and missing live keys', () => {
    const { code, text } = run('MODE=live\n');
    expect(code).toBe(0);
    expect(text).toContain('live dry run');
    expect(text).toMatch(/readiness +NOT READY: EXCHANGE_API_KEY/);
  });
});
