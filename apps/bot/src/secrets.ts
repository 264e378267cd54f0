/**
 * Secret resolution at start: with `SECRETS_SOURCE=env` (the default) the secrets are the env's
 * own values; with `SECRETS_SOURCE=aws` they are read from one JSON secret in AWS Secrets Manager
 * and merged into env, before `loadConfig` and the live-readiness check run.
 */
import {
  GetSecretValueCommand,
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import {
  ConfigError,
  TransientError,
  silentLogger,
  systemClock,
  type Clock,
  type ConfigIssue,
  type Logger,
  type LumenLinkErrorOptions,
} from '@lumenlink/core';
import {
  checkLiveReadiness,
  configKeyList,
  configKeys,
  isConfigKey,
  loadConfig,
  suggestConfigKey,
  type Config,
  type ConfigKey,
  type ConfigKeySpec,
  type Env,
} from '@lumenlink/config';
import { createRedactor, type Redactor } from '@lumenlink/core/logging';

/**
 * The env keys that hold secrets (core's config table marks them): the only keys an AWS secret
 * may hold. `EXCHANGE_API_KEY`, `EXCHANGE_API_SECRET`, `EXCHANGE_API_PASSPHRASE`, `HTTP_TOKEN`,
 * `TELEGRAM_BOT_TOKEN`, `DISCORD_WEBHOOK_URL`, `CRYPTOPANIC_TOKEN`.
 */
export const secretKeys: readonly ConfigKey[] = Object.freeze(
  configKeyList.filter((spec) => spec.secret).map((spec) => spec.key as ConfigKey),
);

/**
 * AWS Secrets Manager did not answer usefully (network failure, timeout, throttling, a 5xx),
 * even after retries. Transient: starting again later may work. The message names the secret
 * id, the region and the endpoint, never a secret value.
 */
export class SecretsUnavailableError extends TransientError {
  static {
    TransientError.addMarker(this, 'lumenlink.error.SecretsUnavailableError');
  }

  /** Whether `value` is a SecretsUnavailableError, also from a second copy of this module. */
  static override isInstance(value: unknown): value is SecretsUnavailableError {
    return TransientError.hasMarker(value, 'lumenlink.error.SecretsUnavailableError');
  }

  readonly code = 'SECRETS_UNAVAILABLE';
}

/** Options of {@link resolveSecrets}. */
export interface ResolveSecretsOptions {
  /** Times the per-attempt timeout and the pause between attempts (default the wall clock). */
  readonly clock?: Clock;
  /** Where the resolution is reported: key names only, never values (default silent). */
  readonly logger?: Logger;
  /** How long one request to Secrets Manager may take, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Requests made before giving up on a transient failure (default 3). */
  readonly attempts?: number;
  /** Pause before the second request, in ms, doubled before each further one (default 1 000). */
  readonly retryDelayMs?: number;
}

const defaultTimeoutMs = 10_000;
const defaultAttempts = 3;
const defaultRetryDelayMs = 1_000;

/** AWS error names that mean the credentials or their permissions are wrong. */
const credentialErrors: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

/** AWS error names worth another attempt. */
const transientErrors: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServiceError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/** Where `SECRETS_SOURCE=aws` reads from, validated with core's key specs. */
interface AwsTarget {
  readonly secretId: string;
  readonly region: string;
  readonly endpoint: string | undefined;
}

/**
 * Returns env with the secret keys ({@link secretKeys}) filled in. `SECRETS_SOURCE=env` (or
 * unset) returns a copy of env as it is. `SECRETS_SOURCE=aws` reads the secret `AWS_SECRET_ID`
 * (in `AWS_REGION`, through `AWS_ENDPOINT_URL` when set) with `GetSecretValue`: its
 * `SecretString` must be a JSON object whose keys are secret env key names and whose values are
 * strings. **A value in the AWS secret wins over the same key in env** (AWS is the declared
 * source of truth, so a stale copy in `.env` cannot shadow a rotated secret); a key set in both
 * is logged as a warning, by name. Keys the secret does not hold keep their env value.
 *
 * AWS credentials: `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`)
 * from `env` when both are set there, otherwise the SDK's usual chain (process environment,
 * `AWS_PROFILE` and shared files, container or instance role). Transient failures are tried
 * `attempts` times, pausing on `clock`; no error message ever holds a secret value.
 *
 * Run `loadConfig` and `checkLiveReadiness` on the result (see {@link loadConfigWithSecrets}).
 *
 * @example
 * ```ts
 * const env = await resolveSecrets(mergeEnv(readEnvFile('.env').values, process.env), { logger });
 * const config = loadConfig(env);
 * checkLiveReadiness(config); // MODE=live without keys fails here, after resolution
 * ```
 * @throws {ConfigError} when `SECRETS_SOURCE`, `AWS_SECRET_ID`, `AWS_REGION` or
 *   `AWS_ENDPOINT_URL` is missing or invalid, the secret does not exist, the credentials are
 *   refused, or the secret is not a JSON object of known secret keys with string values.
 * @throws {SecretsUnavailableError} when Secrets Manager cannot be reached after every attempt.
 */
export async function resolveSecrets(env: Env, options: ResolveSecretsOptions = {}): Promise<Env> {
  const logger = options.logger ?? silentLogger;
  const source = parseKey(configKeys.SECRETS_SOURCE, env);
  if (source !== 'aws') return { ...env };

  const target = awsTarget(env);
  const redact = createRedactor([
    ...secretKeys.map((key) => env[key]),
    env['AWS_SECRET_ACCESS_KEY'],
    env['AWS_SESSION_TOKEN'],
  ]);
  const client = new SecretsManagerClient(clientConfig(target, env));
  let text: string;
  try {
    text = await fetchSecretString(client, target, options, redact, logger);
  } finally {
    client.destroy();
  }
  const values = parseSecret(text, target.secretId);

  const resolved: Record<string, string | undefined> = { ...env };
  const overridden: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === '') continue;
    const own = env[key];
    if (own !== undefined && own.trim() !== '' && own !== value) overridden.push(key);
    resolved[key] = value;
  }
  if (overridden.length > 0) {
    logger.warn('the AWS secret overrides keys also set in the environment', {
      secretId: target.secretId,
      keys: overridden,
    });
  }
  logger.info('secrets resolved from AWS Secrets Manager', {
    secretId: target.secretId,
    region: target.region,
    keys: Object.keys(values).filter((key) => values[key] !== ''),
  });
  return resolved;
}

/**
 * Resolves secrets ({@link resolveSecrets}), loads the config from the result and runs core's
 * live-readiness check on it: the start-up order the bot follows, so `MODE=live` without
 * exchange keys is a config error only after AWS had its chance to supply them.
 *
 * @example
 * ```ts
 * const { config, env } = await loadConfigWithSecrets(process.env, { logger });
 * ```
 * @throws {ConfigError} from secret resolution, `loadConfig` or `checkLiveReadiness`.
 * @throws {SecretsUnavailableError} when Secrets Manager cannot be reached.
 */
export async function loadConfigWithSecrets(
  env: Env,
  options: ResolveSecretsOptions = {},
): Promise<{ readonly config: Config; readonly env: Env }> {
  const resolved = await resolveSecrets(env, options);
  const config = loadConfig(resolved);
  checkLiveReadiness(config);
  return { config, env: resolved };
}

/** Parses one key with core's spec; a bad value is the same problem loadConfig would report. */
function parseKey<T>(spec: ConfigKeySpec<T>, env: Env, issues?: ConfigIssue[]): T | undefined {
  const result = spec.schema.safeParse(env[spec.key]);
  if (result.success) return result.data;
  const raw = env[spec.key] ?? '';
  const issue: ConfigIssue = {
    key: spec.key,
    problem: `${JSON.stringify(raw.slice(0, 60))} ${result.error.issues[0]?.message ?? 'is invalid'}`,
    accepted: spec.accepted,
  };
  if (issues === undefined) throw new ConfigError([issue]);
  issues.push(issue);
  return undefined;
}

/** The secret id, region and endpoint, or one ConfigError listing every missing or bad key. */
function awsTarget(env: Env): AwsTarget {
  const issues: ConfigIssue[] = [];
  const secretId = parseKey(configKeys.AWS_SECRET_ID, env, issues);
  const region = parseKey(configKeys.AWS_REGION, env, issues);
  const endpoint = parseKey(configKeys.AWS_ENDPOINT_URL, env, issues);
  const missing = (key: 'AWS_SECRET_ID' | 'AWS_REGION', what: string): void => {
    if (issues.some((issue) => issue.key === key)) return;
    issues.push({
      key,
      problem: 'is not set, but SECRETS_SOURCE=aws needs it',
      accepted: `${what}; or set SECRETS_SOURCE=env to take secrets from the environment`,
    });
  };
  if (secretId === undefined) missing('AWS_SECRET_ID', 'the name or ARN of the secret');
  if (region === undefined) missing('AWS_REGION', 'the AWS region of the secret, e.g. us-east-1');
  if (issues.length > 0 || secretId === undefined || region === undefined) {
    throw new ConfigError(issues, { title: 'Cannot read secrets from AWS (SECRETS_SOURCE=aws)' });
  }
  return { secretId, region, endpoint };
}

function clientConfig(target: AwsTarget, env: Env): SecretsManagerClientConfig {
  const accessKeyId = env['AWS_ACCESS_KEY_ID'];
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY'];
  const sessionToken = env['AWS_SESSION_TOKEN'];
  return {
    region: target.region,
    // Retries are ours, paced by the Clock.
    maxAttempts: 1,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(accessKeyId && secretAccessKey
      ? {
          credentials: {
            accessKeyId,
            secretAccessKey,
            ...(sessionToken ? { sessionToken } : {}),
          },
        }
      : {}),
  };
}

/** Where the secret was looked for, for messages. */
function describeTarget(target: AwsTarget): string {
  return `in region ${target.region}${target.endpoint === undefined ? '' : ` at ${target.endpoint}`}`;
}

/** The fields of an SDK error the classification reads. */
interface SdkErrorShape {
  readonly name: string;
  readonly message: string;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function errorShape(error: unknown): SdkErrorShape {
  if (error instanceof Error) return error;
  return { name: 'Error', message: String(error) };
}

/** One request's outcome: the secret's text, or why a further attempt may help. */
type AttemptResult = { readonly text: string } | { readonly transientReason: string };

/** Reads the secret's text, retrying transient failures, or throws the mapped error. */
async function fetchSecretString(
  client: SecretsManagerClient,
  target: AwsTarget,
  options: ResolveSecretsOptions,
  redact: Redactor,
  logger: Logger,
): Promise<string> {
  const clock = options.clock ?? systemClock;
  const attempts = Math.max(1, options.attempts ?? defaultAttempts);
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  let delayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  let lastReason = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const result = await requestSecret(client, target, clock, timeoutMs, redact);
    if ('text' in result) return result.text;
    lastReason = result.transientReason;
    if (attempt < attempts) {
      logger.warn('AWS Secrets Manager request failed; trying again', {
        secretId: target.secretId,
        attempt,
        retryInMs: delayMs,
        reason: lastReason,
      });
      await clock.sleep(delayMs);
      delayMs *= 2;
    }
  }
  throw new SecretsUnavailableError(
    `Could not read the AWS secret "${target.secretId}" (AWS_SECRET_ID) ${describeTarget(target)} ` +
      `after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${lastReason}. Check the network, ` +
      'AWS_REGION and AWS_ENDPOINT_URL; the bot does not start without its secrets.',
  );
}

/** One `GetSecretValue` request, aborted after `timeoutMs` of the clock. */
async function requestSecret(
  client: SecretsManagerClient,
  target: AwsTarget,
  clock: Clock,
  timeoutMs: number,
  redact: Redactor,
): Promise<AttemptResult> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: target.secretId }), {
      abortSignal: controller.signal,
    });
    if (typeof output.SecretString === 'string') return { text: output.SecretString };
    throw secretIssue(
      target.secretId,
      output.SecretBinary === undefined
        ? 'has no SecretString'
        : 'holds binary data (SecretBinary), not JSON text',
    );
  } catch (error) {
    if (ConfigError.isInstance(error)) throw error;
    if (timedOut) return { transientReason: `no answer within ${timeoutMs} ms` };
    const shape = errorShape(error);
    if (!isTransient(shape)) throw permanentAwsError(shape, target, redact);
    const code = typeof shape.code === 'string' ? shape.code : shape.name;
    return { transientReason: redact(`${code}: ${shape.message}`) };
  } finally {
    clock.clearTimeout(timer);
  }
}

/** Network failures (no HTTP answer), throttling and 5xx answers are worth another attempt. */
function isTransient(error: SdkErrorShape): boolean {
  if (transientErrors.has(error.name)) return true;
  if (error.$fault === 'server') return true;
  if (credentialErrors.has(error.name)) return false;
  return error.$metadata?.httpStatusCode === undefined;
}

/** Maps a definite AWS refusal to a ConfigError naming the key to fix. */
function permanentAwsError(error: SdkErrorShape, target: AwsTarget, redact: Redactor): ConfigError {
  const title = 'Cannot read secrets from AWS (SECRETS_SOURCE=aws)';
  const options: LumenLinkErrorOptions & { title: string } = { title, cause: error };
  const detail = redact(`${error.name}: ${error.message}`);
  if (error.name === 'ResourceNotFoundException') {
    return new ConfigError(
      [
        {
          key: 'AWS_SECRET_ID',
          problem: `"${target.secretId}" names no secret ${describeTarget(target)} (${detail})`,
          accepted: 'the name or ARN of an existing secret; check AWS_REGION and AWS_ENDPOINT_URL',
        },
      ],
      options,
    );
  }
  if (credentialErrors.has(error.name)) {
    return new ConfigError(
      [
        {
          key: 'AWS_ACCESS_KEY_ID',
          problem: `AWS refused the credentials or their permission to read "${target.secretId}" (${detail})`,
          accepted:
            'credentials allowed secretsmanager:GetSecretValue on the secret: AWS_ACCESS_KEY_ID and ' +
            'AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance or container role',
        },
      ],
      options,
    );
  }
  if (error.name === 'DecryptionFailure') {
    return new ConfigError(
      [
        {
          key: 'AWS_SECRET_ID',
          problem: `"${target.secretId}" cannot be decrypted (${detail})`,
          accepted: "credentials with kms:Decrypt on the secret's KMS key",
        },
      ],
      options,
    );
  }
  return new ConfigError(
    [
      {
        key: 'AWS_SECRET_ID',
        problem: `AWS refused to read "${target.secretId}" ${describeTarget(target)} (${detail})`,
        accepted: 'the name or ARN of a readable secret that is not scheduled for deletion',
      },
    ],
    options,
  );
}

/** A ConfigError about the secret's content; never quotes the content. */
function secretIssue(secretId: string, problem: string): ConfigError {
  return new ConfigError(
    [
      {
        key: 'AWS_SECRET_ID',
        problem: `the secret "${secretId}" ${problem}`,
        accepted: `a secret whose SecretString is a JSON object of string values keyed by ${secretKeys.join(', ')}`,
      },
    ],
    { title: 'Cannot use the AWS secret (SECRETS_SOURCE=aws)' },
  );
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Checks the secret's text: a JSON object, only secret keys, string values. Problems name keys
 * only; a parse error's own message (which quotes the text) is never kept.
 */
function parseSecret(text: string, secretId: string): Readonly<Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw secretIssue(secretId, 'is not JSON text (store the key/value pairs as JSON)');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw secretIssue(secretId, `holds ${jsonKind(parsed)}, not a JSON object`);
  }
  const allowed = new Set<string>(secretKeys);
  const issues: ConfigIssue[] = [];
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!allowed.has(key)) {
      issues.push({ key, problem: unknownKeyProblem(key, secretId) });
    } else if (typeof value !== 'string') {
      issues.push({
        key,
        problem: `in the AWS secret "${secretId}" is ${jsonKind(value)}, not a string`,
        accepted: configKeys[key as ConfigKey].accepted,
      });
    } else {
      values[key] = value;
    }
  }
  if (issues.length > 0) {
    throw new ConfigError(issues, {
      title: `Cannot use the AWS secret "${secretId}" (it may hold only ${secretKeys.join(', ')})`,
    });
  }
  return values;
}

function unknownKeyProblem(key: string, secretId: string): string {
  const where = `is in the AWS secret "${secretId}"`;
  if (isConfigKey(key)) {
    return `${where} but is not a secret: set it in the environment instead`;
  }
  const suggestion = suggestConfigKey(key);
  const secretSuggestion =
    suggestion !== undefined && secretKeys.includes(suggestion)
      ? ` (did you mean ${suggestion}?)`
      : '';
  return `${where} but is not a key LumenLink reads${secretSuggestion}`;
}
