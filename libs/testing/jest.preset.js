// Shared Jest settings: SWC transpiles TypeScript (with decorator metadata for Nest DI)
// and the @audience-hub/* aliases resolve to each library's only door, src/index.ts.
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const libs = ['contracts', 'messaging', 'persistence', 'observability', 'auth', 'testing', 'platform', 'audit', 'client', 'dead-letters'];

module.exports = {
  rootDir: root,
  testEnvironment: 'node',
  transform: {
    // jose and openid-client (with its oauth4webapi) are ESM-only: Node 20.19+ loads them with require(), Jest's runtime cannot, so SWC converts them.
    '^.+\\.(ts|js)$': [
      '@swc/jest',
      {
        swcrc: false, // .swcrc is for builds and leaves specs out
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|openid-client|oauth4webapi)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((lib) => [`^@audience-hub/${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`]),
  ),
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.infra/'],
};
