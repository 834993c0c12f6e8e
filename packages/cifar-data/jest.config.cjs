/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  moduleNameMapper: { '^@aa/cifar-data$': '<rootDir>/src/index.ts' },
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  // Layer tests build tiny models on the pure-JS cpu backend; give them room on a loaded 2-core machine.
  testTimeout: 60000,
};
