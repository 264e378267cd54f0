#!/usr/bin/env node
/**
 * `pnpm typecheck` (turbo's `typecheck` task, part of `pnpm test`): TypeScript over the sources
 * and tests of every package and app in one program (scripts/lib/workspace-program.mjs), so the
 * declarations of node_modules are parsed once and nothing waits for a build. The examples keep
 * their own `typecheck` (their tsconfig lets imports name `.ts` files).
 *
 * Usage: node scripts/typecheck.mjs [workspace dir...]   e.g. packages/data apps/bot
 */
import ts from 'typescript';
import { chosenDirs, formatHost, workspaceProgram } from './lib/workspace-program.mjs';

const dirs = chosenDirs(process.argv.slice(2));
const program = workspaceProgram(dirs);
const diagnostics = ts.getPreEmitDiagnostics(program);
if (diagnostics.length > 0) {
  const format = process.stdout.isTTY
    ? ts.formatDiagnosticsWithColorAndContext
    : ts.formatDiagnostics;
  process.stdout.write(format(diagnostics, formatHost));
  const files = new Set(diagnostics.map((diagnostic) => diagnostic.file?.fileName));
  console.log(`\nFound ${diagnostics.length} errors in ${files.size} files.`);
  process.exitCode = 1;
} else {
  const files = program.getRootFileNames().length;
  console.log(`typecheck: ${files} files of ${dirs.length} workspaces, no errors`);
}
