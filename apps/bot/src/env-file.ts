import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** Environment values, as from `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads a `.env` file (KEY=value lines, `#` comments, quoted values). A missing file is an empty
 * environment; any other read error is thrown, since a config that silently vanished would
 * trade with defaults.
 */
export function readEnvFile(path: string): { readonly found: boolean; readonly values: Env } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, values: {} };
    throw error;
  }
  return { found: true, values: parseEnv(text) };
}

/** The process environment over the `.env` file: a variable set in the shell wins. */
export function mergeEnv(fileValues: Env, processEnv: Env): Env {
  return { ...fileValues, ...processEnv };
}
