/**
 * Secret redaction for logs and alerts. Pure: no I/O, no winston, inputs are never mutated.
 *
 * Three layers, applied by {@link createRedactor} to any value:
 * 1. fields whose name looks secret ({@link isSecretFieldName}) are replaced whole, at any depth;
 * 2. configured secret values are cut out of every string (raw and URL-, form- and JSON-encoded),
 *    and so are their cut forms: a piece of at least {@link minimumSecretFragmentLength}
 *    characters from the start or the end of a long secret (text cut short before it was
 *    redacted leaves one); see {@link secretFragmentSources};
 * 3. well-known secret shapes are cut out of every string even when nobody configured them
 *    ({@link redactSecretPatterns}): Telegram bot tokens, URL passwords, secret query parameters,
 *    `"apiKey": "..."` inside JSON text, `Authorization` and `X-...-KEY` / `...-SIGN` headers.
 *
 * Errors (with their `cause` chains and `AggregateError.errors`) become plain objects first, so
 * their messages and stacks are redacted too.
 */

/** The text that replaces a redacted value. */
export const redactedPlaceholder = '[REDACTED]';

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Nesting depth beyond which objects are summarised as `[Object]` / `[Array]` (default 10). */
  readonly maxDepth?: number;
  /** Array, Set and Map items kept before the rest is summarised (default 100). */
  readonly maxItems?: number;
  /**
   * Also redact the cut forms of long secrets: any piece of 8 or more characters from a
   * secret's start or end (default `true`). Switch it off only for text that never carries a
   * message (a metrics exposition), where an ordinary word that happens to start a secret (a
   * token beginning with `lumenlink`) must not be cut out of metric names.
   */
  readonly cutForms?: boolean;
}

/**
 * Returns a redacted, JSON-safe copy of any value. Strings stay strings; everything else becomes
 * plain JSON data (no cycles, bigints, Maps, non-finite numbers or class instances). Never throws.
 */
export interface Redactor {
  (value: string): string;
  (value: unknown): unknown;
}

/** Normalised-name fragments that make a field secret wherever they appear in its name. */
const secretNameFragments = [
  'secret',
  'token',
  'password',
  'passwd',
  'passphrase',
  'authorization',
  'cookie',
  'signature',
  'credential',
] as const;

/** Normalised names that are secret on exact match only. */
const secretExactNames = new Set(['auth', 'pass', 'pwd', 'sig', 'jwt']);

/**
 * Whether a field, header or query parameter name looks like it holds a secret.
 *
 * The name is lowercased and stripped of everything but letters and digits; it is secret when it
 * is or ends with `key`/`keys` (`apiKey`, `api_key`, `X-MBX-APIKEY`, `privateKey`), contains
 * secret, token, password, passwd, passphrase, authorization, cookie, signature or credential,
 * is one of auth, pass, pwd, sig, jwt, or its last `-`/`_` segment is `sign` (`CB-ACCESS-SIGN`).
 */
export function isSecretFieldName(name: string): boolean {
  const normalised = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (normalised.endsWith('key') || normalised.endsWith('keys')) return true;
  if (secretExactNames.has(normalised)) return true;
  if (/(?:^|[-_])sign$/i.test(name)) return true;
  return secretNameFragments.some((fragment) => normalised.includes(fragment));
}

/** Telegram bot token in a Bot API path: `/bot123456:AAH...`. */
const telegramBotPathPattern = /bot\d{1,20}:[A-Za-z0-9_-]{20,}/g;
/** A bare Telegram bot token: `123456789:AAH...` (the secret part is 35 characters). */
const telegramBareTokenPattern = /\b\d{5,}:[A-Za-z0-9_-]{30,}/g;
/** Discord webhook token: `/api/webhooks/<id>/<token>`. */
const discordWebhookPattern = /(\/api(?:\/v\d+)?\/webhooks\/\d+\/)[A-Za-z0-9_.-]+/gi;
/** `scheme://user:password@host`; the password is redacted. */
const urlUserinfoPattern = /([a-z][a-z0-9+.-]{0,30}:\/\/[^\s:/?#@]{0,200}:)[^\s/?#@]{1,500}@/gi;
// Every quantifier before a fixed delimiter is bounded, so no pattern is quadratic on long text.

/** `name=value` pairs in query strings, form bodies, fragments and prose. */
const namedValuePattern = /(^|[^A-Za-z0-9_.%-])([A-Za-z0-9_.%-]{1,100})=([^\s&#"'<>,;()[\]{}]+)/g;
/** `"name": "value"` or `"name": 123` inside JSON text. */
const jsonMemberPattern =
  /("([^"\\]{1,100})"\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
/** `Authorization: Bearer x`, `Cookie: a=b; c=d` in text. */
const authorizationHeaderPattern =
  /\b((?:proxy-)?authorization|cookie|set-cookie)(\s*[:=]\s*"?)([^\r\n",}]+)/gi;
/** Hyphenated header names in text, e.g. `X-MBX-APIKEY: abc` or `CB-ACCESS-SIGN: abc`. */
const hyphenatedHeaderPattern =
  /\b([A-Za-z][A-Za-z0-9]{0,40}(?:-[A-Za-z0-9]{1,40}){1,8})(\s*:\s*"?)([^\s",;}]+)/g;
/** A bearer token in prose. */
const bearerPattern = /\b(bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/gi;

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/**
 * Redacts well-known secret shapes from text, without any configured secret: Telegram bot tokens
 * (`/bot123:ABC.../` becomes `/bot[REDACTED]/`), Discord webhook tokens, URL passwords, values of
 * secret-named query, form and JSON members, `Authorization`/`Cookie` headers and secret-named
 * hyphenated headers (`X-MBX-APIKEY: ...`).
 */
export function redactSecretPatterns(text: string): string {
  let result = text;
  if (result.includes('bot')) {
    result = result.replace(telegramBotPathPattern, `bot${redactedPlaceholder}`);
  }
  if (result.includes(':')) {
    result = result.replace(telegramBareTokenPattern, redactedPlaceholder);
    if (result.includes('://')) {
      if (result.includes('@')) {
        result = result.replace(urlUserinfoPattern, `$1${redactedPlaceholder}@`);
      }
      if (/webhooks/i.test(result)) {
        result = result.replace(discordWebhookPattern, `$1${redactedPlaceholder}`);
      }
    }
    if (result.includes('"')) {
      result = result.replace(jsonMemberPattern, (match, prefix: string, name: string) =>
        isSecretFieldName(name) ? `${prefix}"${redactedPlaceholder}"` : match,
      );
    }
    if (result.includes('-')) {
      result = result.replace(hyphenatedHeaderPattern, (match, name: string, separator: string) =>
        isSecretFieldName(name) ? `${name}${separator}${redactedPlaceholder}` : match,
      );
    }
  }
  if (result.includes('=')) {
    result = result.replace(namedValuePattern, (match, before: string, name: string) =>
      isSecretFieldName(decodeName(name)) ? `${before}${name}=${redactedPlaceholder}` : match,
    );
  }
  if (/authorization|cookie/i.test(result)) {
    result = result.replace(
      authorizationHeaderPattern,
      (_match, name: string, separator: string) => `${name}${separator}${redactedPlaceholder}`,
    );
  }
  if (/bearer/i.test(result)) result = result.replace(bearerPattern, `$1${redactedPlaceholder}`);
  return result;
}

/** Secrets shorter than this are redacted on exact equality only (as substrings they over-match). */
const minimumSubstringSecretLength = 4;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** A pattern for an encoded variant that accepts `%2b` as well as `%2B`. */
function percentInsensitivePattern(encoded: string): string {
  return encoded.replace(/%[0-9A-Fa-f]{2}|[\s\S]/g, (token) => {
    if (!token.startsWith('%') || token.length !== 3) return escapeRegExp(token);
    const hex = token
      .slice(1)
      .split('')
      .map((digit) =>
        /[a-f]/i.test(digit) ? `[${digit.toUpperCase()}${digit.toLowerCase()}]` : digit,
      )
      .join('');
    return `%${hex}`;
  });
}

function encodedVariants(secret: string): string[] {
  const variants = new Set<string>([secret]);
  try {
    variants.add(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be URI-encoded; the raw form is still matched.
  }
  variants.add(new URLSearchParams({ v: secret }).toString().slice(2));
  variants.add(JSON.stringify(secret).slice(1, -1));
  return [...variants];
}

/**
 * The shortest piece of a secret's start or end that is redacted on its own (a cut form). Any
 * longer piece contains it, so text holds no 8-character prefix or suffix of a long secret.
 */
const minimumSecretFragmentLength = 8;

/** Secrets (or their secret parts) shorter than this are redacted whole only, never as pieces. */
const minimumFragmentedSecretLength = 16;

/** `scheme://host/...`: a secret that is a URL, whose scheme and host are not secret. */
const urlSecretPattern = /^[a-z][a-z0-9+.-]{1,20}:\/\/[^/?#\s]*/i;

/**
 * The parts of a secret whose cut forms are redacted: the secret itself, or for a URL (a
 * Discord webhook) each path segment and query value long enough to be a secret, since the
 * start of a URL (`https://`, the host, `/api/webhooks/`) is not.
 */
function secretFragmentSources(secret: string): string[] {
  const origin = urlSecretPattern.exec(secret)?.[0];
  const parts = origin === undefined ? [secret] : secret.slice(origin.length).split(/[/?#&=]/);
  return parts.filter((part) => part.length >= minimumFragmentedSecretLength);
}

/**
 * Replaces every piece of `source` of at least {@link minimumSecretFragmentLength} characters
 * that starts where `source` starts or ends where it ends (what is left of it when text was cut
 * short), each extended as far as it matches.
 */
function redactFragments(text: string, source: string): string {
  const length = minimumSecretFragmentLength;
  let result = text;
  const head = source.slice(0, length);
  for (let at = result.indexOf(head); at !== -1; at = result.indexOf(head, at + 1)) {
    let end = at + length;
    while (end < result.length && end - at < source.length && result[end] === source[end - at]) {
      end++;
    }
    result = `${result.slice(0, at)}${redactedPlaceholder}${result.slice(end)}`;
  }
  const tail = source.slice(-length);
  for (let at = result.indexOf(tail); at !== -1; at = result.indexOf(tail, at + 1)) {
    let start = at;
    let matched = length;
    while (start > 0 && matched < source.length) {
      if (result[start - 1] !== source[source.length - matched - 1]) break;
      start--;
      matched++;
    }
    result = `${result.slice(0, start)}${redactedPlaceholder}${result.slice(at + length)}`;
    at = start;
  }
  return result;
}

/** Builds one regular expression matching every configured secret in any of its encodings. */
function secretValuePattern(secrets: readonly string[]): RegExp | undefined {
  const alternatives = new Set<string>();
  for (const secret of secrets) {
    for (const variant of encodedVariants(secret)) {
      alternatives.add(
        variant === secret ? escapeRegExp(variant) : percentInsensitivePattern(variant),
      );
    }
  }
  if (alternatives.size === 0) return undefined;
  // Longest first, so a secret that contains another is cut out whole.
  const sorted = [...alternatives].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.join('|'), 'g');
}

const defaultMaxDepth = 10;
const defaultMaxItems = 100;

/** Field names of an error that {@link createRedactor} writes itself, in this order. */
const errorOwnFields = new Set([
  'name',
  'message',
  'code',
  'isRetryable',
  'stack',
  'cause',
  'errors',
]);

/** A value under a secret-looking name that cannot hold a secret and is kept for debugging. */
function isHarmless(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'boolean' || value === '';
}

function typeTag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function isErrorLike(value: object): value is Error {
  return value instanceof Error || typeTag(value) === 'Error';
}

function readProperty(target: object, key: string): unknown {
  try {
    return (target as Record<string, unknown>)[key];
  } catch {
    return '[Unreadable]';
  }
}

/**
 * Creates a {@link Redactor} for the given secret values. `undefined`, `null` and empty strings in
 * `secrets` are ignored, so optional config values can be passed as they are.
 *
 * @example
 * ```ts
 * const redact = createRedactor([config.exchangeApiSecret, config.telegramBotToken]);
 * redact({ url: 'https://x.test/a?apiKey=abc', error }); // safe to log or send as an alert
 * ```
 */
export function createRedactor(
  secrets: Iterable<string | null | undefined> = [],
  options: RedactorOptions = {},
): Redactor {
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const maxItems = options.maxItems ?? defaultMaxItems;
  const exactSecrets = new Set<string>();
  const substringSecrets: string[] = [];
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length === 0) continue;
    exactSecrets.add(secret);
    if (secret.length >= minimumSubstringSecretLength) substringSecrets.push(secret);
  }
  const pattern = secretValuePattern(substringSecrets);
  const fragmentSources = [
    ...new Set(
      (options.cutForms === false ? [] : substringSecrets)
        .flatMap(secretFragmentSources)
        .flatMap(encodedVariants)
        .filter((source) => source.length >= minimumFragmentedSecretLength)
        // A piece the placeholder itself holds would be found again in every replacement.
        .filter(
          (source) =>
            !redactedPlaceholder.includes(source.slice(0, minimumSecretFragmentLength)) &&
            !redactedPlaceholder.includes(source.slice(-minimumSecretFragmentLength)),
        ),
    ),
  ];

  function redactText(text: string): string {
    if (exactSecrets.has(text)) return redactedPlaceholder;
    let result = pattern === undefined ? text : text.replace(pattern, redactedPlaceholder);
    if (result.length >= minimumSecretFragmentLength) {
      for (const source of fragmentSources) result = redactFragments(result, source);
    }
    return redactSecretPatterns(result);
  }

  function redactMember(key: string, value: unknown, depth: number, ancestors: Set<object>) {
    return isSecretFieldName(key) && !isHarmless(value)
      ? redactedPlaceholder
      : walk(value, depth + 1, ancestors);
  }

  function serializeError(error: Error, depth: number, ancestors: Set<object>) {
    const result: Record<string, unknown> = {};
    result['name'] = walk(readProperty(error, 'name'), depth + 1, ancestors);
    result['message'] = walk(readProperty(error, 'message'), depth + 1, ancestors);
    for (const key of ['code', 'isRetryable'] as const) {
      const value = readProperty(error, key);
      if (value !== undefined) result[key] = walk(value, depth + 1, ancestors);
    }
    for (const key of Object.keys(error)) {
      if (errorOwnFields.has(key)) continue;
      result[redactText(key)] = redactMember(key, readProperty(error, key), depth, ancestors);
    }
    const stack = readProperty(error, 'stack');
    if (typeof stack === 'string') result['stack'] = redactText(stack);
    const cause = readProperty(error, 'cause');
    if (cause !== undefined) result['cause'] = walk(cause, depth + 1, ancestors);
    const errors = readProperty(error, 'errors');
    if (Array.isArray(errors)) result['errors'] = walk(errors, depth + 1, ancestors);
    return result;
  }

  function summariseItems(items: unknown[], total: number, depth: number, ancestors: Set<object>) {
    const result = items.slice(0, maxItems).map((item) => walk(item, depth + 1, ancestors));
    if (total > maxItems) result.push(`[${total - maxItems} more items]`);
    return result;
  }

  function serializeMap(map: Map<unknown, unknown>, depth: number, ancestors: Set<object>) {
    const entries = [...map.entries()];
    const simpleKeys = entries.every(([key]) => typeof key === 'string' || typeof key === 'number');
    if (!simpleKeys) return summariseItems(entries, entries.length, depth, ancestors);
    const result: Record<string, unknown> = {};
    for (const [key, value] of entries.slice(0, maxItems)) {
      const name = String(key);
      result[redactText(name)] = redactMember(name, value, depth, ancestors);
    }
    if (entries.length > maxItems) result['…'] = `[${entries.length - maxItems} more entries]`;
    return result;
  }

  function serializeObject(value: object, depth: number, ancestors: Set<object>): unknown {
    if (isErrorLike(value)) return serializeError(value, depth, ancestors);
    if (Array.isArray(value)) return summariseItems(value, value.length, depth, ancestors);
    if (value instanceof Date) {
      return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    }
    if (ArrayBuffer.isView(value)) {
      return `[${value.constructor.name} ${value.byteLength} bytes]`;
    }
    if (value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) {
      return `[${typeTag(value)} ${value.byteLength} bytes]`;
    }
    if (value instanceof URL) return redactText(value.href);
    if (value instanceof RegExp) return redactText(String(value));
    if (value instanceof Map) return serializeMap(value, depth, ancestors);
    if (value instanceof Set) return summariseItems([...value], value.size, depth, ancestors);
    if (
      value instanceof Promise ||
      value instanceof WeakMap ||
      value instanceof WeakSet ||
      value instanceof WeakRef
    ) {
      return `[${typeTag(value)}]`;
    }
    const toJSON = readProperty(value, 'toJSON');
    if (typeof toJSON === 'function') {
      return walk((toJSON as () => unknown).call(value), depth, ancestors);
    }
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      result[redactText(key)] = redactMember(key, readProperty(value, key), depth, ancestors);
    }
    return result;
  }

  function walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return redactText(value);
      case 'number':
        return Number.isFinite(value) ? value : String(value);
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
      case 'symbol':
        return redactText(value.toString());
      case 'function':
        return `[Function ${value.name || 'anonymous'}]`;
      case 'object':
        break;
    }
    if (value === null) return null;
    if (ancestors.has(value)) return '[Circular]';
    if (depth > maxDepth) {
      if (isErrorLike(value)) {
        return redactText(
          `[${String(readProperty(value, 'name'))}: ${String(readProperty(value, 'message'))}]`,
        );
      }
      return Array.isArray(value) ? '[Array]' : '[Object]';
    }
    ancestors.add(value);
    try {
      return serializeObject(value, depth, ancestors);
    } catch {
      return '[Unserializable]';
    } finally {
      ancestors.delete(value);
    }
  }

  const redact = (value: unknown): unknown => {
    try {
      return walk(value, 0, new Set());
    } catch {
      return '[Unserializable]';
    }
  };
  return redact as Redactor;
}
