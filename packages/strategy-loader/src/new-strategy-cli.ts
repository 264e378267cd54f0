#!/usr/bin/env node
/**
 * `lumenlink-new-strategy NAME [--dir strategies]` (`pnpm new-strategy NAME` in the repository):
 * a commented strategy file and its test from the template (see {@link runNewStrategyCli}).
 */
import { runNewStrategyCli } from './new-strategy.js';

process.exitCode = await runNewStrategyCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
