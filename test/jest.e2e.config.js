// End-to-end tier: the four services as separate processes, driven through REST, Kafka and files.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 180000,
};
