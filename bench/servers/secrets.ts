export const BENCH_SECRETS = {
  corpId: 'wwbench0000000001',
  token: 'BenchToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
};

/** The environment every bench reads its configuration from (its own secrets, a bench admin token). */
export const BENCH_ENV = {
  WECOM_CORP_ID: BENCH_SECRETS.corpId,
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 'bench',
  WECOM_TOKEN: BENCH_SECRETS.token,
  WECOM_AES_KEY: BENCH_SECRETS.aesKey,
  ADMIN_TOKEN: 'bench-admin-token-000000',
};
