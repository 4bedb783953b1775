// The fault-and-abuse suite (`npm run test:chaos`): separate OS processes, SIGKILL, a PostgreSQL
// restart, replay storms, a cross-tenant probe generated from /openapi.json and the GraphQL schema,
// and a bad-input fuzz. Same global setup as the main suite: a real PostgreSQL (embedded when
// DATABASE_URL is unset) with the real migrations.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/global-setup.mjs',
  globalTeardown: '<rootDir>/test/global-teardown.mjs',
  testTimeout: 300000,
  maxWorkers: 1,
};
