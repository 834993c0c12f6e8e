/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Tests import the package by name, as the README's example does.
  moduleNameMapper: { '^@aa/rezero$': '<rootDir>/src/index.ts' },
  // Layer tests build tiny models on the pure-JS cpu backend; give them room on a loaded 2-core machine.
  testTimeout: 60000,
};
