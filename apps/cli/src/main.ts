#!/usr/bin/env node
import { run } from './program';

// The `hub` binary (package.json "bin"): exit codes 0 done, 1 failed, 2 usage, 3 denied by governance, 4 auth.
void run(process.argv).then((code) => {
  process.exitCode = code;
});
