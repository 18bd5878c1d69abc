// Runs mediasoup's own test suite, as shipped in the npm package (node/lib/tests, compiled for jest),
// against the worker binary this project built. Used by scripts/test-mediasoup-worker.sh.
const { dirname, join } = require('node:path');

const pkg = dirname(require.resolve('mediasoup/package.json', { paths: [join(__dirname, '..', '..')] }));

module.exports = {
  rootDir: join(pkg, 'node', 'lib', 'tests'),
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test-*.js'],
  // The suite lives inside node_modules, which jest ignores by default.
  testPathIgnorePatterns: [],
  haste: { retainAllFiles: true },
  transform: {},
  testTimeout: 20000,
};
