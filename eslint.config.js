// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The dependency direction (docs/architecture/overview.md): which @lumenlink packages each
 * member may import.
 * Apps may import any library (the backtest app everything but alerts); nothing imports an app.
 */
const allowedInternal = {
  core: [],
  config: ['core'],
  indicators: ['core'],
  strategies: ['core', 'indicators'],
  risk: ['core', 'config'],
  execution: ['core'],
  exchanges: ['core', 'config'],
  data: ['core'],
  alerts: ['core'],
  engine: ['core', 'indicators', 'risk', 'execution'],
  analysis: ['core', 'config', 'risk', 'execution', 'engine'],
  runtime: ['core', 'indicators', 'risk', 'execution', 'engine'],
  'strategy-loader': ['core', 'strategies'],
  optimize: ['core', 'config', 'strategies', 'strategy-loader', 'engine', 'analysis', 'data'],
  bot: [
    'core',
    'config',
    'indicators',
    'strategies',
    'risk',
    'execution',
    'exchanges',
    'data',
    'alerts',
    'engine',
    'analysis',
    'runtime',
    'strategy-loader',
  ],
  backtest: [
    'core',
    'config',
    'indicators',
    'strategies',
    'risk',
    'execution',
    'exchanges',
    'data',
    'engine',
    'analysis',
    'optimize',
    'strategy-loader',
  ],
};

/** Each SDK is imported by exactly one member (docs/architecture/overview.md); zod is shared by all. */
const sdkOwner = {
  ccxt: 'exchanges',
  kysely: 'data',
  'better-sqlite3': 'data',
  grammy: 'alerts',
  winston: 'core',
  'prom-client': 'core',
  technicalindicators: 'indicators',
  cockatiel: 'execution',
  'cli-progress': 'data',
  '@aws-sdk/*': 'bot',
};

const members = Object.keys(allowedInternal);
const libraries = members.filter((name) => name !== 'bot' && name !== 'backtest');

/** @param {string} member */
function restrictedImportPatterns(member) {
  const allowed = allowedInternal[/** @type {keyof typeof allowedInternal} */ (member)];
  const internal = members
    .filter((other) => other !== member && !allowed.includes(other))
    .map((other) => ({
      group: [`@lumenlink/${other}`, `@lumenlink/${other}/*`],
      message: `@lumenlink/${member} may not import @lumenlink/${other}: dependencies point downward only (docs/architecture/overview.md).`,
    }));
  const sdks = Object.entries(sdkOwner)
    .filter(([, owner]) => owner !== member)
    .map(([sdk, owner]) => ({
      group: [sdk, `${sdk}/*`],
      message: `${sdk} belongs to @lumenlink/${owner} alone; go through that package's API.`,
    }));
  return [...internal, ...sdks];
}

/** @param {string} member */
function memberDir(member) {
  return member === 'bot' || member === 'backtest' ? `apps/${member}` : `packages/${member}`;
}

const testFiles = ['**/*.test.ts', '**/test/**', '**/testing/**', '**/*.bench.ts', '**/bench/**'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '.tools/**', '**/.turbo/**', '**/coverage/**'],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // A forgotten promise in a trading bot is a lost order.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  ...members.map((member) => ({
    files: [`${memberDir(member)}/**/*.ts`],
    ignores: testFiles,
    rules: {
      'no-restricted-imports': ['error', { patterns: restrictedImportPatterns(member) }],
    },
  })),
  {
    // Inside core, winston and prom-client stay behind their subpaths so the main entry loads neither.
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/logging/**', 'packages/core/src/metrics/**', ...testFiles],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...restrictedImportPatterns('core'),
            {
              group: ['winston', 'winston/*', 'logform', 'triple-beam'],
              message: 'winston lives behind @lumenlink/core/logging only.',
            },
            {
              group: ['prom-client'],
              message: 'prom-client lives behind @lumenlink/core/metrics only.',
            },
          ],
        },
      ],
    },
  },
  {
    // Library code takes time from the Clock and randomness from a seeded source.
    files: libraries.map((member) => `packages/${member}/src/**/*.ts`),
    ignores: testFiles,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Date.now() is banned in library code: take time from the Clock port.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message:
            'new Date() without arguments is banned in library code: take time from the Clock port.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Math.random() is banned in library code: use a seeded random source.',
        },
      ],
    },
  },
  {
    // Apps are wiring: no function of theirs grows past 80 lines (scripts/check-app-size.mjs caps
    // each app's source at 2,000 lines); what grows belongs in a package.
    files: ['apps/*/src/**/*.ts'],
    ignores: testFiles,
    rules: {
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
