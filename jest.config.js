// Test tiers (after immich): `unit` next to the code (pure logic, mocks allowed), `integration` in test/
// against the real PostgreSQL, Redis and mediasoup worker.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
  testTimeout: 60000,
  // Never in band: @roamhq/wrtc's native code can crash the process that loaded it at exit, after every test
  // has passed. In a worker process that crash is harmless; in jest's own process it would fail the run.
  // Three on two cores: the integration suites mostly wait (timers, grace periods, browsers, the network), so
  // two workers kept the machine under half busy (about 0.8 of 2 cores over a 380 s run); three finish in about
  // 285 s. A test that fails under that contention has a race to fix (as test/matching's line order had).
  maxWorkers: 3,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      // Medium tests (test/medium/): services and SQL against the real database, without HTTP or mediasoup.
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.medium-spec.ts'],
      globalSetup: '<rootDir>/test/utils/global-setup.ts',
      globalTeardown: '<rootDir>/test/utils/global-teardown.ts',
    },
  ],
};
