#!/usr/bin/env node
/**
 * `pnpm lint` (turbo's `lint` task, part of `pnpm test`): ESLint (eslint.config.js) on every
 * package and app, with the type information of one TypeScript program over all of them
 * (scripts/lib/workspace-program.mjs) instead of a program per package. The examples keep their
 * own `lint`. Prettier's check is `prettier --check .` (in `pnpm test`).
 *
 * Usage: node scripts/lint.mjs [workspace dir...]   e.g. packages/data apps/bot
 */
import { ESLint } from 'eslint';
import { chosenDirs, workspaceProgram } from './lib/workspace-program.mjs';

const dirs = chosenDirs(process.argv.slice(2));
const program = workspaceProgram(dirs);
const eslint = new ESLint({
  overrideConfig: {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { programs: [program], projectService: false } },
  },
});
const results = await eslint.lintFiles(dirs);
const formatter = await eslint.loadFormatter('stylish');
process.stdout.write(await formatter.format(results));
const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
if (errors > 0) process.exitCode = 1;
else console.log(`lint: ${results.length} files of ${dirs.length} workspaces, no errors`);
