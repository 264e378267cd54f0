/**
 * Bad configuration (issue #15, part 3; reliability.md §4 row 14). Every config key is given
 * hostile values, one at a time and all together: `loadConfig` either returns a config with
 * finite numbers only, or throws one `ConfigError` that names the bad keys; never another error
 * type. The bot's entry point turns a bad config into exit code 2 and a message naming the keys,
 * never a stack trace, before it touches the database or the exchange.
 *
 * These are enumerated cases (every key times a fixed set of values), not fast-check properties:
 * fast-check is not a dev dependency of @lumenlink/bot.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, silentLogger } from '@lumenlink/core';
import { configKeyList, loadConfig, type Config } from '@lumenlink/config';
import { runBot } from '../src/main.js';
import { replayEnv, tempDir } from './helpers.js';

// Some cases start the bot or go through ccxt's rate limiter, on a shared machine: allow more
// than vitest's 5 s default when the file runs on its own (the package's test script does too).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

/** Values a careless or hostile env file can hold. */
const hostileValues = [
  'NaN',
  'Infinity',
  '-Infinity',
  '-1',
  '0',
  '-0',
  'abc',
  '',
  ' ',
  '\n',
  '1e309',
  '1e-400',
  '0x10',
  '1_000',
  '9007199254740993',
  '1.5',
  ' 5 ',
  'null',
  'undefined',
  '[]',
  '{}',
  'true',
  '💥',
  '\u0000',
  'x'.repeat(10_000),
] as const;

/** Paths of the numbers in `value` that are not finite (NaN or an infinity). */
function nonFiniteNumbers(value: unknown, path = 'config'): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => nonFiniteNumbers(inner, `${path}.${key}`));
}

type Outcome =
  | { readonly kind: 'config'; readonly config: Config }
  | { readonly kind: 'config-error'; readonly error: ConfigError }
  | { readonly kind: 'other'; readonly error: unknown };

function load(env: Record<string, string>): Outcome {
  try {
    return { kind: 'config', config: loadConfig(env) };
  } catch (error) {
    return error instanceof ConfigError
      ? { kind: 'config-error', error }
      : { kind: 'other', error };
  }
}

/** Keys a value of one key can make another key's cross-field rule fail on. */
const crossFieldPartners: Readonly<Record<string, readonly string[]>> = {
  TELEGRAM_BOT_TOKEN: ['TELEGRAM_CHAT_IDS'],
  TELEGRAM_CHAT_IDS: ['TELEGRAM_BOT_TOKEN'],
};

describe('bad configuration values', () => {
  it('every key with every hostile value: a config of finite numbers, or a ConfigError naming the key', () => {
    const problems: string[] = [];
    let refused = 0;
    for (const { key, secret } of configKeyList) {
      for (const value of hostileValues) {
        const shown = `${key}=${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}...` : value)}`;
        const outcome = load({ [key]: value });
        switch (outcome.kind) {
          case 'other':
            problems.push(`${shown}: threw ${String(outcome.error)}, not a ConfigError`);
            break;
          case 'config':
            problems.push(...nonFiniteNumbers(outcome.config).map((path) => `${shown}: ${path}`));
            break;
          case 'config-error': {
            refused += 1;
            const named = outcome.error.issues.map((issue) => issue.key);
            const expected = [key, ...(crossFieldPartners[key] ?? [])];
            if (!named.some((name) => expected.includes(name))) {
              problems.push(`${shown}: the error names ${named.join(', ')}, not ${key}`);
            }
            if (outcome.error.message.includes('\n    at ')) {
              problems.push(`${shown}: the message carries a stack trace`);
            }
            // A secret's value is never quoted back.
            if (secret && value.trim().length > 3 && outcome.error.message.includes(value)) {
              problems.push(`${shown}: the secret value is quoted in the error`);
            }
            break;
          }
        }
      }
    }
    expect(problems).toEqual([]);
    // Most values are refused: the table really exercises validation.
    expect(refused).toBeGreaterThan(configKeyList.length * 10);
  });

  it('every numeric key refuses NaN, Infinity and words', () => {
    const numeric = configKeyList.filter(
      ({ key }) =>
        load({ [key]: '12' }).kind === 'config' && load({ [key]: 'abc' }).kind !== 'config',
    );
    expect(numeric.length).toBeGreaterThan(20);
    for (const { key } of numeric) {
      for (const value of ['NaN', 'Infinity', '-Infinity', '1e309', 'abc', '12abc', '0x10']) {
        const outcome = load({ [key]: value });
        expect(outcome.kind, `${key}=${value}`).toBe('config-error');
      }
    }
  });

  it('many bad keys at once: one ConfigError listing every one of them', () => {
    const env = {
      RISK_MAX_POSITION_USD: '-250',
      RISK_MAX_DAILY_LOSS_USD: 'NaN',
      RISK_MAX_OPEN_POSITIONS: 'abc',
      PAPER_FEE_BPS: 'Infinity',
      HTTP_PORT: '70000',
      EXCHANGE_API_URL: 'not a url',
      INTERVAL: '7x',
      SYMBOLS: 'BTC/USD;ETH',
      MODE: 'yolo',
      RISK_MAX_POSITON_USD: '50',
    };
    const outcome = load(env);
    expect(outcome.kind).toBe('config-error');
    const error = (outcome as { error: ConfigError }).error;
    const named = new Set(error.issues.map((issue) => issue.key));
    for (const key of Object.keys(env)) expect(named, key).toContain(key);
    expect(error.message).toMatch(/^Invalid configuration \(\d+ problems\):/);
    // The typo gets a suggestion.
    expect(error.message).toContain('RISK_MAX_POSITION_USD');
  });
});

/** A writable that keeps what is written to it. */
function captureStream(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function run(
  env: Record<string, string>,
  envFile = join(tempDir('lumenlink-noenv-'), '.env'),
): Promise<{ code: number; err: string }> {
  const { stream, text } = captureStream();
  const code = await runBot({
    argv: [],
    processEnv: env,
    envFile,
    err: stream,
    signal: new AbortController().signal,
    logger: silentLogger,
  });
  return { code, err: text() };
}

describe('the entry point with a bad configuration', () => {
  it('exits 2 naming every bad key, without a stack trace and before opening the database', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run(
      replayEnv(dbPath, {
        RISK_MAX_POSITION_USD: 'NaN',
        PAPER_STARTING_CASH: '-5',
        POLL_INTERVAL_MS: 'soon',
      }),
    );
    expect(code).toBe(2);
    for (const key of ['RISK_MAX_POSITION_USD', 'PAPER_STARTING_CASH', 'POLL_INTERVAL_MS']) {
      expect(err).toContain(key);
    }
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(dbPath)).toBe(false);
  });

  it('an unknown STRATEGY is a configuration error (exit 2) naming the key, found before the database is opened', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run(replayEnv(dbPath, { STRATEGY: 'no_such_strategy' }));
    expect(code).toBe(2);
    expect(err).toContain('STRATEGY: no_such_strategy: not a built-in strategy');
    expect(err).toContain('advanced_composite');
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(dbPath)).toBe(false);
  });

  it('INTERVAL=7m, a candle size the exchange does not serve: exit 2 naming INTERVAL, before the database', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run({
      MODE: 'paper',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: 'http://127.0.0.1:9',
      SYMBOLS: 'BTC-USDT',
      INTERVAL: '7m',
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
    });
    expect(code).toBe(2);
    expect(err).toMatch(/INTERVAL: .*7m.*binance/);
    expect(err).toContain('1m');
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(dbPath)).toBe(false);
  });

  it('DB_PATH at a SQLite file of another program: exit 1 with one line, the file untouched', async () => {
    const dir = tempDir('lumenlink-badconfig-');
    const dbPath = join(dir, 'notes.db');
    // Another program's database (Node's own SQLite: the bot's driver lives in @lumenlink/data).
    const { DatabaseSync } = await import('node:sqlite');
    const foreign = new DatabaseSync(dbPath);
    foreign.exec(
      "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('mine')",
    );
    foreign.close();
    const before = createHash('sha256').update(readFileSync(dbPath)).digest('hex');
    const { code, err } = await run(replayEnv(dbPath));
    expect(code).toBe(1);
    expect(err).toContain('not a LumenLink database');
    expect(err).not.toMatch(/\n\s+at /);
    expect(createHash('sha256').update(readFileSync(dbPath)).digest('hex')).toBe(before);
    expect(existsSync(`${dbPath}-wal`)).toBe(false);
  });

  it('live without exchange keys is a configuration error (exit 2), never a call to the exchange', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run({
      MODE: 'live',
      EXCHANGE: 'binance',
      EXCHANGE_API_URL: 'http://127.0.0.1:9',
      SYMBOLS: 'BTC-USDT',
      DB_PATH: dbPath,
      HTTP_PORT: '0',
      LOG_LEVEL: 'error',
    });
    expect(code).toBe(2);
    expect(err).toContain('EXCHANGE_API_KEY');
    expect(err).not.toMatch(/\n\s+at /);
    expect(existsSync(dbPath)).toBe(false);
  });
});

/**
 * Issue 18, "config never fails open": safety keys misspelt, a `.env` saved with a byte order
 * mark, and absurd magnitudes. Each is exit 2 naming the key, before the database exists.
 */
describe('the entry point never fails open on a misspelt or stray key', () => {
  it.each([
    ['KILL_SWTICH', 'KILL_SWITCH'],
    ['KILLSWITCH', 'KILL_SWITCH'],
    ['STOPLOSS_PCT', 'STOP_LOSS_PCT'],
    ['TAKEPROFIT_PCT', 'TAKE_PROFIT_PCT'],
  ])('%s=... in the process env: exit 2, "did you mean %s?"', async (typo, key) => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run(
      replayEnv(dbPath, { [typo]: typo.startsWith('KILL') ? 'true' : '2' }),
    );
    expect(code).toBe(2);
    expect(err).toContain(
      `${typo}: is not a known key, so it would be ignored (did you mean ${key}?)`,
    );
    expect(existsSync(dbPath)).toBe(false);
  });

  it.each([
    ['KILL_SWTICH=true', 'KILL_SWTICH', 'KILL_SWITCH'],
    ['STOPLOSS_PCT=2', 'STOPLOSS_PCT', 'STOP_LOSS_PCT'],
    ['TAKEPROFIT_PCT=2', 'TAKEPROFIT_PCT', 'TAKE_PROFIT_PCT'],
  ])('%s in .env: exit 2 naming the key and the suggestion', async (line, typo, key) => {
    const dir = tempDir('lumenlink-badconfig-');
    const dbPath = join(dir, 'never.db');
    const envFile = join(dir, '.env');
    writeFileSync(envFile, `MODE=paper\r\n${line}\r\n`);
    const { code, err } = await run(replayEnv(dbPath), envFile);
    expect(code).toBe(2);
    expect(err).toContain(`Invalid ${envFile}`);
    expect(err).toContain(
      `${typo}: is not a LumenLink key, so nothing would read it (did you mean ${key}?)`,
    );
    expect(existsSync(dbPath)).toBe(false);
  });

  it('a key nothing reads in .env is exit 2 too, even when it is not a near miss', async () => {
    const dir = tempDir('lumenlink-badconfig-');
    const dbPath = join(dir, 'never.db');
    const envFile = join(dir, '.env');
    writeFileSync(envFile, '# mine\nNODE_ENV=production\n');
    const { code, err } = await run(replayEnv(dbPath), envFile);
    expect(code).toBe(2);
    expect(err).toContain('NODE_ENV: is not a LumenLink key');
    expect(existsSync(dbPath)).toBe(false);
  });

  it('KILL_SWITCH=true on line 1 of a .env with a UTF-8 byte order mark starts halted', async () => {
    const dir = tempDir('lumenlink-badconfig-');
    const envFile = join(dir, '.env');
    writeFileSync(envFile, '\uFEFFKILL_SWITCH=true\r\nMODE=paper\r\n');
    const { readEnvFile } = await import('@lumenlink/config');
    const file = readEnvFile(envFile);
    expect(file.issues).toEqual([]);
    expect(loadConfig(file.values).killSwitch).toBe(true);
  });

  it('RISK_MAX_POSITION_USD=1e300: exit 2 naming the key, the bound and the fix', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    const { code, err } = await run(replayEnv(dbPath, { RISK_MAX_POSITION_USD: '1e300' }));
    expect(code).toBe(2);
    expect(err).toContain(
      'RISK_MAX_POSITION_USD: "1e300" is above the maximum 1e12 (use 1e12 or less)',
    );
    expect(existsSync(dbPath)).toBe(false);
  });

  it('the real process env of this machine adds no issue', async () => {
    const dbPath = join(tempDir('lumenlink-badconfig-'), 'never.db');
    // The replay has no candles, so the start fails on REPLAY_DATA, but on no env key.
    const { err } = await run({ ...(process.env as Record<string, string>), ...replayEnv(dbPath) });
    expect(err).toContain('Invalid configuration (1 problem):\n  - REPLAY_DATA: ');
    expect(err).not.toContain('is not a known key');
  });
});
