#!/usr/bin/env node
/** `pnpm optimize`: the optimizer's command line (see `pnpm optimize -- --help`). */
import { runOptimizeCommand } from './optimize/command.js';

process.exitCode = await runOptimizeCommand(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
