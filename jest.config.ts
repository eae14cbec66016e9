import type { Config } from 'jest';

// Tests run from TypeScript sources (swc strips types; `npm run build` type-checks).
// Workspace packages resolve to their sources so a test never runs stale dist/ output.
const shared = {
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
    // @platformatic/kafka and its ES-module dependencies (@platformatic/*), compiled to CommonJS:
    // jest's require() loads ES modules itself only under --experimental-vm-modules (Node 24.9+).
    // swc turns import.meta.url into the file's URL.
    '/node_modules/@platformatic/.+\\.js$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'ecmascript' } } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@platformatic/)'],
  moduleNameMapper: {
    // Subpath entry points (package.json "exports"), before the package entry points.
    '^@troupe/kit/internal$': '<rootDir>/packages/kit/src/internal.ts',
    '^@troupe/kit/kafkajs$': '<rootDir>/packages/kit/src/kafka/kafkajs/index.ts',
    '^@troupe/kit/memory$': '<rootDir>/packages/kit/src/kafka/memory/index.ts',
    '^@troupe/kit/platformatic$': '<rootDir>/packages/kit/src/kafka/platformatic/index.ts',
    '^@troupe/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@troupe-services/([a-z-]+)$': '<rootDir>/services/$1/src/index.ts',
  },
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
} satisfies Config;

const config: Config = {
  projects: [
    {
      ...shared,
      displayName: 'unit',
      // Pure logic only: no sockets, no child processes.
      testMatch: ['<rootDir>/{packages,services}/*/src/**/*.test.ts'],
    },
    {
      ...shared,
      displayName: 'integration',
      // Against a real Kafka, Redis, PostgreSQL and schema registry, started once for the run.
      testMatch: ['<rootDir>/{packages,services}/*/test/**/*.itest.ts'],
      globalSetup: '<rootDir>/packages/testkit/src/jest/global-setup.ts',
      globalTeardown: '<rootDir>/packages/testkit/src/jest/global-teardown.ts',
      slowTestThreshold: 60,
    },
    {
      ...shared,
      displayName: 'faults',
      // Each scenario starts a stack of its own, breaks it and counts what arrived:
      // `npm run test:faults` (README, "Fault scenarios").
      testMatch: ['<rootDir>/faults/**/*.faults.ts'],
      slowTestThreshold: 120,
    },
  ],
};

export default config;
