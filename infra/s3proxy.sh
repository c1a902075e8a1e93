#!/usr/bin/env bash
# S3Proxy (org.gaul:s3proxy), the S3-compatible server the file-transport tests start themselves on
# a free port with its filesystem backend (libs/testing S3ProxyServer). Only fetched here.
#   infra/s3proxy.sh fetch   copy the runnable jar from Maven Central (cached in ~/.m2) to .infra/s3proxy/s3proxy.jar
# Env: AUDIENCE_HUB_STATE (.infra)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
home="${AUDIENCE_HUB_STATE:-$root/.infra}/s3proxy"
version="$(sed -n 's:.*<s3proxy.version>\(.*\)</s3proxy.version>.*:\1:p' "$root/infra/s3proxy/pom.xml")"

fetch() {
  if [ -f "$home/.version" ] && [ "$(cat "$home/.version")" = "$version" ] && [ -f "$home/s3proxy.jar" ]; then return; fi
  echo "s3proxy: fetching S3Proxy $version from Maven Central"
  rm -rf "$home/libs" && mkdir -p "$home/libs"
  mvn -q -B -f "$root/infra/s3proxy/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$home/libs" -DincludeScope=runtime >"$home/fetch.log" 2>&1 \
    || { cat "$home/fetch.log"; echo "s3proxy: fetch failed" >&2; exit 1; }
  mv "$home"/libs/s3proxy-*-jar-with-dependencies.jar "$home/s3proxy.jar"
  rm -rf "$home/libs"
  echo "$version" >"$home/.version"
}

mkdir -p "$home"
case "${1:-}" in
  fetch) fetch ;;
  *) echo "usage: infra/s3proxy.sh fetch" >&2; exit 2 ;;
esac
