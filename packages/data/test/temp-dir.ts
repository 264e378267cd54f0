/**
 * A fresh directory under the OS temp dir per test, removed afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Creates a temp dir before each test and removes it after; `dir()` returns the current one. */
export function useTempDir(): { dir: () => string } {
  let current: string | undefined;
  beforeEach(() => {
    current = mkdtempSync(path.join(os.tmpdir(), 'lumenlink-data-'));
  });
  afterEach(() => {
    if (current !== undefined) rmSync(current, { recursive: true, force: true });
    current = undefined;
  });
  return {
    dir: () => {
      if (current === undefined) throw new Error('useTempDir: no test is running');
      return current;
    },
  };
}
