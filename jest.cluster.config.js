/**
 * The integration and browser suites again, against a local 3-master Redis Cluster (npm run test:cluster starts it:
 * tools/redis-cluster.sh), plus the cluster's own checks (test/cluster). Tests that stop Redis run their own
 * single redis-server either way, so they are left to `npm test`.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/browser/**/*.test.ts', '<rootDir>/test/cluster/**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    // Own redis-server, stopped and restarted: not about the cluster.
    '<rootDir>/test/integration/redis-down.test.ts',
    '<rootDir>/test/integration/nudge-failure.test.ts',
    '<rootDir>/test/integration/nudge-kill.test.ts',
  ],
};
