// Property tier: invariants that must hold under any order of events (fast-check), against the real
// services as processes on real Kafka and Postgres, with an oracle computed in the test.
// HUB_PROPERTY_RUNS / HUB_PROPERTY_SEED for long runs (see test/property/convergence.property-spec.ts).
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'property',
  testMatch: ['<rootDir>/test/property/**/*.property-spec.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  // Long runs (HUB_PROPERTY_RUNS=200) take most of an hour; the default CI run a few minutes.
  testTimeout: 4 * 60 * 60 * 1000,
};
