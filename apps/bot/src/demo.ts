import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import {
  ConfigError,
  checkLiveReadiness,
  configSecrets,
  describeConfig,
  isLiveDryRun,
  loadConfig,
  type Config,
  type ConfigRow,
} from '@lumenlink/core';
import { createLogger } from '@lumenlink/core/logging';
import { mergeEnv, readEnvFile, type Env } from './env-file.js';
import { marketSnapshot } from './market-snapshot.js';

/** Where the demo reads from and writes to. */
export interface DemoOptions {
  readonly envFile: string;
  readonly processEnv: Env;
  readonly out: Writable;
}

/**
 * The demo until the bot lands: the configuration doctor. Loads `.env` and the environment,
 * validates every key, prints the effective configuration with secrets redacted and the safety
 * state the bot would start in. Returns the process exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const write = (line = ''): void => void options.out.write(`${line}\n`);
  const file = readEnvFile(options.envFile);
  const env = mergeEnv(file.values, options.processEnv);
  write('LumenLink demo: configuration doctor');
  write(
    `Reading ${file.found ? options.envFile : `the environment (no ${options.envFile} found)`}`,
  );
  write();

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(error.message);
    write();
    write('Fix the keys above in .env or the environment and run ./lumenlink demo again.');
    return 1;
  }

  const logger = createLogger({
    level: config.log.level,
    format: 'json',
    stream: options.out,
    secrets: configSecrets(config),
  }).child({ module: 'demo' });

  printConfig(describeConfig(config, env), write);
  write();
  printSafety(config, write);
  write();
  logger.info('configuration loaded', {
    mode: config.mode,
    exchange: config.exchange.id,
    symbols: config.symbols,
    apiKey: config.exchange.apiKey,
  });
  write();
  const snapshot = await marketSnapshot(config);
  const imported = snapshot.imports.filter((entry) => entry.imported > 0);
  write(
    imported.length > 0
      ? `Imported the bundled Binance 1h data into ${config.data.dbPath}: ${imported.map((entry) => `${entry.symbol} ${entry.imported}`).join(', ')} candles`
      : `Bundled Binance 1h data already in ${config.data.dbPath}`,
  );
  write(
    'Last stored candle per symbol, its indicators, and what risk says to a 0.8-confidence buy:',
  );
  for (const row of snapshot.symbols) {
    const trend = row.emaFast > row.emaSlow ? 'up' : 'down';
    write(
      `  ${row.symbol.padEnd(9)} ${new Date(row.lastTime).toISOString().slice(0, 16)}Z  close ${row.close}  RSI(14) ${row.rsi.toFixed(1)}  EMA 9/21 ${trend}  ATR ${row.atr.toFixed(2)}`,
    );
    write(`  ${''.padEnd(9)} risk: ${row.allowed ? 'allowed' : 'blocked'}: ${row.verdict}`);
  }
  write();
  write(
    'The trading demo (the bot replaying this data) arrives with the bot; ./lumenlink test runs the tests.',
  );
  return 0;
}

function printConfig(rows: readonly ConfigRow[], write: (line?: string) => void): void {
  const set = rows.filter((row) => row.source === 'env');
  write(
    `Effective configuration (${set.length} of ${rows.length} keys set by you, the rest defaults):`,
  );
  const width = Math.max(...rows.map((row) => row.key.length));
  let group = '';
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      write(`  [${group}]`);
    }
    const value = row.value === '' ? '(unset)' : row.value;
    write(`    ${row.key.padEnd(width)}  ${value}${row.source === 'env' ? '   <- set' : ''}`);
  }
}

function printSafety(config: Config, write: (line?: string) => void): void {
  write('Safety:');
  if (config.mode === 'paper') {
    write(
      '  mode          paper: every order fills in the paper broker; nothing reaches an exchange',
    );
  } else if (isLiveDryRun(config)) {
    write(
      '  mode          live dry run: real market data, and risk check 2 (live gate) blocks every order',
    );
  } else {
    write('  mode          LIVE: orders go to the exchange');
  }
  write(
    config.killSwitch
      ? '  kill switch   ON: the bot starts halted (no orders at all, exits included) until KILL_SWITCH=false'
      : '  kill switch   off: the persisted trading state is restored (initially active)',
  );
  write(`  live gate     ALLOW_LIVE_TRADING=${String(config.allowLiveTrading)}`);
  try {
    checkLiveReadiness(config);
    write(
      `  readiness     ${config.mode === 'live' ? 'exchange keys present' : 'not needed in paper mode'}`,
    );
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    write(
      `  readiness     NOT READY: ${error.issues.map((issue) => `${issue.key} ${issue.problem}`).join('; ')}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runDemo({
    envFile: resolve(process.cwd(), '.env'),
    processEnv: process.env,
    out: process.stdout,
  });
}
