/**
 * The main entry of @lumenlink/core must load without winston and prom-client, which are
 * optional peers needed only by the `logging` and `metrics` subpaths. The package is compiled
 * into a scratch directory whose only installed module is zod, and each entry is imported in a
 * child Node process there.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageRoot = fileURLToPath(new URL('..', import.meta.url));
let scratch = '';

/** Compiles the three entries of src into `<directory>/dist`, as the build does. */
function compileInto(directory: string): void {
  const source = join(packageRoot, 'src');
  const program = ts.createProgram({
    rootNames: ['index.ts', 'logging/index.ts', 'metrics/index.ts'].map((entry) =>
      join(source, entry),
    ),
    options: {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      verbatimModuleSyntax: true,
      rootDir: source,
      outDir: join(directory, 'dist'),
      skipLibCheck: true,
    },
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error('compiling @lumenlink/core for the entry test failed');
}

/** Imports one compiled entry in a child process; its exported names, or the failure. */
async function importEntry(entry: string): Promise<{ names?: string[]; failure?: string }> {
  const url = pathToFileURL(join(scratch, 'dist', entry)).href;
  const script = `const m = await import(${JSON.stringify(url)}); console.log(JSON.stringify(Object.keys(m)));`;
  try {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: scratch,
      env: { PATH: process.env.PATH ?? '' },
    });
    return { names: JSON.parse(stdout) as string[] };
  } catch (error) {
    return { failure: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lumenlink-core-entry-'));
  compileInto(scratch);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
  await mkdir(join(scratch, 'node_modules'));
  const zod = await realpath(join(packageRoot, 'node_modules', 'zod'));
  await symlink(zod, join(scratch, 'node_modules', 'zod'), 'dir');
});

afterAll(async () => {
  if (scratch !== '') await rm(scratch, { recursive: true, force: true });
});

describe('@lumenlink/core without its optional peers', () => {
  it('loads the main entry with winston and prom-client absent', async () => {
    const { names, failure } = await importEntry('index.js');
    expect(failure).toBeUndefined();
    expect(names).toEqual(
      expect.arrayContaining(['LumenLinkError', 'seededRandom', 'createRedactor']),
    );
  });

  it('needs winston for the logging subpath and prom-client for the metrics subpath', async () => {
    const logging = await importEntry('logging/index.js');
    expect(logging.failure).toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(logging.failure).toMatch(/'winston'/);
    const metrics = await importEntry('metrics/index.js');
    expect(metrics.failure).toMatch(/ERR_MODULE_NOT_FOUND/);
    expect(metrics.failure).toMatch(/'prom-client'/);
  });
});
