#!/usr/bin/env node
/** `pnpm backtest`: the backtest command line (see `pnpm backtest -- --help`). */
import { runBacktestCommand } from './backtest-command.js';

process.exitCode = await runBacktestCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
