// Test tiers (after immich): `unit` next to the code (pure logic, mocks allowed), `integration` in test/
// against the real PostgreSQL, Redis and mediasoup worker.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
  testTimeout: 60000,
  // Never in band: @roamhq/wrtc's native code can crash the process that loaded it at exit, after every test
  // has passed. In a worker process that crash is harmless; in jest's own process it would fail the run.
  // Two on two cores. The integration suites mostly wait (about 0.8 of 2 cores busy over a 380 s run) and three
  // workers finish in about 285 s, but under that contention test/client-call once found a cache after quick exit
  // (a service worker writing as the page wiped it; client/sw/sw.js and quick-exit.ts now guard that): three only
  // once a run of several suites under load shows it holds.
  maxWorkers: 2,
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
