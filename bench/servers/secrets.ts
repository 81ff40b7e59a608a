export const BENCH_SECRETS = {
  corpId: 'wwbench0000000001',
  token: 'BenchToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};
