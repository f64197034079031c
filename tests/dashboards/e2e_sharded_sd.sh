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
left() { local n=$((deadline - SECONDS)); [ "$n" -gt 0 ] && echo "$n" || echo 1; }

command -v prometheus >/dev/null || { echo "prometheus not found (Debian package prometheus)"; exit 1; }

tmp=$(mktemp -d)
pids=()
checker_pid=""

stop() {  # SIGTERM, up to 5 s for a clean exit, then SIGKILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

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
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

wait_http() {  # <url> <pid> <seconds>
  local url=$1 pid=$2 until=$((SECONDS + $3))
  [ "$until" -le "$deadline" ] || until=$deadline
  while [ "$SECONDS" -lt "$until" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  return 1
}

echo "=== the shipped example passes promtool check config"
(cd "$src/dashboards" && promtool check config --lint=all --lint-fatal prometheus-sd.yml)

for attempt in 1 2 3; do
  exporter_port=$(free_port)
  "$exporter" --demo --web.listen-address="127.0.0.1:$exporter_port" >"$tmp/exporter.log" 2>&1 &
  exporter_pid=$!
  wait_http "http://127.0.0.1:$exporter_port/sd" "$exporter_pid" 10 && break
  stop "$exporter_pid"
  [ "$attempt" -lt 3 ] || { echo "the exporter did not start"; exit 1; }
done
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
  for attempt in 1 2 3; do
    port=$(free_port)
    prometheus --config.file="$tmp/prometheus-$shard.yml" --storage.tsdb.path="$tmp/data-$shard" \
      --web.listen-address="127.0.0.1:$port" --log.level=warn >"$tmp/prometheus-$shard.log" 2>&1 &
    pid=$!
    wait_http "http://127.0.0.1:$port/-/ready" "$pid" 15 && break
    stop "$pid"
    [ "$attempt" -lt 3 ] || { echo "Prometheus $shard did not start"; exit 1; }
  done
  pids+=("$pid")
  proms+=(--prometheus "http://127.0.0.1:$port")
  echo "prometheus shard $shard on 127.0.0.1:$port"
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
