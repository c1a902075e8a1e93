// Unit tier: *.spec.ts, no I/O.
module.exports = {
  ...require('../libs/testing/jest.preset'),
  displayName: 'unit',
  // test/openapi: the services' OpenAPI documents, built without Postgres or Kafka.
  // test/deploy: the Kubernetes manifests, rendered by kubectl and checked without a cluster.
  testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts', '<rootDir>/test/openapi/**/*.spec.ts'],
};
