import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@lumenlink/core';
import { mergeEnv, readEnvFile } from './env-file.js';

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
