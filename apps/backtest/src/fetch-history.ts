#!/usr/bin/env node
/** `pnpm fetch-history`: backfill candles into the SQLite store (see `--help`). Ctrl-C stops it cleanly. */
import { runFetchHistoryCommand } from './fetch-history-command.js';

const controller = new AbortController();
process.once('SIGINT', () =>
  controller.abort(new Error('Stopped by Ctrl-C; run it again to resume')),
);

process.exitCode = await runFetchHistoryCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
});
