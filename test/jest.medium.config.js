// Medium tier: *.medium-spec.ts, use cases and repositories in-process on real Postgres (a fresh
// schema per spec file, the service's real migrations), Kafka replaced by reading the outbox.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'medium',
  testMatch: ['<rootDir>/{apps,libs}/**/*.medium-spec.ts'],
  globalSetup: '<rootDir>/test/setup/medium-setup.ts',
  setupFiles: ['<rootDir>/test/setup/medium-quiet.ts'],
  testTimeout: 120000,
};
