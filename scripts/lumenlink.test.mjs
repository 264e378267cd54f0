/**
 * The `./lumenlink` wrapper and `scripts/test.mjs`, run as a user runs them (`node --test`, part
 * of `pnpm test`). The wrapper is copied into a temporary root with fake `npm` and `pnpm` on the
 * PATH that record what they were given, so the tests see exactly what the install step and the
 * command would have received, without installing anything.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { root } from './lib/process.mjs';

const run = promisify(execFile);
const made = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const pnpmVersion = manifest.packageManager.slice('pnpm@'.length).split('+')[0];

const nodeVersion = /^NODE_VERSION=(\S+)$/m.exec(
  readFileSync(path.join(root, 'lumenlink'), 'utf8'),
)?.[1];

/**
 * A root holding the wrapper, a package.json and a lockfile, with fake npm and pnpm on the PATH.
 * npm answers `config list` with `npmConfig` only when the Node on the PATH is the system's, as
 * the real npm finds its global npmrc under the prefix of the Node that runs it; its installs
 * are logged. pnpm logs each call with the settings it got. `oldNode`: the PATH's node is too old
 * (so the wrapper puts the Node of .tools/ first) and the PATH's pnpm is another version (so the
 * wrapper installs the pinned one with npm).
 */
function fakeRoot(npmConfig, { oldNode = false } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lumenlink-wrapper-'));
  made.push(dir);
  copyFileSync(path.join(root, 'lumenlink'), path.join(dir, 'lumenlink'));
  writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ packageManager: manifest.packageManager }),
  );
  writeFileSync(path.join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
  const calls = path.join(dir, 'calls.log');
  const script = (file, body) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  };
  const bin = path.join(dir, 'fake-bin');
  const pnpm = `if [ "$1" = "--version" ]; then echo ${pnpmVersion}; exit 0; fi
if [ "$1" = "install" ]; then mkdir -p node_modules; fi
printf '%s|cafile=%s|extra=%s|proxy=%s|runner=%s\\n' "$*" "\${npm_config_cafile-}" "\${NODE_EXTRA_CA_CERTS-}" "\${npm_config_https_proxy-}" "\${LUMENLINK_RUNNER-}" >> ${calls}`;
  script(
    path.join(bin, 'npm'),
    `if [ "$1 $2" = "config list" ]; then
  if [ "$(node --version)" = v20.0.0 ] || [ ${oldNode ? 'no' : 'yes'} = yes ]; then echo '${JSON.stringify(npmConfig)}'; else echo '{}'; fi
  exit 0
fi
if [ "$1" = install ]; then
  printf 'npm %s|cafile=%s|extra=%s\\n' "$*" "\${npm_config_cafile-}" "\${NODE_EXTRA_CA_CERTS-}" >> ${calls}
  mkdir -p node_modules/.bin && cp ${path.join(dir, 'pnpm-to-install')} node_modules/.bin/pnpm
  exit 0
fi
exit 9`,
  );
  script(path.join(dir, 'pnpm-to-install'), pnpm);
  if (oldNode) {
    script(path.join(bin, 'pnpm'), 'echo 0.0.1');
    script(
      path.join(bin, 'node'),
      `case "$*" in *process.versions.node*) exit 1 ;; --version) echo v20.0.0; exit 0 ;; esac
exec ${process.execPath} "$@"`,
    );
    script(
      path.join(dir, '.tools/node/node_modules/node/node_modules/node-fake/bin/node'),
      `if [ "$1" = --version ]; then echo v${nodeVersion}; exit 0; fi\nexec ${process.execPath} "$@"`,
    );
  } else {
    script(path.join(bin, 'pnpm'), pnpm);
  }
  return { dir, bin, calls };
}

/** Runs the wrapper from `cwd` as `invoked`, with only the fake tools and Node on the PATH. */
async function wrapper(fake, invoked, args, env = {}) {
  const nodeDir = path.dirname(process.execPath);
  return run(invoked, args, {
    cwd: fake.dir,
    env: { HOME: fake.dir, PATH: `${fake.bin}:${nodeDir}:/usr/bin:/bin`, ...env },
  });
}

describe('./lumenlink', () => {
  it('prints its commands for --help, -h, help and no argument, and installs nothing', async () => {
    const fake = fakeRoot({});
    for (const args of [['--help'], ['-h'], ['help'], []]) {
      const { stdout } = await wrapper(fake, './lumenlink', args);
      assert.match(stdout, /^Usage: \.\/lumenlink <command> \[flags\]/m);
      for (const command of ['demo', 'backtest', 'optimize', 'paper', 'live', 'test', 'emulator']) {
        assert.match(stdout, new RegExp(`^  ${command} `, 'm'), `${command} is listed`);
      }
    }
    assert.throws(() => readFileSync(fake.calls), /ENOENT/);
  });

  it('lists only commands the workspace has', async () => {
    const fake = fakeRoot({});
    const { stdout } = await wrapper(fake, './lumenlink', ['--help']);
    const listed = [...stdout.matchAll(/^ {2}([a-z][\w:-]*(?:, [\w:-]+)*) {2,}/gm)].flatMap((m) =>
      m[1].split(', '),
    );
    assert.ok(listed.length >= 15, `found ${listed.join(' ')}`);
    for (const command of listed) {
      assert.ok(command in manifest.scripts, `${command} is a script of package.json`);
    }
  });

  it('hands npm’s CA file and proxy to the pnpm install and to Node, and names itself to the command', async () => {
    const fake = fakeRoot({
      cafile: '/etc/corp/it’s ca.pem',
      'https-proxy': 'http://proxy.corp:3128',
      noproxy: [''],
      ca: null,
    });
    await wrapper(fake, path.join(fake.dir, 'lumenlink'), ['backtest', '--help']);
    const calls = readFileSync(fake.calls, 'utf8').trim().split('\n');
    assert.equal(calls.length, 2);
    assert.equal(
      calls[0],
      `install --frozen-lockfile|cafile=/etc/corp/it’s ca.pem|extra=/etc/corp/it’s ca.pem|proxy=http://proxy.corp:3128|runner=`,
    );
    assert.match(calls[1], new RegExp(`^backtest --help\\|.*\\|runner=${fake.dir}/lumenlink$`));
  });

  it('hands the system npm’s CA file to npm installing pnpm under the Node of .tools/', async () => {
    const fake = fakeRoot({ cafile: '/etc/corp/ca.pem' }, { oldNode: true });
    await wrapper(fake, './lumenlink', ['demo']);
    const calls = readFileSync(fake.calls, 'utf8').trim().split('\n');
    assert.deepEqual(calls, [
      `npm install --no-save --no-package-lock --no-audit --no-fund --loglevel=error pnpm@${pnpmVersion}|cafile=/etc/corp/ca.pem|extra=/etc/corp/ca.pem`,
      'install --frozen-lockfile|cafile=/etc/corp/ca.pem|extra=/etc/corp/ca.pem|proxy=|runner=',
      'demo|cafile=/etc/corp/ca.pem|extra=/etc/corp/ca.pem|proxy=|runner=./lumenlink',
    ]);
  });

  it('keeps CA settings already in the environment', async () => {
    const fake = fakeRoot({ cafile: '/from/npm.pem' });
    await wrapper(fake, './lumenlink', ['demo'], {
      npm_config_cafile: '/mine.pem',
      NODE_EXTRA_CA_CERTS: '/mine-too.pem',
    });
    const [install, demo] = readFileSync(fake.calls, 'utf8').trim().split('\n');
    assert.match(install, /\|cafile=\/mine\.pem\|extra=\/mine-too\.pem\|/);
    assert.match(demo, /^demo\|.*\|runner=\.\/lumenlink$/);
  });
});

describe('scripts/run-source.mjs', () => {
  it('runs a TypeScript program and the @lumenlink packages it imports from their sources', async () => {
    // Inside the repository (Node strips types only outside node_modules, and the packages
    // resolve from here), removed afterwards.
    const dir = mkdtempSync(path.join(root, 'scripts', '.probe-'));
    made.push(dir);
    writeFileSync(path.join(dir, 'dep.ts'), 'export const twice = (n: number): number => 2 * n;\n');
    writeFileSync(
      path.join(dir, 'probe.ts'),
      [
        "import { commandHint } from '@lumenlink/core';",
        "import { twice } from './dep.js';",
        'const four: number = twice(2);',
        "console.log(JSON.stringify({ four, hint: commandHint('demo', {}), core: import.meta.resolve('@lumenlink/core'), argv: process.argv.slice(1) }));",
      ].join('\n'),
    );
    const probe = path.join(dir, 'probe.ts');
    const { stdout } = await run(process.execPath, [
      path.join(root, 'scripts/run-source.mjs'),
      probe,
      '--x',
      'y',
    ]);
    assert.deepEqual(JSON.parse(stdout), {
      four: 4,
      hint: 'pnpm demo',
      core: pathToFileURL(path.join(root, 'packages/core/src/index.ts')).href,
      argv: [probe, '--x', 'y'],
    });
  });

  it('refuses anything but a .ts program', async () => {
    const result = await run(process.execPath, [
      path.join(root, 'scripts/run-source.mjs'),
      'x.js',
    ]).catch((e) => e);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Usage: node scripts\/run-source\.mjs <program\.ts>/);
  });
});

describe('scripts/pack.mjs (pnpm pack:lib)', () => {
  const pack = (args, options = {}) =>
    run(process.execPath, [path.join(root, 'scripts/pack.mjs'), ...args], {
      cwd: root,
      ...options,
    });

  it('takes every @lumenlink package a library depends on along, each after its dependencies', async () => {
    const { stdout } = await pack(['runtime', '--list']);
    const listed = stdout.trim().split('\n');
    assert.deepEqual(
      [...listed].sort(),
      ['config', 'core', 'engine', 'execution', 'indicators', 'risk', 'runtime'].map(
        (n) => `@lumenlink/${n}`,
      ),
    );
    for (const [index, name] of listed.entries()) {
      const dir = path.join(root, 'packages', name.slice('@lumenlink/'.length));
      const deps = Object.keys(
        JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).dependencies,
      );
      for (const dep of deps.filter((d) => d.startsWith('@lumenlink/'))) {
        assert.ok(listed.indexOf(dep) < index, `${dep} is packed before ${name}`);
      }
    }
  });

  it('names the libraries when a name is not one', async () => {
    const result = await pack(['runtim']).catch((error) => error);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^pack:lib: runtim is not a LumenLink library; the libraries are .*@lumenlink\/runtime/,
    );
  });

  it('packs a library with its dependencies into tarballs that npm installs together', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'lumenlink-pack-'));
    made.push(project);
    writeFileSync(path.join(project, 'package.json'), '{"private":true,"type":"module"}\n');
    const { stdout } = await pack(['@lumenlink/config', '--out', 'tarballs'], {
      env: { ...process.env, LUMENLINK_CWD: project },
    });
    const install = /^ {2}(npm install .*)$/m.exec(stdout)?.[1];
    assert.equal(
      install,
      'npm install ./tarballs/lumenlink-core-0.0.0.tgz ./tarballs/lumenlink-config-0.0.0.tgz',
    );
    await run('sh', ['-c', `${install} --prefer-offline --no-audit --no-fund --loglevel=error`], {
      cwd: project,
    });
    const used = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const { loadConfig } = await import('@lumenlink/config'); console.log(loadConfig({ MODE: 'paper' }).mode);",
      ],
      { cwd: project },
    );
    assert.equal(used.stdout.trim(), 'paper');
  });
});

describe('scripts/test.mjs', () => {
  it('stops with one line naming the fix when there is no Chromium, before any test runs', async () => {
    const result = await run(process.execPath, [path.join(root, 'scripts/test.mjs')], {
      cwd: root,
      env: { PATH: path.dirname(process.execPath), CHROMIUM_PATH: '/nowhere/chromium' },
    }).catch((error) => error);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(
      result.stderr,
      /^test: CHROMIUM_PATH=\/nowhere\/chromium is not an executable; .*sudo apt-get install chromium.*\n$/,
    );
  });
});
