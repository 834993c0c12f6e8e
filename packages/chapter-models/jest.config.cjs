/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Scoring a few hundred test crops on the pure-JS cpu backend takes seconds on a loaded 2-core machine.
  testTimeout: 60000,
  // Examples import the package by name, as users do; in Node that is the Node entry.
  moduleNameMapper: { '^@aa/chapter-models$': '<rootDir>/src/node.ts' },
};
