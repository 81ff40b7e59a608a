import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import regexp from 'eslint-plugin-regexp';

/**
 * The layers (docs/architecture.md): what each folder of src/ may import. A rule per layer, so an import that points
 * the wrong way fails `npm run lint`.
 */
const IO_MODULES = ['koa', '@koa/router', 'bullmq', 'ioredis', 'pino', 'raw-body', 'prom-client'].flatMap((m) => [m]);
const NODE_IO = ['fs', 'net', 'http', 'https', 'child_process', 'dgram', 'dns', 'tls', 'worker_threads'].flatMap((m) => [m, `node:${m}`]);
const appInternals = {
  group: ['**/app/*', '!**/app/ports', '!**/app/ports/*'],
  message: 'outside src/app, import only the ports (src/app/ports): the use cases are handed in by src/main',
};
const DOMAIN_SYNTAX = [
  'error',
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'inject a clock' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'inject a clock' },
];
const layer = (files, ...groups) => ({ files, rules: { 'no-restricted-imports': ['error', { patterns: groups }] } });
const never = (names, why) => ({ group: names.map((n) => `**/${n}/*`), message: why });

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'coverage/**', 'scratch/**', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_MODULES, ...NODE_IO].map((name) => ({ name, message: 'src/domain is pure: no I/O' })),
          patterns: [{ group: ['../*'], message: 'src/domain imports only src/domain (and pure libraries)' }],
        },
      ],
      'no-restricted-syntax': DOMAIN_SYNTAX,
    },
  },
  {
    // src/domain's own subfolders may reach the rest of src/domain, nothing beyond it.
    files: ['src/domain/*/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...IO_MODULES, ...NODE_IO].map((name) => ({ name, message: 'src/domain is pure: no I/O' })),
          patterns: [{ group: ['../../*'], message: 'src/domain imports only src/domain (and pure libraries)' }],
        },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'inject a clock' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'inject a clock' },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['koa', '@koa/router', 'bullmq', 'ioredis'].map((name) => ({ name, message: 'src/app talks to Redis, BullMQ and HTTP through ports' })),
          patterns: [never(['store', 'jobs', 'http', 'main'], 'src/app depends on ports it defines, not on their adapters')],
        },
      ],
    },
  },
  layer(['src/store/**/*.ts'], appInternals, never(['jobs', 'http', 'main'], 'src/store is an adapter: it implements ports')),
  layer(['src/wecom/**/*.ts'], appInternals, never(['store', 'jobs', 'http', 'main'], 'src/wecom is an adapter: WeCom protocol and API only')),
  layer(['src/jobs/**/*.ts'], appInternals, never(['http', 'main'], 'src/jobs: thin BullMQ processors and producers')),
  layer(
    ['src/text/**/*.ts'],
    appInternals,
    never(['app', 'store', 'wecom', 'jobs', 'http', 'main'], 'src/text: text-processing adapters of domain ports (segmentation)'),
  ),
  layer(['src/http/**/*.ts'], appInternals, never(['store', 'jobs', 'main'], 'src/http: parse, authorise, call one use case, render')),
  {
    // Every regular expression that reads what a person typed runs in linear time: no backtracking that grows faster
    // than the input (an ambiguous alternation under a quantifier froze a worker on a 41-character message).
    files: ['src/**/*.ts'],
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': ['error', { report: 'certain' }],
      'regexp/no-super-linear-move': ['error', { report: 'certain', ignoreSticky: false, ignorePartial: false }],
      'regexp/no-misleading-capturing-group': 'error',
    },
  },
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts', 'src/main/demo*.ts'],
    rules: { 'no-console': 'off' },
  },
);
