/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // The README example imports the package by name, as a user would.
  moduleNameMapper: { '^@aa/train-loop$': '<rootDir>/src/index.ts', '^@aa/train-loop/node$': '<rootDir>/src/node.ts' },
  // Layer tests build tiny models on the pure-JS cpu backend; give them room on a loaded 2-core machine.
  testTimeout: 60000,
};
