/**
 * The `.env` file: read with `node:util`'s `parseEnv` after a UTF-8 byte order mark and CR line
 * ends are removed, and checked strictly, since a line the parser skips or a key nothing reads
 * is a setting silently lost (`KILLSWITCH=true` in `.env` would start the bot live and active).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { type ConfigIssue } from '@lumenlink/core';
import { isConfigKey } from './config-keys.js';
import { suggestConfigKey } from './unknown-keys.js';

/** Environment values, as from `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A `.env` file as read by {@link readEnvFile}. */
export interface EnvFile {
  /** Whether the file exists (a missing file is an empty one). */
  readonly found: boolean;
  /** Its KEY=value pairs. */
  readonly values: Env;
  /**
   * What would be silently lost: keys no part of LumenLink reads, and lines that are not
   * `KEY=value`, comments or blank. Empty when the file is good; values are never quoted.
   */
  readonly issues: readonly ConfigIssue[];
}

/**
 * Keys a `.env` file may hold besides the config table's: the AWS credentials the secrets
 * resolution of the bot reads from the merged env (`SECRETS_SOURCE=aws`).
 */
const envFileExtraKeys: readonly string[] = Object.freeze([
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
]);

/** `export KEY = value`, `KEY=value`: the key, and the value text after `=`. */
const assignmentPattern = /^(?:export\s+)?([^=]*?)\s*=\s*(.*)$/;
const quotes = new Set(['"', "'", '`']);

/**
 * Reads a `.env` file (KEY=value lines, `#` comments, quoted values, `export` prefixes). A UTF-8
 * byte order mark is dropped and CRLF or CR line ends read as LF, so a file saved by a Windows
 * editor reads the same. A missing file is an empty environment; any other read error is
 * thrown, since a config that silently vanished would trade with defaults. Problems are
 * returned in `issues`, not thrown: the caller reports them as a configuration error (exit 2).
 *
 * @example
 * ```ts
 * const file = readEnvFile('.env');
 * if (file.issues.length > 0) throw new ConfigError(file.issues, { title: 'Invalid .env' });
 * ```
 * @throws the read error when the file exists but cannot be read.
 */
export function readEnvFile(path: string): EnvFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { found: false, values: {}, issues: [] };
    }
    throw error;
  }
  return { found: true, ...parseEnvText(text) };
}

/**
 * Parses the text of a `.env` file as {@link readEnvFile} does: BOM and CR line ends removed,
 * `parseEnv`, then every key checked against the config table (and {@link envFileExtraKeys}),
 * with a "did you mean" for a near miss, and every line that is not `KEY=value`, a comment or
 * blank reported by its number.
 *
 * @example
 * ```ts
 * parseEnvText('\uFEFFKILLSWITCH=true\r\n').issues[0]?.problem; // '... (did you mean KILL_SWITCH?) ...'
 * ```
 */
export function parseEnvText(text: string): Omit<EnvFile, 'found'> {
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const values = parseEnv(clean);
  const scan = scanLines(clean);
  const issues: ConfigIssue[] = [...scan.issues];
  // In file order (parseEnv's object is not), plus any key the scan did not see.
  const keys = new Set([
    ...scan.keys.filter((key) => Object.hasOwn(values, key)),
    ...Object.keys(values),
  ]);
  for (const key of keys) {
    if (isConfigKey(key) || envFileExtraKeys.includes(key)) continue;
    const suggestion = suggestConfigKey(key.trim());
    issues.push({
      key,
      problem:
        suggestion === undefined
          ? 'is not a LumenLink key, so nothing would read it'
          : `is not a LumenLink key, so nothing would read it (did you mean ${suggestion}?)`,
      accepted: `a key of the README's config reference, or ${envFileExtraKeys.join(', ')}; set other programs' variables in their own environment, not in this file`,
    });
  }
  return { values, issues };
}

/**
 * The keys of a `.env` text in file order, and the lines `parseEnv` would skip without a word:
 * neither blank, a comment nor `KEY=value`.
 */
function scanLines(text: string): { keys: string[]; issues: ConfigIssue[] } {
  const keys: string[] = [];
  const issues: ConfigIssue[] = [];
  let openQuote: string | null = null;
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (openQuote !== null) {
      // Inside a quoted value that spans lines: it ends at the next matching quote.
      if (line.includes(openQuote)) openQuote = null;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = assignmentPattern.exec(trimmed);
    const key = match?.[1] ?? '';
    if (match === null || key === '') {
      issues.push({
        key: `line ${index + 1}`,
        problem:
          match === null
            ? 'has no "=", so it would be ignored'
            : 'has no key before "=", so it would be ignored',
        accepted: 'KEY=value, a # comment, or a blank line',
      });
      continue;
    }
    keys.push(key);
    const value = match[2] ?? '';
    const quote = value[0];
    if (quote === undefined || !quotes.has(quote) || value.slice(1).includes(quote)) continue;
    if (lines.slice(index + 1).some((next) => next.includes(quote))) {
      // A quoted value spanning lines, as parseEnv reads it: it ends at the next such quote.
      openQuote = quote;
    } else {
      // parseEnv keeps the quote in the value and reads the next lines as usual.
      issues.push({
        key,
        problem: `opens a ${quote} quote on line ${index + 1} that never closes, so the value would keep the quote`,
        accepted: `a closing ${quote} at the end of the value, or no quote`,
      });
    }
  }
  return { keys, issues };
}

/** The process environment over the `.env` file: a variable set in the shell wins. */
export function mergeEnv(fileValues: Env, processEnv: Env): Env {
  return { ...fileValues, ...processEnv };
}
