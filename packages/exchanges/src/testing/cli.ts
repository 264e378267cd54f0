#!/usr/bin/env node
/**
 * The exchange emulator as a process, for suites that run the bot as a child process:
 *
 *   node dist/testing/cli.js --port 0 [--api-key KEY --secret SECRET] [--options options.json]
 *
 * prints one JSON line `{"url":"http://127.0.0.1:<port>"}` on stdout once it listens, then
 * serves until SIGINT or SIGTERM. `--options` names a JSON file of `EmulatorOptions` (markets,
 * balances, candles, candlesCsv, randomWalk, depthLevels); faults, prices and state go through
 * the `/__emulator` control routes.
 */
import { readFile } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ValidationError } from '@lumenlink/core';
import { startExchangeEmulator } from './server.js';
import type { EmulatorOptions, ExchangeEmulator } from './types.js';
import { invalid, isRecord } from './validate.js';

const usage =
  'Usage: cli.js --port <0-65535, 0 = ephemeral> [--api-key <key> --secret <secret>] [--options <EmulatorOptions JSON file>]';

async function readOptionsFile(path: string): Promise<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ValidationError(
      `--options: cannot read JSON from "${path}" (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
  if (!isRecord(parsed))
    invalid(`--options file ${path}`, 'a JSON object of EmulatorOptions', parsed);
  return parsed;
}

/**
 * Parses the command line, starts the emulator and writes its `{"url": ...}` line to `output`.
 *
 * @throws {ValidationError} for a bad argument or option, with the usage.
 */
export async function runEmulatorCli(
  args: readonly string[],
  output: { write(text: string): unknown },
): Promise<ExchangeEmulator> {
  let values: { port?: string; 'api-key'?: string; secret?: string; options?: string };
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: 'string' },
        'api-key': { type: 'string' },
        secret: { type: 'string' },
        options: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ValidationError(
      `${error instanceof Error ? error.message : String(error)}\n${usage}`,
    );
  }
  const portText = values.port ?? '0';
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
    throw new ValidationError(
      `--port must be an integer from 0 to 65535 (0 = ephemeral), got "${portText}"\n${usage}`,
    );
  }
  const fromFile = values.options === undefined ? {} : await readOptionsFile(values.options);
  const options = {
    ...fromFile,
    port,
    ...(values['api-key'] === undefined ? {} : { apiKey: values['api-key'] }),
    ...(values.secret === undefined ? {} : { secret: values.secret }),
  } as EmulatorOptions;
  const emulator = await startExchangeEmulator(options);
  output.write(`${JSON.stringify({ url: emulator.url })}\n`);
  return emulator;
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  runEmulatorCli(process.argv.slice(2), process.stdout).then(
    (emulator) => {
      const stop = (): void => {
        void emulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(2);
    },
  );
}
