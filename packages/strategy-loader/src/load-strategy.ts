/**
 * Loading a strategy from what a user writes in `STRATEGY` or `--strategy`: a built-in key, a
 * `.ts`/`.js`/`.mjs` file (TypeScript runs directly on Node's type stripping), or an installed
 * package; the module's default or named export is the definition.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { editDistance, type RunProvenance, type StrategyProvenance } from '@lumenlink/core';
import {
  getStrategyDefinition,
  isDefinedStrategy,
  isStrategyKey,
  StrategyParamsError,
  strategyKeys,
  type CreateStrategyOptions,
  type DefinedStrategy,
} from '@lumenlink/strategies';
import { StrategyLoadError } from './errors.js';

/** A strategy ready to run, with where it came from. */
export interface LoadedStrategy {
  /** What was given (`ema_crossover`, `strategies/my-idea.ts`, `my-strategies#trend`). */
  readonly spec: string;
  /**
   * The definition. Its instances name the strategy by {@link LoadedStrategy.label} in every
   * `StrategyError`, so an error says which file to look at.
   */
  readonly definition: DefinedStrategy;
  /** Where it came from: what reports and the bot's database record. */
  readonly provenance: StrategyProvenance;
  /** The strategy in messages: its key, with the file or package it came from. */
  readonly label: string;
}

/** Options of {@link loadStrategy}. */
export interface LoadStrategyOptions {
  /** The directory a relative path and a package name are resolved from (default the process's). */
  readonly cwd?: string;
}

/** The file extensions a strategy module may have. */
export const strategyFileExtensions: readonly string[] = ['.ts', '.mts', '.js', '.mjs', '.cjs'];
const typeScriptExtensions = new Set(['.ts', '.mts']);
const keyPattern = /^[a-z][a-z0-9_]*$/;
const packageName = /^(?:@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(?:\/[\w.~/-]+)?$/i;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** `my-idea.ts#trend` → the module part and the export name. */
function splitExport(spec: string): { target: string; exportName: string | undefined } {
  const hash = spec.lastIndexOf('#');
  if (hash <= 0) return { target: spec, exportName: undefined };
  return { target: spec.slice(0, hash), exportName: spec.slice(hash + 1) };
}

function looksLikePath(target: string): boolean {
  return (
    target.startsWith('.') ||
    isAbsolute(target) ||
    strategyFileExtensions.includes(extname(target).toLowerCase()) ||
    (target.includes(sep) && !target.startsWith('@'))
  );
}

/** A path relative to `cwd` when inside it, for messages. */
function shown(path: string, cwd: string): string {
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

const importHint =
  "export default defineStrategy({ key, description, paramsSchema, build }) with defineStrategy from '@lumenlink/strategies'";

/** A clear reason why importing a module failed, with the fix. */
function importProblem(error: unknown, file: string): string {
  const message = errorMessage(error);
  const code = errorCode(error);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return `an import cannot be found (${message}). Install the packages it imports where the file can see them (npm install @lumenlink/strategies next to it), or put the file inside the project`;
  }
  if (code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX' || code === 'ERR_INVALID_TYPESCRIPT_SYNTAX') {
    return `uses TypeScript that Node cannot run without a build (${message}). Use only erasable syntax: no enum, namespace or constructor parameter properties; import types with "import type"`;
  }
  if (code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return `cannot be run by this Node (${message}). TypeScript files need Node >= 22.18 (type stripping); run through ./lumenlink, or compile it to .js`;
  }
  if (StrategyParamsError.isInstance(error)) {
    return `its parameter schema rejects empty parameters, so it has no defaults (${message}). Give every parameter a .default(...) or .optional()`;
  }
  if (error instanceof SyntaxError) {
    return `does not parse: ${message}. Fix the syntax of ${file}`;
  }
  return `failed while loading: ${message}`;
}

/** The definition among a module's exports: the named one, the default, or the only one. */
function pickExport(
  namespace: Record<string, unknown>,
  exportName: string | undefined,
  subject: string,
): { definition: DefinedStrategy; exportName: string } {
  if (exportName !== undefined) {
    const value = namespace[exportName];
    if (isDefinedStrategy(value)) return { definition: value, exportName };
    const names = Object.keys(namespace).filter((name) => isDefinedStrategy(namespace[name]));
    throw new StrategyLoadError(
      subject,
      value === undefined
        ? `has no export named ${exportName}. Its strategy exports: ${names.join(', ') || 'none'}`
        : `its export ${exportName} is not a strategy definition. Make it with ${importHint}`,
    );
  }
  if (isDefinedStrategy(namespace.default)) {
    return { definition: namespace.default, exportName: 'default' };
  }
  const named = Object.keys(namespace).filter(
    (name) => name !== 'default' && isDefinedStrategy(namespace[name]),
  );
  if (named.length === 1)
    return { definition: namespace[named[0]!] as DefinedStrategy, exportName: named[0]! };
  if (named.length > 1) {
    throw new StrategyLoadError(
      subject,
      `exports ${named.length} strategies (${named.join(', ')}). Choose one: ${subject}#${named[0]}`,
    );
  }
  const fallback = namespace.default;
  const unwrapped =
    typeof fallback === 'object' &&
    fallback !== null &&
    typeof (fallback as { create?: unknown }).create === 'function';
  throw new StrategyLoadError(
    subject,
    unwrapped
      ? `its default export has a create() but is not made by defineStrategy. Wrap it: ${importHint}`
      : `exports no strategy definition. Write ${importHint}`,
  );
}

/** Checks the definition's key: a new one, in the form `STRATEGY` keys take. */
function checkKey(definition: DefinedStrategy, subject: string): void {
  if (!keyPattern.test(definition.key)) {
    throw new StrategyLoadError(
      subject,
      `its key ${JSON.stringify(definition.key)} is not lower snake case. Use lowercase letters, digits and _, starting with a letter (my_idea)`,
    );
  }
  if (isStrategyKey(definition.key)) {
    throw new StrategyLoadError(
      subject,
      `its key ${definition.key} is a built-in strategy's; orders and decisions are recorded by key. Give it a key of its own`,
    );
  }
}

/** The definition with instances named by `label` in their errors. */
function labelled(definition: DefinedStrategy, label: string): DefinedStrategy {
  return Object.freeze({
    ...definition,
    create: (params?: unknown, options: CreateStrategyOptions = {}) =>
      definition.create(params, { label, ...options }),
  });
}

/** Imports a module file, fresh for its content (a changed file is imported again). */
async function importFile(
  file: string,
  digest: string,
  subject: string,
): Promise<Record<string, unknown>> {
  const extension = extname(file).toLowerCase();
  if (typeScriptExtensions.has(extension) && process.features.typescript === undefined) {
    throw new StrategyLoadError(
      subject,
      `TypeScript files need Node >= 22.18 (type stripping); this is Node ${process.versions.node}. Run through ./lumenlink (Node 24), or compile it to .js`,
    );
  }
  try {
    return (await import(`${pathToFileURL(file).href}?sha256=${digest.slice(0, 16)}`)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new StrategyLoadError(subject, importProblem(error, file), { cause: error });
  }
}

async function loadModule(
  spec: string,
  file: string,
  exportName: string | undefined,
  subject: string,
  from: { packageName?: string; packageVersion?: string; label: string; kind: 'file' | 'package' },
): Promise<LoadedStrategy> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new StrategyLoadError(subject, `cannot be read: ${errorMessage(error)}`);
  }
  const digest = sha256(bytes);
  const namespace = await importFile(file, digest, subject);
  const picked = pickExport(namespace, exportName, subject);
  checkKey(picked.definition, subject);
  const label = `${picked.definition.key} (${from.label}${picked.exportName === 'default' ? '' : `#${picked.exportName}`})`;
  return {
    spec,
    definition: labelled(picked.definition, label),
    provenance: {
      spec,
      kind: from.kind,
      key: picked.definition.key,
      path: file,
      exportName: picked.exportName,
      ...(from.packageName === undefined ? {} : { packageName: from.packageName }),
      ...(from.packageVersion === undefined ? {} : { packageVersion: from.packageVersion }),
      sha256: digest,
    },
    label,
  };
}

/** The entry file of an installed package, found from `cwd` up. */
function findPackage(
  target: string,
  cwd: string,
): { file: string; name: string; version: string | undefined } | undefined {
  const parts = target.split('/');
  const name = target.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = target.slice(name.length);
  for (let dir = cwd; ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', name);
    const manifestPath = join(root, 'package.json');
    if (existsSync(manifestPath)) {
      let manifest: { version?: string; main?: string; exports?: unknown };
      try {
        manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
      } catch (error) {
        throw new StrategyLoadError(
          target,
          `its package.json cannot be read (${manifestPath}: ${errorMessage(error)}). Reinstall the package`,
        );
      }
      const entry = entryOf(manifest, `.${subpath}`);
      const file = entry === undefined ? undefined : resolve(root, entry);
      if (file === undefined || !existsSync(file)) return undefined;
      return { file, name, version: manifest.version };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const conditions = ['node', 'import', 'default'];

function conditional(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  for (const condition of conditions) {
    const found = conditional((value as Record<string, unknown>)[condition]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A package's entry for `subpath` (`.` or `./x`) from its `exports`, else `main`. */
function entryOf(
  manifest: { main?: string; exports?: unknown },
  subpath: string,
): string | undefined {
  const { exports } = manifest;
  if (exports !== undefined && exports !== null) {
    const map = exports as Record<string, unknown>;
    const isSubpathMap =
      typeof exports === 'object' && Object.keys(map).some((key) => key.startsWith('.'));
    if (isSubpathMap) return conditional(map[subpath]);
    return subpath === '.' ? conditional(exports) : undefined;
  }
  if (subpath !== '.') return subpath;
  return manifest.main ?? 'index.js';
}

const acceptedSpecs = `Give a built-in key (${strategyKeys.join(', ')}), a path to a .ts/.js/.mjs file (strategies/my-idea.ts), or an installed package's name`;

function unknownStrategy(spec: string): StrategyLoadError {
  const close = strategyKeys.filter((key) => editDistance(key, spec) <= 2);
  return new StrategyLoadError(
    spec,
    `not a built-in strategy${close.length > 0 ? ` (did you mean ${close.join(' or ')}?)` : ''}, not a file, and no installed package of that name. ${acceptedSpecs}`,
  );
}

/**
 * Loads a strategy: a built-in key, a path to a module file (`.ts`, `.mts`, `.js`, `.mjs`,
 * `.cjs`; TypeScript runs on Node's type stripping, no build step), or an installed package's
 * name; `#name` after a file or package picks a named export. The module's default export, or
 * its only exported definition, is the strategy. Each call imports the file as it is now: a
 * changed file gives the changed strategy (and a new `sha256`).
 *
 * @example
 * ```ts
 * const loaded = await loadStrategy('strategies/my-idea.ts');
 * const strategy = loaded.definition.create({ period: 20 }, { interval: '1h' });
 * console.log(loaded.provenance.sha256); // the file's hash, as reports record it
 * ```
 * @throws {StrategyLoadError} naming the file and the fix: no such file, an unsupported
 *   extension, an import that cannot be found, a syntax error, no exported definition (or
 *   several without `#name`), a schema without defaults, or a key that is not a new lower snake
 *   case key.
 */
export async function loadStrategy(
  spec: string,
  options: LoadStrategyOptions = {},
): Promise<LoadedStrategy> {
  const cwd = options.cwd ?? process.cwd();
  const trimmed = spec.trim();
  if (trimmed === '') {
    throw new StrategyLoadError('(empty)', `no strategy given. ${acceptedSpecs}`);
  }
  if (isStrategyKey(trimmed)) {
    const definition = getStrategyDefinition(trimmed);
    return {
      spec: trimmed,
      definition,
      provenance: { spec: trimmed, kind: 'builtin', key: trimmed },
      label: trimmed,
    };
  }
  const { target, exportName } = splitExport(trimmed);
  if (looksLikePath(target)) {
    const file = resolve(cwd, target);
    const subject = shown(file, cwd);
    if (statSync(file, { throwIfNoEntry: false })?.isFile() !== true) {
      throw new StrategyLoadError(
        subject,
        `no such file (looked in ${cwd}). Give the path of a strategy module, relative to ${cwd} or absolute`,
      );
    }
    if (!strategyFileExtensions.includes(extname(file).toLowerCase())) {
      throw new StrategyLoadError(
        subject,
        `is not a strategy module: expected a file ending in ${strategyFileExtensions.join(', ')}`,
      );
    }
    return loadModule(trimmed, file, exportName, subject, { label: subject, kind: 'file' });
  }
  if (!packageName.test(target)) throw unknownStrategy(trimmed);
  const found = findPackage(target, cwd);
  if (found === undefined) throw unknownStrategy(trimmed);
  return loadModule(trimmed, found.file, exportName, target, {
    label: `${found.name}${found.version === undefined ? '' : `@${found.version}`}`,
    kind: 'package',
    packageName: found.name,
    ...(found.version === undefined ? {} : { packageVersion: found.version }),
  });
}

/** The spec that loads a recorded module file again: its absolute path, with its export. */
function recordedFileSpec(provenance: StrategyProvenance): string {
  if (provenance.path === undefined) {
    throw new StrategyLoadError(
      provenance.spec,
      'its provenance records no file path, so it cannot be loaded again. Run the strategy by its path',
    );
  }
  return provenance.exportName === undefined || provenance.exportName === 'default'
    ? provenance.path
    : `${provenance.path}#${provenance.exportName}`;
}

/**
 * The spec that loads a recorded strategy again with {@link loadStrategy}: its key, its package
 * by name, or its file's absolute path (with its export).
 *
 * @example
 * ```ts
 * const loaded = await loadStrategy(recordedSpec(run.provenance.strategy));
 * ```
 * @throws {StrategyLoadError} for a file strategy whose provenance records no path.
 */
export function recordedSpec(provenance: StrategyProvenance): string {
  if (provenance.kind === 'file') return recordedFileSpec(provenance);
  return provenance.kind === 'builtin' ? provenance.key : provenance.spec;
}

/**
 * Loads the strategy a recorded run used (`pnpm backtest --rerun`), from its provenance: a
 * built-in key, the recorded file's absolute path (as it is now: a changed file loads, with its
 * new `sha256`), or the package by name from `cwd`. The result's `spec` is the recorded one, so
 * an unchanged strategy gives the recorded provenance exactly.
 *
 * @example
 * ```ts
 * const loaded = await reloadStrategy(report.provenance.strategy);
 * loaded.provenance.sha256 === report.provenance.strategy.sha256; // false: the file changed
 * ```
 * @throws {StrategyLoadError} when the file is gone or no longer loads.
 */
export async function reloadStrategy(
  provenance: StrategyProvenance,
  options: LoadStrategyOptions = {},
): Promise<LoadedStrategy> {
  const loaded = await loadStrategy(recordedSpec(provenance), options);
  return {
    ...loaded,
    spec: provenance.spec,
    provenance: { ...loaded.provenance, spec: provenance.spec },
  };
}

/**
 * The strategy and parameters a recorded run used (`pnpm backtest --rerun`): the strategy by
 * {@link reloadStrategy}, the recorded parameters checked again by its schema.
 *
 * @example
 * ```ts
 * const { loaded, params } = await reloadRun(report.provenance);
 * const strategy = loaded.definition.create(params, { interval: '1h' });
 * ```
 * @throws {StrategyLoadError} when the strategy no longer loads; `StrategyParamsError` when it
 *   no longer takes the recorded parameters.
 */
export async function reloadRun(
  run: Pick<RunProvenance, 'strategy' | 'params'>,
  options: LoadStrategyOptions = {},
): Promise<{ loaded: LoadedStrategy; params: Record<string, unknown> }> {
  const loaded = await reloadStrategy(run.strategy, options);
  return { loaded, params: loaded.definition.parseParams(run.params) as Record<string, unknown> };
}

/**
 * Loads, in another thread or process, the strategy a run started with, from its provenance
 * (which is plain JSON), checking that the file is still the one the run started with.
 *
 * @throws {StrategyLoadError} when the file changed since (`sha256` differs) or does not load.
 */
export async function loadStrategyForWorker(
  provenance: StrategyProvenance,
): Promise<DefinedStrategy> {
  if (provenance.kind === 'builtin') return getStrategyDefinition(provenance.key);
  const loaded = await loadStrategy(recordedFileSpec(provenance));
  if (loaded.provenance.sha256 !== provenance.sha256) {
    throw new StrategyLoadError(
      provenance.path ?? provenance.spec,
      `changed while the run was going (sha256 ${provenance.sha256?.slice(0, 12)}… → ${loaded.provenance.sha256?.slice(0, 12)}…). Run again`,
    );
  }
  return loaded.definition;
}
