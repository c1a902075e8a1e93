// Jest's moduleNameMapper does not apply to globalSetup/globalTeardown: resolve the
// @audience-hub/* aliases there the same way (each library's src/index.ts).
const Module = require('node:module');
const path = require('node:path');

const libs = path.resolve(__dirname, '../../libs');
const original = Module._resolveFilename;
Module._resolveFilename = function resolveAlias(request, ...rest) {
  const match = /^@audience-hub\/([a-z-]+)$/.exec(request);
  if (match) return original.call(this, path.join(libs, match[1], 'src/index.ts'), ...rest);
  return original.call(this, request, ...rest);
};
