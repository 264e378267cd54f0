/**
 * A Node program started as a child process for a test, with every line it writes (stdout and
 * stderr, in arrival order) collected as it comes. Shared by the tests that run the bot or the
 * exchange emulator as real processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** A started program: the process, its lines so far, and how it ended. */
export interface NodeProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node <args>`; `env` replaces the environment when given (else it is inherited). The
 * caller keeps `child` to kill it if the test fails half-way.
 */
export function startNodeProcess(
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): NodeProcess {
  const child = spawn(process.execPath, args, {
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.env === undefined ? {} : { env: options.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let partial = '';
  const onData = (chunk: Buffer): void => {
    partial += chunk.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, lines, exited };
}
