/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.browser.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // One Chromium runs every case on webgl (SwiftShader: software) and on cpu; on a loaded 2-core machine that takes a while.
  testTimeout: 600000,
};
