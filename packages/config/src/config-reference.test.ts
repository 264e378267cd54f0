import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeyList } from './config-keys.js';
import { configReferenceMarkdown } from './config-reference.js';

describe('configReferenceMarkdown', () => {
  const markdown = configReferenceMarkdown();
  const lines = markdown.trimEnd().split('\n');

  it('has a header, a divider and one row per key', () => {
    expect(lines[0]).toMatch(/^\| Key +\| Default +\| Accepted +\| Description +\|$/);
    expect(lines[1]).toMatch(/^\| -+ \| -+ \| -+ \| -+ \|$/);
    expect(lines).toHaveLength(2 + configKeyList.length);
    for (const [index, spec] of configKeyList.entries()) {
      const line = lines[index + 2] ?? '';
      expect(line.startsWith(`| \`${spec.key}\` `)).toBe(true);
      expect(line).toContain(spec.accepted);
      expect(line).toContain(spec.description);
    }
  });

  it('pads every line to the same width', () => {
    expect(new Set(lines.map((line) => line.length)).size).toBe(1);
  });

  it('marks secrets and unset defaults', () => {
    expect(markdown).toMatch(/\| `HTTP_TOKEN` +\| \(unset\) +\|[^\n]*\| Secret\. /);
    expect(markdown).toMatch(/\| `SYMBOLS` +\| `BTC-USD,ETH-USD` +\|/);
  });

  it('matches the committed README-config.md (regenerate it from this function if not)', () => {
    const committed = readFileSync(new URL('../README-config.md', import.meta.url), 'utf8');
    expect(committed).toBe(markdown);
  });

  it('is pasted into the root README between its config-reference markers', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('<!-- config-reference:start -->');
    const end = readme.indexOf('<!-- config-reference:end -->');
    expect(start).toBeGreaterThan(-1);
    expect(readme.slice(start, end)).toContain(markdown.trim());
  });
});
