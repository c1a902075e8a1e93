#!/usr/bin/env bash
# npm run up: the whole stack on this machine, from nothing.
# Installs and builds, starts Kafka (KRaft) and creates the topics, prepares Postgres (database and
# one role per service), starts the four services, and creates a demo org and technical account.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
state="${AUDIENCE_HUB_STATE:-$root/.infra}"
mkdir -p "$state"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export DATABASE_ADMIN_URL="${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export DATABASE_NAME="${DATABASE_NAME:-audience_hub}"

[ -x node_modules/.bin/node ] || npm ci --no-audit --no-fund
# The project's own Node (the `node` devDependency, Node 24 LTS), whatever the machine has.
export PATH="$root/node_modules/.bin:$PATH"
npm run --silent build
bash infra/postgres.sh ensure
bash infra/kafka.sh start
node dist/libs/messaging/src/bin/create-topics.js
node dist/libs/persistence/src/bin/prepare-database.js
cat >"$state/stack.env" <<ENV
# Written by npm run up; the test harness reads it when KAFKA_BROKERS/DATABASE_URL are not set.
KAFKA_BROKERS=$KAFKA_BROKERS
DATABASE_ADMIN_URL=$DATABASE_ADMIN_URL
DATABASE_NAME=$DATABASE_NAME
ENV
admin_host="${DATABASE_ADMIN_URL#*@}"
DATABASE_URL_BASE="postgres://${admin_host%%/*}/$DATABASE_NAME" bash infra/services.sh start
if [ -f dist/apps/ims/src/bin/bootstrap-demo.js ]; then IMS_ENV_FILE="$state/ims.env" node dist/apps/ims/src/bin/bootstrap-demo.js; fi
echo
echo "audience-hub is up. Logs: $state/logs/. OpenAPI: http://127.0.0.1:300{0,1,2,3}/docs. Stop: npm run down"
