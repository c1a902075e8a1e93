// Unit tier: *.spec.ts, no I/O.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'unit',
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'],
};
