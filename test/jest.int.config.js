// Integration tier: *.int-spec.ts against the real Postgres and Kafka the harness finds.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'integration',
  // test/integration: lib specs that need libs/testing, kept outside the libs so no lib depends on testing through its specs (a cycle).
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts', '<rootDir>/test/integration/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 120000,
};
