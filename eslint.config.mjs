import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': ['error', { paths: ['koa', '@koa/router', 'bullmq', 'ioredis', 'pino'] }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'inject a clock' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'inject a clock' },
      ],
    },
  },
  {
    files: ['bench/**/*.ts', 'tools/**/*.ts', 'src/main/demo*.ts'],
    rules: { 'no-console': 'off' },
  },
);
