/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Layer tests build tiny models on the pure-JS cpu backend; give them room on a loaded 2-core machine.
  testTimeout: 60000,
  // Examples import the package by name, as users do; point that name at the source.
  moduleNameMapper: { '^@aa/backend-onednn$': '<rootDir>/src/index.ts' },
};
