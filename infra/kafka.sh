#!/usr/bin/env bash
# Apache Kafka 4.x (KRaft, single node) from the broker jars on Maven Central.
#   infra/kafka.sh fetch   download the jars once (cached in ~/.m2 and .infra/kafka/libs)
#   infra/kafka.sh start   fetch if needed, format storage on first start, start, wait until it answers
#   infra/kafka.sh stop    stop the broker started here
#   infra/kafka.sh status
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP (-Xms256m -Xmx1g), AUDIENCE_HUB_STATE (.infra)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
state="${AUDIENCE_HUB_STATE:-$root/.infra}"
home="$state/kafka"
libs="$home/libs"
data="$home/data"
pidfile="$home/broker.pid"
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/infra/kafka/pom.xml")"

fetch() {
  if [ -f "$libs/.version" ] && [ "$(cat "$libs/.version")" = "$version" ]; then return; fi
  echo "kafka: fetching Apache Kafka $version broker jars from Maven Central"
  rm -rf "$libs" && mkdir -p "$libs"
  mvn -q -B -f "$root/infra/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs" -DincludeScope=runtime >"$home/fetch.log" 2>&1 \
    || { cat "$home/fetch.log"; echo "kafka: fetch failed" >&2; exit 1; }
  echo "$version" >"$libs/.version"
}

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; }

start() {
  if running; then echo "kafka: already running (pid $(cat "$pidfile")) on 127.0.0.1:$port"; return; fi
  if answers; then echo "kafka: something else already listens on 127.0.0.1:$port" >&2; exit 1; fi
  fetch
  mkdir -p "$data"
  sed -e "s#@KAFKA_PORT@#$port#g" -e "s#@CONTROLLER_PORT@#$controller_port#g" -e "s#@DATA_DIR@#$data#g" \
    "$root/infra/kafka/server.properties" >"$home/server.properties"
  local java_opts=(-cp "$libs/*" "-Dlog4j2.configurationFile=$root/infra/kafka/log4j2.properties")
  if [ ! -f "$data/meta.properties" ]; then
    local cluster_id
    cluster_id="$(java "${java_opts[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    java "${java_opts[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$home/server.properties" >"$home/format.log" 2>&1 \
      || { cat "$home/format.log"; exit 1; }
  fi
  # shellcheck disable=SC2086
  nohup java ${KAFKA_HEAP:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true "${java_opts[@]}" \
    kafka.Kafka "$home/server.properties" >"$home/broker.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if answers; then echo "kafka: $version running on 127.0.0.1:$port (pid $(cat "$pidfile"), log $home/broker.log)"; return; fi
    running || { tail -n 40 "$home/broker.log"; echo "kafka: broker exited during start" >&2; exit 1; }
    sleep 0.5
  done
  echo "kafka: not answering on 127.0.0.1:$port after 60 s" >&2
  exit 1
}

stop() {
  if ! running; then rm -f "$pidfile"; echo "kafka: not running"; return; fi
  local pid
  pid="$(cat "$pidfile")"
  kill "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  echo "kafka: stopped"
}

mkdir -p "$home"
case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "kafka: running (pid $(cat "$pidfile"))"; else echo "kafka: not running"; exit 1; fi ;;
  *) echo "usage: infra/kafka.sh fetch|start|stop|status" >&2; exit 2 ;;
esac
