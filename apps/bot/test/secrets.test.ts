/**
 * resolveSecrets against a local server speaking the Secrets Manager JSON 1.1 protocol, driven
 * through the real AWS SDK client.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, type LogFields, type Logger } from '@lumenlink/core';
import { ManualClock } from '@lumenlink/core/testing';
import {
  SecretsUnavailableError,
  loadConfigWithSecrets,
  resolveSecrets,
  secretKeys,
} from '../src/secrets.js';

/** A scripted reply: status and JSON body, or no reply at all. */
type Reply = { readonly status: number; readonly body: unknown } | 'hang';

interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

interface FakeSecretsManager {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Secrets by name: their SecretString. */
  readonly secrets: Map<string, string>;
  /** Replies used, in order, before the secrets map is consulted. */
  readonly script: Reply[];
  close(): Promise<void>;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const requests: RecordedRequest[] = [];
  const secrets = new Map<string, string>();
  const script: Reply[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const body = JSON.parse(text || '{}') as { SecretId?: string };
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        target: request.headers['x-amz-target'] as string | undefined,
        contentType: request.headers['content-type'],
        authorization: request.headers.authorization,
        body,
      });
      const scripted = script.shift();
      if (scripted === 'hang') return;
      if (scripted !== undefined) {
        json(response, scripted.status, scripted.body);
        return;
      }
      if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        json(response, 400, { __type: 'UnknownOperationException', message: 'unknown target' });
        return;
      }
      const name = body.SecretId ?? '';
      const secret = secrets.get(name);
      if (secret === undefined) {
        json(response, 400, {
          __type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        });
        return;
      }
      json(response, 200, {
        ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
        Name: name,
        VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
        SecretString: secret,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: 1_700_000_000,
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    secrets,
    script,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A logger that keeps every call, to check what is (and is not) logged. */
function recordingLogger(): Logger & {
  lines: { level: string; message: string; fields?: LogFields }[];
} {
  const lines: { level: string; message: string; fields?: LogFields }[] = [];
  const logAt =
    (level: string) =>
    (message: string, fields?: LogFields): void => {
      lines.push(fields === undefined ? { level, message } : { level, message, fields });
    };
  const logger = {
    lines,
    error: logAt('error'),
    warn: logAt('warn'),
    info: logAt('info'),
    debug: logAt('debug'),
    child: () => logger,
  };
  return logger;
}

const secretValues = {
  EXCHANGE_API_KEY: 'sentinel-aws-exchange-key-7f3a9c',
  EXCHANGE_API_SECRET: 'sentinel-aws-exchange-secret-1b2c3d',
  TELEGRAM_BOT_TOKEN: '123456789:AAsentinelTelegramTokenFromAws00000000',
  HTTP_TOKEN: 'sentinel-aws-http-token-0123456789',
} as const;

function awsEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SECRETS_SOURCE: 'aws',
    AWS_SECRET_ID: 'lumenlink/prod',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret-access-key',
    TELEGRAM_CHAT_IDS: '111',
    ...extra,
  };
}

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Moves the manual clock in steps, letting real I/O run between steps, until `promise` settles. */
async function driveClock<T>(clock: ManualClock, promise: Promise<T>, stepMs = 250): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => (settled = true));
  watched.catch(() => undefined);
  while (!settled) {
    await clock.advance(stepMs);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return watched;
}

describe('resolveSecrets with SECRETS_SOURCE=env', () => {
  it('returns the env as it is, with no request anywhere', async () => {
    const fake = await startFakeSecretsManager();
    const env = {
      EXCHANGE_API_KEY: 'from-env',
      AWS_ENDPOINT_URL: fake.url,
      AWS_REGION: 'us-east-1',
    };
    const resolved = await resolveSecrets(env);
    expect(resolved).toEqual(env);
    expect(resolved).not.toBe(env);
    expect(await resolveSecrets({ ...env, SECRETS_SOURCE: 'env' })).toMatchObject(env);
    expect(fake.requests).toEqual([]);
  });

  it('rejects an unknown SECRETS_SOURCE with a ConfigError naming the key', async () => {
    const error = await rejection(resolveSecrets({ SECRETS_SOURCE: 'vault' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('SECRETS_SOURCE');
    expect(error.message).toContain('Accepted: env or aws');
  });
});

describe('resolveSecrets with SECRETS_SOURCE=aws', () => {
  it('reads the JSON secret through GetSecretValue, signed, and fills the secret keys', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set('lumenlink/prod', JSON.stringify(secretValues));
    const logger = recordingLogger();
    const env = awsEnv(fake.url, { MODE: 'paper' });
    const resolved = await resolveSecrets(env, { logger });
    expect(resolved).toMatchObject({ ...env, ...secretValues });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/',
      target: 'secretsmanager.GetSecretValue',
      contentType: 'application/x-amz-json-1.1',
      body: { SecretId: 'lumenlink/prod' },
    });
    expect(fake.requests[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCALTEST\/\d{8}\/us-east-1\/secretsmanager\/aws4_request/,
    );
    expect(logger.lines).toContainEqual({
      level: 'info',
      message: 'secrets resolved from AWS Secrets Manager',
      fields: {
        secretId: 'lumenlink/prod',
        region: 'us-east-1',
        keys: ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET', 'TELEGRAM_BOT_TOKEN', 'HTTP_TOKEN'],
      },
    });
    const logged = JSON.stringify(logger.lines);
    for (const value of Object.values(secretValues)) expect(logged).not.toContain(value);
  });

  it('lets the AWS secret win over env, warns by key name, and keeps env keys the secret lacks', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set(
      'lumenlink/prod',
      JSON.stringify({ EXCHANGE_API_KEY: secretValues.EXCHANGE_API_KEY, CRYPTOPANIC_TOKEN: '' }),
    );
    const logger = recordingLogger();
    const resolved = await resolveSecrets(
      awsEnv(fake.url, {
        EXCHANGE_API_KEY: 'stale-env-key-000',
        EXCHANGE_API_SECRET: 'env-only-secret-111',
        CRYPTOPANIC_TOKEN: 'env-cryptopanic-222',
      }),
      { logger },
    );
    expect(resolved['EXCHANGE_API_KEY']).toBe(secretValues.EXCHANGE_API_KEY);
    expect(resolved['EXCHANGE_API_SECRET']).toBe('env-only-secret-111');
    // An empty string in the secret does not blank out the env value.
    expect(resolved['CRYPTOPANIC_TOKEN']).toBe('env-cryptopanic-222');
    expect(logger.lines).toContainEqual({
      level: 'warn',
      message: 'the AWS secret overrides keys also set in the environment',
      fields: { secretId: 'lumenlink/prod', keys: ['EXCHANGE_API_KEY'] },
    });
    expect(JSON.stringify(logger.lines)).not.toContain('stale-env-key-000');
  });

  it('uses the secret keys of core: the seven secret env keys', () => {
    expect([...secretKeys].sort()).toEqual(
      [
        'CRYPTOPANIC_TOKEN',
        'DISCORD_WEBHOOK_URL',
        'EXCHANGE_API_KEY',
        'EXCHANGE_API_PASSPHRASE',
        'EXCHANGE_API_SECRET',
        'HTTP_TOKEN',
        'TELEGRAM_BOT_TOKEN',
      ].sort(),
    );
  });

  it('needs AWS_SECRET_ID and AWS_REGION, naming both and the way out', async () => {
    const fake = await startFakeSecretsManager();
    const error = await rejection(
      resolveSecrets({ SECRETS_SOURCE: 'aws', AWS_ENDPOINT_URL: fake.url }),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.key)).toEqual([
      'AWS_SECRET_ID',
      'AWS_REGION',
    ]);
    expect(error.message).toContain('is not set, but SECRETS_SOURCE=aws needs it');
    expect(error.message).toContain('SECRETS_SOURCE=env');
    expect(fake.requests).toEqual([]);
  });

  it('reports a secret that does not exist, naming AWS_SECRET_ID, the id, region and endpoint', async () => {
    const fake = await startFakeSecretsManager();
    const error = await rejection(
      resolveSecrets(awsEnv(fake.url, { AWS_SECRET_ID: 'lumenlink/typo' })),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      'AWS_SECRET_ID: "lumenlink/typo" names no secret in region us-east-1',
    );
    expect(error.message).toContain(fake.url);
    expect(error.message).toContain('ResourceNotFoundException');
    // A definite "no" is not retried.
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects a secret that is not JSON without quoting it', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set('lumenlink/prod', 'EXCHANGE_API_KEY=sentinel-not-json-4242');
    const error = await rejection(resolveSecrets(awsEnv(fake.url)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('the secret "lumenlink/prod" is not JSON text');
    expect(error.message).not.toContain('sentinel-not-json-4242');
    expect(error.cause).toBeUndefined();
  });

  it('rejects JSON that is not an object', async () => {
    const fake = await startFakeSecretsManager();
    for (const [text, kind] of [
      ['["sentinel-array-item-5151"]', 'an array'],
      ['"sentinel-json-string-6161"', 'a string'],
      ['null', 'null'],
    ] as const) {
      fake.secrets.set('lumenlink/prod', text);
      const error = await rejection(resolveSecrets(awsEnv(fake.url)));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(`holds ${kind}, not a JSON object`);
      expect(error.message).not.toContain('sentinel');
    }
  });

  it('names every unknown or non-secret key and every non-string value, never a value', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set(
      'lumenlink/prod',
      JSON.stringify({
        EXCHANGE_API_KEI: 'sentinel-typo-value-1',
        MODE: 'live',
        SOMETHING_ELSE: 'sentinel-other-value-2',
        EXCHANGE_API_SECRET: 12345678,
        HTTP_TOKEN: secretValues.HTTP_TOKEN,
      }),
    );
    const error = await rejection(resolveSecrets(awsEnv(fake.url)));
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => issue.key)).toEqual([
      'EXCHANGE_API_KEI',
      'MODE',
      'SOMETHING_ELSE',
      'EXCHANGE_API_SECRET',
    ]);
    expect(error.message).toContain('did you mean EXCHANGE_API_KEY?');
    expect(error.message).toContain(
      'MODE: is in the AWS secret "lumenlink/prod" but is not a secret: set it in the environment',
    );
    expect(error.message).toContain(
      'EXCHANGE_API_SECRET: in the AWS secret "lumenlink/prod" is a number, not a string',
    );
    for (const value of [
      'sentinel-typo-value-1',
      'sentinel-other-value-2',
      '12345678',
      secretValues.HTTP_TOKEN,
    ]) {
      expect(error.message).not.toContain(value);
    }
  });

  it('reports refused credentials as a ConfigError naming AWS_ACCESS_KEY_ID', async () => {
    const fake = await startFakeSecretsManager();
    fake.script.push({
      status: 400,
      body: {
        __type: 'AccessDeniedException',
        message:
          'User: arn:aws:iam::123456789012:user/bot is not authorized to perform: secretsmanager:GetSecretValue',
      },
    });
    const error = await rejection(resolveSecrets(awsEnv(fake.url)));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('AWS_ACCESS_KEY_ID: AWS refused the credentials');
    expect(error.message).toContain('secretsmanager:GetSecretValue');
    expect(error.message).not.toContain('local-test-secret-access-key');
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 5xx and a throttle on the clock, doubling the pause, then succeeds', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set('lumenlink/prod', JSON.stringify(secretValues));
    fake.script.push(
      { status: 500, body: { __type: 'InternalServiceError', message: 'try later' } },
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
    );
    const clock = new ManualClock(1_700_000_000_000);
    const logger = recordingLogger();
    const resolved = await driveClock(
      clock,
      resolveSecrets(awsEnv(fake.url), {
        clock,
        logger,
        retryDelayMs: 1_000,
        timeoutMs: 3_600_000,
      }),
    );
    expect(resolved['EXCHANGE_API_KEY']).toBe(secretValues.EXCHANGE_API_KEY);
    expect(fake.requests).toHaveLength(3);
    // The pauses ran on manual time: 1 s, then 2 s.
    expect(clock.now() - 1_700_000_000_000).toBeGreaterThanOrEqual(3_000);
    const retries = logger.lines.filter((line) => line.message.includes('trying again'));
    expect(retries.map((line) => line.fields?.['retryInMs'])).toEqual([1_000, 2_000]);
    expect(retries.map((line) => line.fields?.['reason'])).toEqual([
      'InternalServiceError: try later',
      'ThrottlingException: Rate exceeded',
    ]);
  });

  it('gives up with SecretsUnavailableError when the endpoint refuses connections', async () => {
    const fake = await startFakeSecretsManager();
    await fake.close();
    const clock = new ManualClock(0);
    const error = await driveClock(
      clock,
      rejection(resolveSecrets(awsEnv(fake.url), { clock, attempts: 2, timeoutMs: 3_600_000 })),
    );
    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect((error as SecretsUnavailableError).isRetryable).toBe(true);
    expect(error.message).toContain(
      'Could not read the AWS secret "lumenlink/prod" (AWS_SECRET_ID)',
    );
    expect(error.message).toContain(`in region us-east-1 at ${fake.url}`);
    expect(error.message).toContain('after 2 attempts');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('AWS_ENDPOINT_URL');
  });

  it('times out a request that gets no answer, on the clock', async () => {
    const fake = await startFakeSecretsManager();
    fake.script.push('hang');
    const clock = new ManualClock(0);
    const pending = rejection(
      resolveSecrets(awsEnv(fake.url), { clock, attempts: 1, timeoutMs: 5_000 }),
    );
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    await clock.advance(5_000);
    const error = await pending;
    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect(error.message).toContain('no answer within 5000 ms');
  });
});

describe('loadConfigWithSecrets', () => {
  it('runs the live-readiness check after resolution: keys from AWS make MODE=live ready', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set('lumenlink/prod', JSON.stringify(secretValues));
    const { config, env } = await loadConfigWithSecrets(awsEnv(fake.url, { MODE: 'live' }));
    expect(config.mode).toBe('live');
    expect(config.exchange.apiKey).toBe(secretValues.EXCHANGE_API_KEY);
    expect(config.http.token).toBe(secretValues.HTTP_TOKEN);
    expect(env['EXCHANGE_API_SECRET']).toBe(secretValues.EXCHANGE_API_SECRET);
  });

  it('fails MODE=live when neither env nor the secret holds the exchange keys', async () => {
    const fake = await startFakeSecretsManager();
    fake.secrets.set('lumenlink/prod', JSON.stringify({ HTTP_TOKEN: secretValues.HTTP_TOKEN }));
    const error = await rejection(loadConfigWithSecrets(awsEnv(fake.url, { MODE: 'live' })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('Not ready for live trading');
    expect((error as ConfigError).issues.map((issue) => issue.key)).toEqual([
      'EXCHANGE_API_KEY',
      'EXCHANGE_API_SECRET',
    ]);
  });

  it('fails MODE=live with SECRETS_SOURCE=env and no keys, and passes paper mode', async () => {
    await expect(loadConfigWithSecrets({ MODE: 'live' })).rejects.toThrow(
      /Not ready for live trading/,
    );
    const { config } = await loadConfigWithSecrets({});
    expect(config.mode).toBe('paper');
  });
});
