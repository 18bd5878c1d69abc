// Test tiers (after immich): `unit` next to the code (pure logic, mocks allowed), `integration` in test/
// against the real PostgreSQL, Redis and mediasoup worker.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
  testTimeout: 60000,
  // Never in band: @roamhq/wrtc's native code can crash the process that loaded it at exit, after every test
  // has passed. In a worker process that crash is harmless; in jest's own process it would fail the run.
  // Three on two cores: the integration suites mostly wait (sockets, timers, browsers), so a third worker fills
  // the gaps. On this VM (2 vCPU AMD EPYC) the whole run took 428 s of jest with two and 318 s with three, every
  // test passing (BENCHMARKS.md, "Test suite"). Under a concurrent soak (load average 7-10) three once timed out
  // WebRTC tests: the suite wants the machine to itself, as CI gives it.
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
