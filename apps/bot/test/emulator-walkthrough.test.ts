/**
 * docs/emulator.md end to end: the emulator CLI (`lumenlink-exchange-emulator`) and the bot
 * (`node dist/main.js`) as two processes, the bot configured with the env lines the emulator
 * prints. In paper mode the bot trades on the emulator's market data within seconds of its start;
 * in live mode with ALLOW_LIVE_TRADING=true its order fills on the emulator.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { request, storedTrading, tempDir, waitFor } from './helpers.js';
import { startNodeProcess } from '../../../test-support/node-process.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const mainJs = join(appDir, 'dist', 'main.js');
const require = createRequire(import.meta.url);
const emulatorBin = join(
  dirname(require.resolve('@lumenlink/exchanges/package.json')),
  'bin',
  'lumenlink-exchange-emulator.js',
);

beforeAll(() => {
  // turbo builds the libraries before the tests; the app's own dist is built here.
  const tsc = require.resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: appDir });
});

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Running {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
}

function startProcess(args: string[], env: Record<string, string>, cwd: string): Running {
  const { child, lines, exited } = startNodeProcess(args, {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
  });
  children.push(child);
  return { child, lines, exited: exited.then(({ code }) => code) };
}

interface EmulatorReady {
  readonly url: string;
  readonly env: Record<string, string>;
}

/** Starts `pnpm emulator`'s CLI on a free port; resolves with its `--json` line. */
async function startEmulator(cwd: string): Promise<{ emulator: Running; ready: EmulatorReady }> {
  const emulator = startProcess(
    [emulatorBin, '--port', '0', '--json', '--symbols', 'BTC/USDT,ETH/USDT'],
    {},
    cwd,
  );
  const ready = await waitFor('the emulator listening', () => {
    if (emulator.child.exitCode !== null)
      throw new Error(`the emulator exited:\n${emulator.lines.join('\n')}`);
    const line = emulator.lines[0];
    return line === undefined ? undefined : (JSON.parse(line) as EmulatorReady);
  });
  return { emulator, ready };
}

/** The env of the walk-through: the emulator's lines, a fast strategy, quick loops. */
function botEnv(ready: EmulatorReady, dbPath: string): Record<string, string> {
  return {
    ...ready.env,
    DB_PATH: dbPath,
    STRATEGY: 'smart_dca',
    STRATEGY_PARAMS: '{"schedule":"1m"}',
    HTTP_PORT: '0',
    DATA_POLLING_MS: '1000',
    POLL_INTERVAL_MS: '1000',
    LOG_LEVEL: 'info',
  };
}

/** The bot's HTTP URL once it has started (its `bot started` log line), checked to be running. */
function startedAt(bot: Running): string | undefined {
  if (bot.child.exitCode !== null) throw new Error(`the bot exited:\n${bot.lines.join('\n')}`);
  for (const line of bot.lines) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { msg?: unknown; url?: unknown };
    if (parsed.msg === 'bot started' && typeof parsed.url === 'string') return parsed.url;
  }
  return undefined;
}

/** The orders and fills the running bot stored, once it has one fill. */
async function firstFill(bot: Running, dbPath: string): ReturnType<typeof storedTrading> {
  await waitFor('the bot started', () => startedAt(bot));
  return waitFor('a stored fill', async () => {
    startedAt(bot);
    const trading = await storedTrading(dbPath);
    return trading.fills.length > 0 ? trading : undefined;
  });
}

async function stopped(running: Running): Promise<number | null> {
  running.child.kill('SIGTERM');
  return running.exited;
}

describe('the bot against pnpm emulator', () => {
  it('paper: warms up on the pre-filled candles and trades within seconds of its start', async () => {
    const dir = tempDir();
    const { emulator, ready } = await startEmulator(dir);
    expect(ready.env).toMatchObject({ EXCHANGE: 'binance', EXCHANGE_API_URL: ready.url });
    const dbPath = join(dir, 'emulator.db');
    const bot = startProcess([mainJs, '--mode', 'paper'], botEnv(ready, dbPath), dir);
    const started = Date.now();

    const { fills } = await firstFill(bot, dbPath);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(fills[0]).toMatchObject({ side: 'buy' });
    const url = startedAt(bot) ?? '';
    const status = (await request(`${url}/status`)).body as {
      mode: string;
      exchange: string;
      positions: { symbol: string }[];
    };
    expect(status).toMatchObject({ mode: 'paper', exchange: 'binance' });
    expect(status.positions.length).toBeGreaterThan(0);
    // Paper fills stay in the bot: the emulator filled nothing.
    expect(emulator.lines).toHaveLength(1);

    expect(await stopped(bot)).toBe(0);
    expect(await stopped(emulator)).toBe(0);
  });

  it('live with ALLOW_LIVE_TRADING=true: the order fills on the emulator', async () => {
    const dir = tempDir();
    const { emulator, ready } = await startEmulator(dir);
    const dbPath = join(dir, 'emulator.db');
    const bot = startProcess(
      [mainJs, '--mode', 'live'],
      { ...botEnv(ready, dbPath), ALLOW_LIVE_TRADING: 'true' },
      dir,
    );

    const fill = await waitFor('a fill on the emulator', () => {
      startedAt(bot);
      const line = emulator.lines[1];
      return line === undefined
        ? undefined
        : (JSON.parse(line) as { fill: { clientOrderId: string; side: string } }).fill;
    });
    expect(fill.side).toBe('buy');
    expect(fill.clientOrderId).toMatch(/^ll/);
    const { fills } = await firstFill(bot, dbPath);
    expect(fills.map((stored) => stored.clientOrderId)).toContain(fill.clientOrderId);

    expect(await stopped(bot)).toBe(0);
    expect(await stopped(emulator)).toBe(0);
  });
});
