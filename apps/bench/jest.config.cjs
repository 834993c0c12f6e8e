/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Browser tests need Chromium: they run with `pnpm --filter @aa/bench test:e2e` (CI installs Chromium first).
  moduleNameMapper: { '^@aa/bench$': '<rootDir>/src/index.ts' },
  testPathIgnorePatterns: ['/node_modules/', '/test/e2e/'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 120000,
};
