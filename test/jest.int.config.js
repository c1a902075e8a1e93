// Integration tier: *.int-spec.ts against the real Postgres and Kafka the harness finds.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'integration',
  testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 120000,
};
