#!/usr/bin/env bash
# The four services as background processes of this machine (used by up.sh/down.sh).
#   infra/services.sh start [service...]   start (all by default) and wait until ready
#   infra/services.sh stop [service...]    SIGTERM, wait for the drain
#   infra/services.sh status
# Env: DATABASE_URL_BASE (postgres://127.0.0.1:5432/audience_hub), DATABASE_ROLE_PASSWORD, KAFKA_BROKERS, plus any service variable.
# The IMS also gets the variables of $state/ims.env (written once: master key and the bootstrap account,
# the platform operator that runs the demo);
# a variable already set in the environment wins.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
# The project's own Node (the `node` devDependency) when installed, else the machine's.
export PATH="$root/node_modules/.bin:$PATH"
state="${AUDIENCE_HUB_STATE:-$root/.infra}"
mkdir -p "$state/logs" "$state/pids"
all=(ims id-reconciliation audience-import audience-export)
declare -A port=([ims]=3000 [id-reconciliation]=3001 [audience-import]=3002 [audience-export]=3003)
declare -A role=([ims]=audience_hub_ims [id-reconciliation]=audience_hub_idrec [audience-import]=audience_hub_import [audience-export]=audience_hub_export)
base="${DATABASE_URL_BASE:-postgres://127.0.0.1:5432/audience_hub}"
password="${DATABASE_ROLE_PASSWORD:-audience-hub}"

ims_env_file="$state/ims.env"

# Once per machine: a random IMS master key and the bootstrap account's credentials (the secret is shown once by up.sh).
ensure_ims_env() {
  [ -f "$ims_env_file" ] && return
  (umask 077 && node -e '
    const { randomBytes } = require("node:crypto");
    console.log([
      "# Written once by infra/services.sh for the IMS. Secret: keep this file private; delete it only with the ims schema.",
      `IMS_MASTER_KEY=${randomBytes(32).toString("hex")}`,
      "IMS_BOOTSTRAP_ORG_NAME=Demo org",
      `IMS_BOOTSTRAP_ORG_ID=${randomBytes(12).toString("hex").toUpperCase()}@AdobeOrg`,
      `IMS_BOOTSTRAP_CLIENT_ID=demo-admin-${randomBytes(4).toString("hex")}`,
      `IMS_BOOTSTRAP_CLIENT_SECRET=p8e-${randomBytes(32).toString("base64url")}`,
    ].join("\n"));' >"$ims_env_file")
}

# Exports the IMS_* lines of ims.env that the environment does not set already (values are unquoted, no "=").
load_ims_env() {
  local key value
  while IFS='=' read -r key value; do
    [[ "$key" =~ ^IMS_[A-Z_]+$ ]] || continue
    [ -n "${!key:-}" ] || export "$key=$value"
  done <"$ims_env_file"
}

running() { [ -f "$state/pids/$1.pid" ] && kill -0 "$(cat "$state/pids/$1.pid")" 2>/dev/null; }

start_one() {
  local svc="$1" p="${port[$1]}"
  if running "$svc"; then echo "$svc: already running (pid $(cat "$state/pids/$svc.pid"))"; return; fi
  local url="${base/postgres:\/\//postgres://${role[$svc]}:$password@}"
  [ "$svc" != ims ] || ensure_ims_env
  (
    # In a subshell: only the IMS sees its secrets.
    [ "$svc" != ims ] || load_ims_env
    # Migrations first, once (as a deployment's migration Job does); the service then verifies them.
    DATABASE_URL="$url" node "$root/dist/apps/$svc/src/main.js" migrate >>"$state/logs/$svc.log" 2>&1 \
      || { echo "$svc: migrations failed, see $state/logs/$svc.log" >&2; tail -n 5 "$state/logs/$svc.log" >&2; exit 1; }
    DATABASE_URL="$url" PORT="${PORT_OVERRIDE:-$p}" KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}" \
      nohup node "$root/dist/apps/$svc/src/main.js" >>"$state/logs/$svc.log" 2>&1 &
    echo $! >"$state/pids/$svc.pid"
  )
}

wait_ready() {
  local svc="$1" p="${port[$1]}"
  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$p/health/ready" >/dev/null 2>&1; then echo "$svc: ready on http://127.0.0.1:$p"; return; fi
    running "$svc" || { tail -n 30 "$state/logs/$svc.log"; echo "$svc: exited during start (log: $state/logs/$svc.log)" >&2; exit 1; }
    sleep 0.5
  done
  echo "$svc: not ready after 60 s (log: $state/logs/$svc.log)" >&2
  exit 1
}

stop_one() {
  local svc="$1"
  if ! running "$svc"; then rm -f "$state/pids/$svc.pid"; return; fi
  local pid
  pid="$(cat "$state/pids/$svc.pid")"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$state/pids/$svc.pid"
  echo "$svc: stopped"
}

cmd="${1:-}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
case "$cmd" in
  start) for s in "${targets[@]}"; do start_one "$s"; done; for s in "${targets[@]}"; do wait_ready "$s"; done ;;
  stop) for s in "${targets[@]}"; do stop_one "$s"; done ;;
  status) for s in "${targets[@]}"; do if running "$s"; then echo "$s: running (pid $(cat "$state/pids/$s.pid"))"; else echo "$s: stopped"; fi; done ;;
  *) echo "usage: infra/services.sh start|stop|status [service...]" >&2; exit 2 ;;
esac
