/**
 * The bot's entry point (`pnpm paper`, `pnpm live`): `.env` and the environment, secrets, the
 * validated config, the running bot, and a clean stop on SIGINT or SIGTERM.
 *
 * Exit codes: 0 after a clean stop (a signal, or the end of a replay), 1 when the bot cannot
 * start or stop cleanly, 2 for a bad configuration or command line.
 */
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { commandHint, ConfigError, type Logger } from '@lumenlink/core';
import { configSecrets, mergeEnv, readEnvFile, tradingModes, type Env } from '@lumenlink/config';
import { createLogger, createRedactor } from '@lumenlink/core/logging';
import type { Bot } from './bot.js';
import { strategyFlagOptions } from './bot-strategy.js';
import { loadConfigWithSecrets, secretKeys } from './secrets.js';

/** What {@link runBot} reads from and writes to. */
export interface RunBotOptions {
  /**
   * Command-line arguments after the script: `--mode paper|live`, `--strategy`, `--params-file`,
   * `--param k=v` (repeatable), `--help`.
   */
  readonly argv: readonly string[];
  /** The process environment; it wins over the `.env` file. */
  readonly processEnv: Env;
  /** The `.env` file (a missing file is an empty one). */
  readonly envFile: string;
  /** Where usage and configuration problems are printed (stderr). */
  readonly err: Writable;
  /** Aborted on SIGINT or SIGTERM: the bot stops and the run resolves 0. */
  readonly signal: AbortSignal;
  /** The bot's logger (default one at `LOG_LEVEL` on stdout, secrets redacted). */
  readonly logger?: Logger;
}

const usage = (): string => `Usage: ${commandHint('paper')} | ${commandHint('live')} [--strategy S]
         [--params-file FILE] [--param key=value ...]
       (node apps/bot/dist/main.js [--mode paper|live] ... once built)

Runs the LumenLink bot with the configuration of .env and the environment (the environment
wins). --mode sets MODE (paper and live pass it); --strategy sets STRATEGY (a built-in
key, a .ts/.js/.mjs strategy file or a package); --params-file (what pnpm optimize writes)
replaces STRATEGY_PARAMS and each --param sets one parameter over it. MODE=live goes through
the live gate: exchange keys are required, and without ALLOW_LIVE_TRADING=true every order is
blocked (a live dry run). Stop it with Ctrl-C or SIGTERM: the loops stop, an order in flight
finishes, the state is persisted and the database closed. Exit codes: 0 stopped cleanly, 1
failed to start or stop, 2 bad configuration, strategy or parameters. See
docs/running-the-bot.md.
`;

/**
 * Runs the bot until `signal` aborts (or, with `DATA_SOURCE=replay`, until the replay ends),
 * then stops it cleanly. Resolves with the process exit code.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * process.once('SIGTERM', () => controller.abort());
 * process.exitCode = await runBot({ argv: [], processEnv: process.env, envFile: '.env', err: process.stderr, signal: controller.signal });
 * ```
 */
export async function runBot(options: RunBotOptions): Promise<number> {
  const write = (text: string): void => void options.err.write(`${text}\n`);
  let flags: Flags;
  try {
    flags = parseFlags(options.argv);
    if (flags.help === true) {
      write(usage());
      return 0;
    }
  } catch (error) {
    write(`${error instanceof Error ? error.message : String(error)}\n\n${usage()}`);
    return 2;
  }
  const { mode, strategy } = flags;
  if (mode !== undefined && !(tradingModes as readonly string[]).includes(mode)) {
    write(`--mode must be ${tradingModes.join(' or ')}, got ${JSON.stringify(mode)}\n\n${usage()}`);
    return 2;
  }

  const file = readEnvFile(options.envFile);
  const env = mergeEnv(file.values, {
    ...options.processEnv,
    ...(mode === undefined ? {} : { MODE: mode }),
    ...(strategy === undefined ? {} : { STRATEGY: strategy }),
  });
  const bootLogger = options.logger ?? createLogger({ level: 'info' });
  // Start and stop failures are printed with any secret they quote cut out (an exchange error
  // page may echo the API key), as the logs are.
  const envSecrets = secretKeys.map((key) => env[key]);
  let redact = createRedactor(envSecrets);
  let bot: Bot;
  try {
    // Every key of the .env file must be one LumenLink reads: a misspelt or stray key there
    // would otherwise be dropped without a word (the process env gets typo detection instead).
    if (file.issues.length > 0) {
      throw new ConfigError(file.issues, { title: `Invalid ${options.envFile}` });
    }
    const { config } = await loadConfigWithSecrets(env, { logger: bootLogger });
    redact = createRedactor([...envSecrets, ...configSecrets(config)]);
    const logger =
      options.logger ?? createLogger({ level: config.log.level, secrets: configSecrets(config) });
    if (options.signal.aborted) return 0;
    // Loaded once the config is good, so a config error is reported at once.
    const { startBot } = await import('./bot.js');
    bot = await startBot(config, {
      logger,
      strategyFlags: { paramsFile: flags['params-file'], assignments: flags.param },
    });
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      write(error.message);
      write(
        `\nFix the keys above in ${file.found ? options.envFile : '.env'} or the environment and start again.`,
      );
      return 2;
    }
    write(
      `The bot could not start: ${redact(error instanceof Error ? error.message : String(error))}`,
    );
    return 1;
  }

  await new Promise<void>((done) => {
    if (options.signal.aborted) done();
    options.signal.addEventListener('abort', () => done(), { once: true });
    void bot.replay?.finished.then(done);
  });
  try {
    await bot.stop();
    return 0;
  } catch (error) {
    write(
      `The bot did not stop cleanly: ${redact(error instanceof Error ? error.message : String(error))}`,
    );
    return 1;
  }
}

type Flags = ReturnType<typeof parseFlags>;

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      mode: { type: 'string' },
      ...strategyFlagOptions,
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: string): void => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`${name} again: exiting at once, without a clean stop\n`);
      process.exit(1);
    }
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runBot({
    argv: process.argv.slice(2),
    processEnv: process.env,
    envFile: resolve(process.cwd(), '.env'),
    err: process.stderr,
    signal: controller.signal,
  });
  // Let the last log lines reach their stream, then exit even if a socket lingers.
  process.exitCode = code;
  setTimeout(() => process.exit(code), 500).unref();
}
