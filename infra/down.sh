#!/usr/bin/env bash
# npm run down: stop the services (they drain first), then Kafka. Data stays in .infra/ and Postgres.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/infra/services.sh" stop
bash "$root/infra/kafka.sh" stop
