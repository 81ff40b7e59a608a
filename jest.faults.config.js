/** The fault suite (npm run test:faults): real processes, a private Redis, minutes rather than seconds. */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = { ...base, testMatch: ['<rootDir>/test/faults/**/*.test.ts'], testPathIgnorePatterns: [], testTimeout: 300000, maxWorkers: 1 };
