// Fault tier: services killed, Postgres cut off, Kafka restarted, topics replayed; real components only.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'chaos',
  testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 300000,
};
