#!/usr/bin/env bash
# npm test: type check, lint, formatting, build, then the unit, medium, integration, end-to-end, property and fault (chaos) tiers, and one summary line.
# Integration and e2e need Kafka and Postgres: KAFKA_BROKERS + DATABASE_URL, or a stack from
# `npm run up` (.infra/stack.env), or a Docker engine (testcontainers). See README.
set -euo pipefail
cd "$(dirname "$0")/.."
results=".infra/test-results"
rm -rf "$results" && mkdir -p "$results"
npm run --silent typecheck
npm run --silent lint
npm run --silent format:check
npm run --silent build
# The file-transport tests run S3Proxy's jar (fetched once, cached) and Debian's sshd (openssh-server).
bash infra/s3proxy.sh fetch
status=0
for tier in unit medium int e2e property chaos; do
  args=(-c "test/jest.$tier.config.js" --json --outputFile="$results/$tier.json")
  # Tiers with real services run one file at a time; --forceExit so a client a test left open
  # (a Kafka consumer, a socket) cannot keep the run alive after the results are in.
  [ "$tier" = unit ] || args+=(--runInBand --forceExit)
  npx jest "${args[@]}" "$@" || { status=$?; break; }
done
node -e '
  const fs = require("fs"); let passed = 0, failed = 0, skipped = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests;
  }
  console.log(`tests: ${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results"
exit $status
