#!/usr/bin/env node
/**
 * `pnpm lint` (turbo's `lint` task, part of `pnpm test`): TypeScript's errors and ESLint
 * (eslint.config.js) on every package and app, from one TypeScript program over all of them
 * (scripts/lib/workspace-program.mjs): the program ESLint's typed rules need is the one tsc
 * checks, so it is built once, instead of twice per package. `pnpm typecheck` is the TypeScript
 * half alone. The examples keep their own `typecheck` and `lint`; Prettier's check is
 * `prettier --check .` (in `pnpm test`).
 *
 * Usage: node scripts/lint.mjs [workspace dir...]   e.g. packages/data apps/bot
 */
import { ESLint } from 'eslint';
import { chosenDirs, reportTypeErrors, workspaceProgram } from './lib/workspace-program.mjs';

const dirs = chosenDirs(process.argv.slice(2));
const program = workspaceProgram(dirs);
const typeErrors = reportTypeErrors(program);
const eslint = new ESLint({
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { programs: [program], projectService: false } },
  },
});
const results = await eslint.lintFiles(dirs);
const formatter = await eslint.loadFormatter('stylish');
process.stdout.write(await formatter.format(results));
const lintErrors = results.reduce((sum, result) => sum + result.errorCount, 0);
if (typeErrors + lintErrors > 0) process.exitCode = 1;
else
  console.log(
    `typecheck and lint: ${results.length} files of ${dirs.length} workspaces, no errors`,
  );
