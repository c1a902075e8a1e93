#!/usr/bin/env bash
# infra/postgres.sh ensure: make sure the Postgres at DATABASE_ADMIN_URL answers; on a machine with
# a local Debian cluster that is stopped, start it.
set -euo pipefail
url="${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
hostport="${url#*@}"; hostport="${hostport%%/*}"
host="${hostport%%:*}"; port="${hostport##*:}"; [ "$port" = "$host" ] && port=5432
answers() { pg_isready -q -h "$host" -p "$port" 2>/dev/null || (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }
if answers; then echo "postgres: answering on $host:$port"; exit 0; fi
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  echo "postgres: starting local cluster $version/main"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 60); do answers && { echo "postgres: answering on $host:$port"; exit 0; }; sleep 0.5; done
fi
echo "postgres: nothing answers on $host:$port. Start PostgreSQL 15+ or set DATABASE_ADMIN_URL." >&2
exit 1
