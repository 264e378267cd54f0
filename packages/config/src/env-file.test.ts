import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeEnv, parseEnvText, readEnvFile } from './env-file.js';
import { loadConfig } from './load-config.js';

function writeEnv(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lumenlink-env-')), '.env');
  writeFileSync(file, text);
  return file;
}

describe('env file', () => {
  it('reads KEY=value lines with comments and quotes, and a missing file as empty', () => {
    const file = writeEnv('# comment\nMODE=paper\nSYMBOLS="BTC-USD,ETH-USD"\n');
    expect(readEnvFile(file)).toEqual({
      found: true,
      values: { MODE: 'paper', SYMBOLS: 'BTC-USD,ETH-USD' },
      issues: [],
    });
    expect(readEnvFile(join(file, '..', 'missing.env'))).toEqual({
      found: false,
      values: {},
      issues: [],
    });
  });

  it('loads the committed .env.example as a valid configuration, every key known', () => {
    const example = readEnvFile(new URL('../../../.env.example', import.meta.url).pathname);
    expect(example.found).toBe(true);
    expect(example.issues).toEqual([]);
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

describe('env file saved by a Windows editor', () => {
  it('reads the key on line 1 after a UTF-8 byte order mark', () => {
    const file = writeEnv('\uFEFFKILL_SWITCH=true\nMODE=paper\n');
    const env = readEnvFile(file);
    expect(env.values).toEqual({ KILL_SWITCH: 'true', MODE: 'paper' });
    expect(env.issues).toEqual([]);
    expect(loadConfig(env.values).killSwitch).toBe(true);
  });

  it('reads CRLF and bare CR line ends like LF, values without a trailing CR', () => {
    const crlf = parseEnvText('\uFEFFKILL_SWITCH=true\r\nSTOP_LOSS_PCT=2\r\nSYMBOLS="BTC-USD"\r\n');
    expect(crlf).toEqual({
      values: { KILL_SWITCH: 'true', STOP_LOSS_PCT: '2', SYMBOLS: 'BTC-USD' },
      issues: [],
    });
    // Without the fix, a bare CR file was one line: KILL_SWITCH read "true\rMODE=live".
    expect(parseEnvText('KILL_SWITCH=true\rMODE=live\r').values).toEqual({
      KILL_SWITCH: 'true',
      MODE: 'live',
    });
  });
});

describe('env file keys', () => {
  it.each([
    ['KILL_SWTICH', 'KILL_SWITCH'],
    ['KILLSWITCH', 'KILL_SWITCH'],
    ['STOPLOSS_PCT', 'STOP_LOSS_PCT'],
    ['TAKEPROFIT_PCT', 'TAKE_PROFIT_PCT'],
    ['kill_switch', 'KILL_SWITCH'],
    ['RISK_MAX_POSITON_USD', 'RISK_MAX_POSITION_USD'],
  ])('refuses %s, suggesting %s', (typo, key) => {
    const { issues } = parseEnvText(`MODE=paper\n${typo}=true\n`);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.key).toBe(typo);
    expect(issues[0]?.problem).toBe(
      `is not a LumenLink key, so nothing would read it (did you mean ${key}?)`,
    );
  });

  it('refuses any other key, even one the process env may hold, without quoting its value', () => {
    const { issues } = parseEnvText(
      'NODE_ENV=production\nMY_SECRET=sentinel-value-123\nAWS_ACCESS_KEY_ID=AKID\n',
    );
    expect(issues.map((issue) => issue.key)).toEqual(['NODE_ENV', 'MY_SECRET']);
    expect(issues[0]?.problem).toBe('is not a LumenLink key, so nothing would read it');
    expect(issues[0]?.accepted).toContain('AWS_ACCESS_KEY_ID');
    expect(JSON.stringify(issues)).not.toContain('sentinel-value-123');
  });

  it('refuses a line that is not KEY=value, by its number, without quoting it', () => {
    const { issues } = parseEnvText(
      '# comment\n\n  \nMODE=paper\nKILL_SWITCH true\n=5\nEXCHANGE_API_SECRET: s3cret-value\n',
    );
    expect(issues).toEqual([
      {
        key: 'line 5',
        problem: 'has no "=", so it would be ignored',
        accepted: 'KEY=value, a # comment, or a blank line',
      },
      {
        key: 'line 6',
        problem: 'has no key before "=", so it would be ignored',
        accepted: 'KEY=value, a # comment, or a blank line',
      },
      {
        key: 'line 7',
        problem: 'has no "=", so it would be ignored',
        accepted: 'KEY=value, a # comment, or a blank line',
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain('s3cret-value');
  });

  it('refuses a quote that never closes, and still checks the lines after it', () => {
    const { values, issues } = parseEnvText("LOG_LEVEL=info\nDB_PATH='x.db\nKILL_SWITCH true\n");
    // parseEnv keeps the quote and reads on: the line after it must not be skipped unchecked.
    expect(values).toEqual({ LOG_LEVEL: 'info', DB_PATH: "'x.db" });
    expect(issues).toEqual([
      {
        key: 'DB_PATH',
        problem: "opens a ' quote on line 2 that never closes, so the value would keep the quote",
        accepted: "a closing ' at the end of the value, or no quote",
      },
      {
        key: 'line 3',
        problem: 'has no "=", so it would be ignored',
        accepted: 'KEY=value, a # comment, or a blank line',
      },
    ]);
  });

  it('accepts comments, blank lines, export prefixes and quoted values over several lines', () => {
    const { values, issues } = parseEnvText(
      [
        '# LumenLink',
        '',
        'export MODE=paper',
        'SYMBOLS="BTC-USD,',
        'ETH-USD"',
        "STRATEGY='ema_crossover' # inline comment",
        '   # indented comment',
      ].join('\n'),
    );
    expect(issues).toEqual([]);
    expect(values).toEqual({
      MODE: 'paper',
      SYMBOLS: 'BTC-USD,\nETH-USD',
      STRATEGY: 'ema_crossover',
    });
  });
});
