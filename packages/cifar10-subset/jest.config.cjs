/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Tests import the package by name, as the README's example does.
  moduleNameMapper: { '^@aa/cifar10-subset$': '<rootDir>/src/index.ts' },
  // Hashing 11 MB and building the package take a few seconds on a loaded 2-core machine.
  testTimeout: 60000,
};
