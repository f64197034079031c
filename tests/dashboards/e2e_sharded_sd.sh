#!/usr/bin/env bash
# End-to-end test of dashboards/prometheus-sd.yml: two real Prometheus servers (Debian package
# `prometheus`) load the shipped file, each keeping its hashmod half (modulus 2), and probe the
# real exporter in --demo mode through /sd and /probe. check_sharding.py then checks that
# together they probe every tracked batch exactly once per interval (none on both, none
# missing), that a batch created later is found without a restart, and that a batch that
# finished and left discovery is no longer probed. The demo's timing drives the last two:
# demo-late-arrival is created 15 s after the start, demo-quick-check finishes within 20 s.
#
# Usage: e2e_sharded_sd.sh <exporter binary> <source dir>
# Bounded: one overall deadline (60 s; a pass takes about 25 s), backed by ctest's TIMEOUT.
set -euo pipefail

exporter=${1:?usage: $0 <exporter binary> <source dir>}
src=$(cd "${2:?usage: $0 <exporter binary> <source dir>}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
shipped=$src/dashboards/prometheus-sd.yml
started=$SECONDS
deadline=$((SECONDS + 60))
# shellcheck source=e2e_lib.sh
. "$here/e2e_lib.sh"  # left, stop, wait_http, start_demo_exporter, start_prometheus

command -v prometheus >/dev/null || { echo "prometheus not found (Debian package prometheus)"; exit 1; }

tmp=$(mktemp -d)
pids=()
checker_pid=""

cleanup() {
  local rc=$? pid f
  stop "$checker_pid"
  for pid in "${pids[@]}"; do stop "$pid"; done
  if [ "$rc" -ne 0 ]; then
    for f in "$tmp"/*.log; do echo "--- $(basename "$f") (tail)"; tail -n 15 "$f"; done
  fi
  rm -rf "$tmp"
  echo "e2e sharded sd finished in $((SECONDS - started)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT

echo "=== the shipped example passes promtool check config"
(cd "$src/dashboards" && promtool check config --lint=all --lint-fatal prometheus-sd.yml)

start_demo_exporter "$exporter" /sd "$tmp/exporter.log"
pids+=("$exporter_pid")
echo "exporter (demo) on 127.0.0.1:$exporter_port"

# The shipped file with this exporter's address, 1 s intervals and the server's shard: each
# substitution must apply, or the test would silently check something else.
shard_config() {  # <shard> <output>
  sed -e "s/anchorbrowser-exporter:9877/127.0.0.1:$exporter_port/g" \
      -e 's/^\(  *\)\(scrape\|evaluation\)_interval: 60s/\1\2_interval: 1s/' \
      -e 's/scrape_timeout: 20s/scrape_timeout: 1s/' \
      -e 's/refresh_interval: 30s/refresh_interval: 1s/' \
      -e "s/regex: \"0\"/regex: \"$1\"/" "$shipped" >"$2"
  local expected
  for expected in "127.0.0.1:$exporter_port/sd" "scrape_interval: 1s" "scrape_timeout: 1s" \
      "refresh_interval: 1s" "regex: \"$1\"" "modulus: 2"; do
    grep -qF "$expected" "$2" || { echo "substitution failed: $expected"; exit 1; }
  done
  promtool check config "$2" >/dev/null
}

proms=()
for shard in 0 1; do
  shard_config "$shard" "$tmp/prometheus-$shard.yml"
  start_prometheus "$tmp/prometheus-$shard.yml" "$tmp/data-$shard" "$tmp/prometheus-$shard.log" \
    "Prometheus $shard"
  pids+=("$prometheus_pid")
  proms+=(--prometheus "http://127.0.0.1:$prometheus_port")
  echo "prometheus shard $shard on 127.0.0.1:$prometheus_port"
done

timeout "$(left)" python3 "$here/check_sharding.py" --sd "http://127.0.0.1:$exporter_port/sd" \
  "${proms[@]}" --job anchorbrowser-sd --interval 1 \
  --late demo-late-arrival --leaving demo-quick-check --wait "$(( $(left) - 2 ))" &
checker_pid=$!
rc=0
wait "$checker_pid" || rc=$?
checker_pid=""
[ "$rc" -eq 0 ] || exit 1
echo "e2e sharded sd: PASS"
