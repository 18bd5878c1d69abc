// Test tiers (after immich): `unit` next to the code (pure logic, mocks allowed), `integration` in test/
// against the real PostgreSQL, Redis and mediasoup worker.
const transform = { '^.+\\.ts$': ['@swc/jest'] };
module.exports = {
  testTimeout: 60000,
  // Never in band: @roamhq/wrtc's native code can crash the process that loaded it at exit, after every test
  // has passed. In a worker process that crash is harmless; in jest's own process it would fail the run.
  // Two on two cores. Three once filled the gaps while the integration suites mostly waited (318 s against 428 s,
  // BENCHMARKS.md "Test suite"); since then the browser suites have grown (WebRTC calls of four pages, Web Push), and
  // three of them at once put the load average at 14: a console suite took 287 s instead of 50 alone, and a race in
  // the push worker showed. On 5 December 2026 the whole run took 861 s with three workers and 796 s with two
  // (load average 5-6, every suite at most 2-4 times its time alone).
  maxWorkers: 2,
  // A fresh worker process for every test file (jest recycles a worker whose heap is above this after a file, and
  // every file leaves more). @roamhq/wrtc's native threads, loaded by a media suite, once crashed the worker (SIGSEGV)
  // in the middle of a later, unrelated suite (bookings-relay, CI-like run of 5 December 2026); a worker recycled
  // between files takes such leftovers with it (jest checks the heap just after a file and ignores how a worker it
  // is recycling exits; a crash in the instant before that check would still fail the next file).
  workerIdleMemoryLimit: '10MB',
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
