#!/usr/bin/env node
/**
 * `pnpm typecheck`: TypeScript over the sources and tests of every package and app in one
 * program (scripts/lib/workspace-program.mjs), so the declarations of node_modules are parsed
 * once and nothing waits for a build. `pnpm lint` reports the same errors (it builds the same
 * program), so `pnpm test` runs that one; the examples keep their own `typecheck`.
 *
 * Usage: node scripts/typecheck.mjs [workspace dir...]   e.g. packages/data apps/bot
 */
import { chosenDirs, reportTypeErrors, workspaceProgram } from './lib/workspace-program.mjs';

const dirs = chosenDirs(process.argv.slice(2));
const program = workspaceProgram(dirs);
if (reportTypeErrors(program) > 0) process.exitCode = 1;
else
  console.log(
    `typecheck: ${program.getRootFileNames().length} files of ${dirs.length} workspaces, no errors`,
  );
