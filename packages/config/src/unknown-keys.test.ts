import { describe, expect, it } from 'vitest';
import {
  nearConfigKey,
  suggestConfigKey,
  typoDistanceLimit,
  unknownKeyIssues,
} from './unknown-keys.js';

describe('suggestConfigKey', () => {
  it.each([
    ['RISK_MAX_POSITON_USD', 'RISK_MAX_POSITION_USD'],
    ['RISK_MAX_POSITION', 'RISK_MAX_POSITION_USD'],
    ['TELEGRAM_CHAT_ID', 'TELEGRAM_CHAT_IDS'],
    ['GAURD_MAX_SPREAD_BPS', 'GUARD_MAX_SPREAD_BPS'],
    ['paper_fee_bps', 'PAPER_FEE_BPS'],
    ['HTTP_TOKN', 'HTTP_TOKEN'],
  ])('suggests %s for %s', (typo, key) => {
    expect(suggestConfigKey(typo)).toBe(key);
  });

  it('suggests nothing for an unrelated key', () => {
    expect(suggestConfigKey('RISK_FOO')).toBeUndefined();
    expect(suggestConfigKey('DATA_DIRECTORY')).toBeUndefined();
  });
});

describe('unknownKeyIssues', () => {
  it('flags only keys of our families', () => {
    expect(
      unknownKeyIssues({
        DEMO_SPEEED: '2',
        SIGNAL_COOLDOWN: '10',
        LOG_FORMAT: 'json',
        EXCHANGE: 'binance',
      }).map((issue) => issue.key),
    ).toEqual(['DEMO_SPEEED', 'SIGNAL_COOLDOWN']);
  });

  it('does not flag a lower-case key that reads the same value (Windows env)', () => {
    expect(unknownKeyIssues({ mode: 'live', MODE: 'live' })).toEqual([]);
  });
});

/**
 * A typical process environment of a shell, a Docker container, GitHub Actions, pnpm, turbo and
 * vitest: none of it is ours, so none of it may be taken for a typo.
 */
const typicalEnv: Readonly<Record<string, string>> = Object.fromEntries(
  [
    ...['PATH', 'HOME', 'HOSTNAME', 'PWD', 'OLDPWD', 'SHELL', 'SHLVL', 'USER', 'LOGNAME', '_'],
    ...['LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TERM', 'COLORTERM', 'TERM_PROGRAM'],
    ...['EDITOR', 'VISUAL', 'PAGER', 'LESS', 'MORE', 'MAIL', 'DISPLAY', 'TMPDIR', 'TMP', 'TEMP'],
    ...['CI', 'DEBUG', 'FORCE_COLOR', 'NO_COLOR', 'DEBIAN_FRONTEND', 'container', 'PORT', 'HOST'],
    ...['NODE_ENV', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_EXTRA_CA_CERTS', 'NODE_NO_WARNINGS'],
    ...['NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_VERSION', 'YARN_VERSION', 'UV_THREADPOOL_SIZE'],
    ...['COREPACK_HOME', 'COREPACK_ENABLE_DOWNLOAD_PROMPT', 'INIT_CWD'],
    ...['PNPM_HOME', 'PNPM_SCRIPT_SRC_DIR', 'npm_command', 'npm_execpath', 'npm_node_execpath'],
    ...['npm_config_user_agent', 'npm_config_cache', 'npm_config_registry', 'npm_config_loglevel'],
    ...['npm_config_node_gyp', 'npm_config_frozen_lockfile', 'npm_config_global_prefix'],
    ...['npm_lifecycle_event', 'npm_lifecycle_script', 'npm_package_name', 'npm_package_json'],
    ...['TURBO_HASH', 'TURBO_TEAM', 'TURBO_TOKEN', 'TURBO_API', 'TURBO_INVOCATION_DIR'],
    ...['VITEST', 'VITEST_MODE', 'VITEST_POOL_ID', 'VITEST_WORKER_ID'],
    ...['GITHUB_ACTIONS', 'GITHUB_TOKEN', 'GITHUB_SHA', 'GITHUB_REF', 'GITHUB_REF_NAME'],
    ...['GITHUB_WORKSPACE', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY'],
    ...['GITHUB_RUN_ID', 'GITHUB_RUN_NUMBER', 'GITHUB_RUN_ATTEMPT', 'GITHUB_JOB', 'GITHUB_ACTOR'],
    ...['GITHUB_REPOSITORY', 'GITHUB_EVENT_NAME', 'GITHUB_EVENT_PATH', 'GITHUB_SERVER_URL'],
    ...['GITHUB_API_URL', 'GITHUB_HEAD_REF', 'GITHUB_BASE_REF', 'GITHUB_WORKFLOW', 'GITHUB_STATE'],
    ...['RUNNER_OS', 'RUNNER_ARCH', 'RUNNER_NAME', 'RUNNER_TEMP', 'RUNNER_TOOL_CACHE'],
    ...['RUNNER_DEBUG', 'RUNNER_ENVIRONMENT', 'RUNNER_WORKSPACE', 'ACTIONS_RUNTIME_TOKEN'],
    ...['ACTIONS_CACHE_URL', 'ImageOS', 'ImageVersion', 'AGENT_TOOLSDIRECTORY'],
    ...['XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'SSH_AUTH_SOCK', 'SSH_TTY'],
    ...['JAVA_HOME', 'GOPATH', 'GOROOT', 'CARGO_HOME', 'PYTHONPATH', 'VIRTUAL_ENV', 'MANPATH'],
    ...['AWS_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    ...['AWS_SESSION_TOKEN', 'AWS_CONFIG_FILE', 'AWS_ROLE_ARN', 'AWS_ENDPOINT_URL_S3'],
    ...['KUBERNETES_SERVICE_HOST', 'KUBERNETES_SERVICE_PORT', 'HTTPS_PROXY', 'NO_PROXY'],
    ...['HTTP_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'DOCKER_HOST', 'LOG_FORMAT'],
    ...['DATABASE_URL', 'REDIS_URL', 'DB_HOST', 'DB_PORT', 'DB_USER', 'DB_NAME', 'DB_PASS'],
  ].map((key) => [key, 'set']),
);

describe('unknownKeyIssues on real environments', () => {
  it("finds nothing in this machine's process.env", () => {
    expect(unknownKeyIssues(process.env)).toEqual([]);
  });

  it('finds nothing in a typical shell, Docker, GitHub Actions, pnpm, turbo and vitest env', () => {
    expect(unknownKeyIssues(typicalEnv)).toEqual([]);
  });

  it('does not take HOME, MORE or NODE for MODE: 4-character keys match only swaps', () => {
    expect(typoDistanceLimit(4)).toBe(0);
    expect(typoDistanceLimit(8)).toBe(1);
    expect(typoDistanceLimit(9)).toBe(2);
    for (const key of ['HOME', 'MORE', 'NODE', 'CODE', 'PORT', 'HOST']) {
      expect(nearConfigKey(key), key).toBeUndefined();
    }
    expect(nearConfigKey('MDOE')).toBe('MODE');
  });
});

describe('unknownKeyIssues on typos of safety keys', () => {
  it.each([
    ['KILL_SWTICH', 'KILL_SWITCH'],
    ['KILLSWITCH', 'KILL_SWITCH'],
    ['killswitch', 'KILL_SWITCH'],
    ['KILL__SWITCH', 'KILL_SWITCH'],
    ['STOPLOSS_PCT', 'STOP_LOSS_PCT'],
    ['STOP_LOSSPCT', 'STOP_LOSS_PCT'],
    ['TAKEPROFIT_PCT', 'TAKE_PROFIT_PCT'],
    ['TAKE_PROFT_PCT', 'TAKE_PROFIT_PCT'],
    ['ALLOW_LIVE_TRADNG', 'ALLOW_LIVE_TRADING'],
    ['ALLOWLIVETRADING', 'ALLOW_LIVE_TRADING'],
    ['SYMBOL', 'SYMBOLS'],
    ['INTERVALL', 'INTERVAL'],
    ['STARTEGY', 'STRATEGY'],
    ['MDOE', 'MODE'],
    ['LOGLEVEL', 'LOG_LEVEL'],
    ['MONTH', 'MONTHS'],
    ['ATR_PERIDO', 'ATR_PERIOD'],
  ])('%s is an issue naming it and suggesting %s', (typo, key) => {
    const issues = unknownKeyIssues({ [typo]: 'true' });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.key).toBe(typo);
    expect(issues[0]?.problem).toContain(`did you mean ${key}?`);
  });

  it('reports a typo next to the real key too, and never quotes the value', () => {
    const issues = unknownKeyIssues({
      KILL_SWITCH: 'false',
      KILL_SWTICH: 'true',
      EXCHANGE_API_SECERT: 'sentinel-secret-value',
    });
    expect(issues.map((issue) => issue.key)).toEqual(['KILL_SWTICH', 'EXCHANGE_API_SECERT']);
    expect(JSON.stringify(issues)).not.toContain('sentinel-secret-value');
  });
});
