/**
 * Typo detection: an env key that looks like one of ours but is not one would be silently
 * ignored (a misspelt `RISK_MAX_POSITON_USD=50` would trade with the default 250), so it is an
 * error with a suggestion.
 */
import type { ConfigIssue } from '@lumenlink/core';
import { editDistance } from '@lumenlink/core';
import { configKeyList, isConfigKey } from './config-keys.js';
import type { ConfigKey } from './config-keys.js';

/** Key prefixes that belong to LumenLink: any other key with one of them is a likely typo. */
export const configKeyFamilies = [
  'RISK_',
  'GUARD_',
  'PAPER_',
  'TELEGRAM_',
  'DISCORD_',
  'EXCHANGE_',
  'HTTP_',
  'SECRETS_',
  'DATA_',
  'REPLAY_',
  'SIGNAL_',
  'TRAILING_',
  'DEMO_',
] as const;

/** Well-known keys of other software that share a family prefix (compared upper-cased). */
const foreignKeys: ReadonlySet<string> = new Set(['HTTP_PROXY']);

/**
 * The known key closest to `key` by {@link editDistance}, if close enough to be a likely typo
 * (at most 2 edits, or a quarter of the key's length for long keys).
 *
 * @example
 * ```ts
 * suggestConfigKey('RISK_MAX_POSITON_USD'); // 'RISK_MAX_POSITION_USD'
 * ```
 */
export function suggestConfigKey(key: string): ConfigKey | undefined {
  const upper = key.toUpperCase();
  const limit = Math.max(2, Math.floor(upper.length / 4));
  let best: ConfigKey | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const spec of configKeyList) {
    const distance = editDistance(upper, spec.key);
    if (distance < bestDistance && isConfigKey(spec.key)) {
      best = spec.key;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** `key` upper-cased without underscores: `STOPLOSS_PCT` and `STOP_LOSS_PCT` read the same. */
function squeeze(key: string): string {
  return key.toUpperCase().replaceAll('_', '');
}

/** Whether `a` is `b` with two adjacent characters swapped (`KILL_SWTICH`, `KILL_SWITCH`). */
function isAdjacentSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let index = 0;
  while (a[index] === b[index]) index += 1;
  return (
    a[index] === b[index + 1] &&
    a[index + 1] === b[index] &&
    a.slice(index + 2) === b.slice(index + 2)
  );
}

/**
 * How many edits (see {@link editDistance}) a process-env key may be away from a known key of
 * `length` characters and still count as its typo: 0 up to 4 characters (`HOME` and `MORE` are
 * not `MODE`), 1 up to 8 (`SYMBOL` is `SYMBOLS`), 2 beyond (`RISK_MAX_POSITON_US`).
 */
export function typoDistanceLimit(length: number): number {
  if (length <= 4) return 0;
  return length <= 8 ? 1 : 2;
}

/**
 * The known key that `key` is a near miss of, by rules strict enough to run on a whole process
 * environment (`PATH`, `HOME`, `CI`, `NODE_OPTIONS`, `npm_*`... never match): the same key with
 * underscores removed, added or moved (`KILLSWITCH`, `STOPLOSS_PCT`), two adjacent characters
 * swapped (`KILL_SWTICH`, `MDOE`), or within {@link typoDistanceLimit} edits of it. Compared
 * upper-cased; `undefined` for a known key or no near miss.
 *
 * @example
 * ```ts
 * nearConfigKey('TAKEPROFIT_PCT'); // 'TAKE_PROFIT_PCT'
 * nearConfigKey('HOME'); // undefined
 * ```
 */
export function nearConfigKey(key: string): ConfigKey | undefined {
  const upper = key.toUpperCase();
  if (isConfigKey(key)) return undefined;
  let best: ConfigKey | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const spec of configKeyList) {
    const known = spec.key;
    if (!isConfigKey(known)) continue;
    if (upper === known || squeeze(upper) === squeeze(known) || isAdjacentSwap(upper, known)) {
      return known;
    }
    // Cheap length filter first: the distance is at least the difference in length.
    const limit = typoDistanceLimit(known.length);
    if (Math.abs(upper.length - known.length) > limit) continue;
    const distance = editDistance(upper, known);
    if (distance <= limit && distance < bestDistance) {
      best = known;
      bestDistance = distance;
    }
  }
  return best;
}

/** What the bot says about a key of other software that a rule took for one of ours. */
const notOursHint = 'if it belongs to other software, unset it for the bot (env -u KEY)';

/**
 * One issue per env key that is not ours but looks like it, so a misspelt safety key
 * (`KILL_SWTICH=true`, `STOPLOSS_PCT=2`) can never be silently ignored: a known key in the wrong
 * case; a near miss of a known key ({@link nearConfigKey}: underscores removed or moved,
 * adjacent characters swapped, a small edit distance scaled to the key's length); or a key with
 * one of {@link configKeyFamilies} that is not in the table. Unset and blank values are ignored,
 * and values are never quoted (the key may be a misspelt secret).
 */
export function unknownKeyIssues(env: Readonly<Record<string, string | undefined>>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || value.trim() === '' || isConfigKey(key)) continue;
    const upper = key.toUpperCase();
    if (foreignKeys.has(upper)) continue;
    if (isConfigKey(upper)) {
      // On Windows env lookups ignore case, so `mode` is also read as MODE: nothing is lost.
      if (env[upper] !== value) {
        issues.push({
          key,
          problem: `is not a known key (env keys are case-sensitive; did you mean ${upper}?)`,
        });
      }
      continue;
    }
    const family = configKeyFamilies.find((prefix) => upper.startsWith(prefix));
    const near = nearConfigKey(upper);
    if (near !== undefined) {
      // A key outside our families may be another program's that happens to look like ours.
      const hint = family === undefined ? `; ${notOursHint}` : '';
      issues.push({
        key,
        problem: `is not a known key, so it would be ignored (did you mean ${near}?)${hint}`,
      });
      continue;
    }
    if (family === undefined) continue;
    const suggestion = suggestConfigKey(upper);
    if (suggestion === undefined) {
      const siblings = configKeyList
        .map((spec) => spec.key)
        .filter((known) => known.startsWith(family));
      issues.push({
        key,
        problem: 'is not a known key, so it would be ignored',
        accepted: `one of the ${family}* keys: ${siblings.join(', ')}`,
      });
    } else {
      issues.push({
        key,
        problem: `is not a known key, so it would be ignored (did you mean ${suggestion}?)`,
      });
    }
  }
  return issues;
}
