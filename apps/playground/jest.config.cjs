/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // The Chromium run is `pnpm test:browser` (jest.browser.config.cjs): `pnpm test` stays browser-free.
  testPathIgnorePatterns: ['\\.browser\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  testTimeout: 60000,
};
