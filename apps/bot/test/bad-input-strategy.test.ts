/**
 * Bad strategy modules and bad parameters: each is a configuration error (exit 2) with one clear
 * message naming `STRATEGY`, `STRATEGY_PARAMS`, the flag or the parameter, and the fix, found
 * before the database is opened. Through `pnpm paper`'s and the demo's entry functions, and the
 * built entry point in a process of its own.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runDemo } from '../src/demo.js';
import { runBot } from '../src/main.js';
import { replayEnv, tempDir } from './helpers.js';
import { strategySource, userFolder } from './user-folder.js';

const user = userFolder();
afterAll(() => user.remove());
const good = user.write('strategies/good.ts', strategySource());

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function paper(
  env: Record<string, string>,
  argv: readonly string[] = [],
): Promise<{ code: number; err: string; dbPath: string }> {
  const dbPath = join(tempDir('lumenlink-badstrategy-'), 'never.db');
  const err = collect();
  const code = await runBot({
    argv: ['--mode', 'paper', ...argv],
    processEnv: replayEnv(dbPath, { STRATEGY: good, ...env }),
    envFile: join(tempDir('lumenlink-badstrategy-'), '.env'),
    err: err.stream,
    signal: new AbortController().signal,
  });
  return { code, err: err.text(), dbPath };
}

/** Each case: the env and flags, and what the message must say. */
const cases: {
  readonly name: string;
  readonly env?: Record<string, string>;
  readonly argv?: readonly string[];
  readonly says: readonly string[];
}[] = [
  {
    name: 'a strategy file that does not exist',
    env: { STRATEGY: join(user.dir, 'strategies/nope.ts') },
    says: [
      `STRATEGY: ${join(user.dir, 'strategies/nope.ts')}: no such file`,
      'Give the path of a strategy module',
    ],
  },
  {
    name: 'a file that exports no strategy',
    env: { STRATEGY: user.write('strategies/empty.ts', 'export const answer = 42;\n') },
    says: ['empty.ts: exports no strategy definition', 'export default defineStrategy('],
  },
  {
    name: 'an import that is not installed',
    env: {
      STRATEGY: user.write(
        'strategies/imports.ts',
        "import 'no-such-package-here';\nexport default 1;\n",
      ),
    },
    says: ['imports.ts: an import cannot be found', 'Install the packages it imports'],
  },
  {
    name: 'a built-in key misspelt',
    env: { STRATEGY: 'ema_crosover' },
    says: ['STRATEGY: ema_crosover: not a built-in strategy (did you mean ema_crossover?)'],
  },
  {
    name: 'a bad parameter value and an unknown parameter in STRATEGY_PARAMS, both listed',
    env: { STRATEGY_PARAMS: '{"minRise": -1, "minRize": 2}' },
    says: [
      'Invalid parameters for strategy my_idea',
      '2 problems',
      'parameter minRise:',
      'parameter minRize:',
    ],
  },
  {
    name: 'STRATEGY_PARAMS that is not JSON',
    env: { STRATEGY_PARAMS: '{minRise: 0.1}' },
    says: ['STRATEGY_PARAMS: "{minRise: 0.1}" is not valid JSON', 'keys quoted'],
  },
  {
    name: 'a STRATEGY_PARAMS file that does not exist',
    env: { STRATEGY_PARAMS: join(user.dir, 'missing.json') },
    says: ['STRATEGY_PARAMS: STRATEGY_PARAMS file', 'missing.json: no such file'],
  },
  {
    name: 'a --params-file of another strategy',
    argv: [
      '--params-file',
      user.write('other.params.json', '{"strategy":"x.ts","key":"other_idea","params":{}}'),
    ],
    says: [
      '--params-file: --params-file ',
      'holds parameters of strategy other_idea',
      'STRATEGY=x.ts',
    ],
  },
  {
    name: 'a --param without =',
    argv: ['--param', 'minRise'],
    says: ['--param: ', 'minRise'],
  },
  {
    name: 'a --param value the schema refuses',
    argv: ['--param', 'minRise=abc'],
    says: ['Invalid parameters for strategy my_idea', 'parameter minRise:'],
  },
];

describe('pnpm paper with a bad strategy or bad parameters', () => {
  for (const { name, env = {}, argv = [], says } of cases) {
    it(`${name}: exit 2, the message, before the database`, async () => {
      const { code, err, dbPath } = await paper(env, argv);
      expect(code).toBe(2);
      for (const text of says) expect(err).toContain(text);
      expect(err).toContain('Fix the keys above');
      expect(err).not.toMatch(/\n\s+at /);
      expect(existsSync(dbPath)).toBe(false);
    });
  }

  it('an unknown flag: the usage names the command the user ran (./lumenlink under the wrapper)', async () => {
    vi.stubEnv('LUMENLINK_RUNNER', './lumenlink');
    try {
      const { code, err } = await paper({}, ['--strateg', 'x']);
      expect(code).toBe(2);
      expect(err).toContain('Usage: ./lumenlink paper | ./lumenlink live [--strategy S]');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('the demo with a bad strategy or bad parameters', () => {
  it('a strategy file that does not exist, and a bad --param: exit 2 with the message', async () => {
    for (const [env, argv, says] of [
      [{ STRATEGY: join(user.dir, 'nope.ts') }, [], 'nope.ts: no such file'],
      [{ STRATEGY: good }, ['--param', 'minRise=-2'], 'parameter minRise:'],
    ] as const) {
      const dbPath = join(tempDir('lumenlink-badstrategy-'), 'demo.db');
      const out = collect();
      const code = await runDemo({
        argv: ['--db', dbPath, ...argv],
        processEnv: { HTTP_PORT: '0', ...env },
        envFile: join(tempDir('lumenlink-badstrategy-'), '.env'),
        out: out.stream,
        log: collect().stream,
      });
      expect(code).toBe(2);
      expect(out.text()).toContain(says);
      expect(existsSync(dbPath)).toBe(false);
    }
  });
});

/**
 * Cases where the import itself fails: run in the built entry point on plain Node, as users run
 * it (vitest's own module loader would answer these imports differently).
 */
describe('the built entry point, in a process of its own', () => {
  const appDir = fileURLToPath(new URL('..', import.meta.url));
  const main = join(appDir, 'dist', 'main.js');
  beforeAll(() => {
    // `pnpm test` builds every package and app first (`pnpm compile`); run alone, a test brings
    // the app's own dist up to date here.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: appDir });
  });
  user.write('strategies/broken.mjs', 'export default {\n');
  user.write('strategies/enum.ts', 'enum Side {\n  Buy,\n}\nexport default Side;\n');
  for (const [spec, says] of [
    ['strategies/empty.ts', ['STRATEGY: strategies/empty.ts: exports no strategy definition']],
    [
      'strategies/broken.mjs',
      ['STRATEGY: strategies/broken.mjs: does not parse', 'Fix the syntax of'],
    ],
    [
      'strategies/enum.ts',
      [
        'STRATEGY: strategies/enum.ts: uses TypeScript that Node cannot run without a build',
        'no enum',
      ],
    ],
  ] as const) {
    it(`exits 2 with the message for ${spec}, a path relative to the working directory`, () => {
      const dbPath = join(tempDir('lumenlink-badstrategy-'), 'never.db');
      const result = spawnSync(process.execPath, [main, '--mode', 'paper'], {
        cwd: user.dir,
        env: { PATH: process.env['PATH'], ...replayEnv(dbPath, { STRATEGY: spec }) },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(2);
      for (const text of says) expect(result.stderr).toContain(text);
      expect(existsSync(dbPath)).toBe(false);
    });
  }
});
