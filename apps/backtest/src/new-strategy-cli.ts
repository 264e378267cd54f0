#!/usr/bin/env node
/** `pnpm new-strategy`: a new strategy file and its test (see `pnpm new-strategy --help`). */
import { runNewStrategyCommand } from './new-strategy.js';

process.exitCode = await runNewStrategyCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
