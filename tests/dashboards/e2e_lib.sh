# Shared by the end-to-end scripts that run the real exporter (--demo) and the real Prometheus
# on loopback: one overall deadline, process start with a free port (retried), readiness
# waits and stopping. Sourced, not run: set `deadline` (in $SECONDS) before sourcing.
# shellcheck shell=bash
: "${deadline:?set deadline before sourcing e2e_lib.sh}"

# Seconds left before the overall deadline, at least 1.
left() {
  local n=$((deadline - SECONDS))
  [ "$n" -gt 0 ] && echo "$n" || echo 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# stop <pid>: SIGTERM, up to 5 s for a clean exit, then SIGKILL.
stop() {
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

# wait_http <url> <pid> <seconds>: until the URL answers 200, the process dies, or time (and
# the overall deadline) is up. Polls every 100 ms.
wait_http() {
  local url=$1 pid=$2 until=$((SECONDS + $3))
  [ "$until" -le "$deadline" ] || until=$deadline
  while [ "$SECONDS" -lt "$until" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# start_demo_exporter <binary> <path> <log>: the exporter in --demo mode on a free port, until
# <path> answers. Sets exporter_pid and exporter_port; exits the script if it does not start.
# The port is free when chosen but could be taken before the process binds it: retried.
start_demo_exporter() {
  local binary=$1 path=$2 log=$3
  for _ in 1 2 3; do
    exporter_port=$(free_port)
    "$binary" --demo --web.listen-address="127.0.0.1:$exporter_port" >"$log" 2>&1 &
    exporter_pid=$!
    wait_http "http://127.0.0.1:$exporter_port$path" "$exporter_pid" 10 && return 0
    stop "$exporter_pid"; exporter_pid=""
  done
  echo "the exporter did not start"
  exit 1
}

# start_prometheus <config> <data dir> <log> <name>: Prometheus on a free port, until /-/ready
# answers. Sets prometheus_pid and prometheus_port; exits the script if it does not start.
start_prometheus() {
  local config=$1 data=$2 log=$3 name=$4
  for _ in 1 2 3; do
    prometheus_port=$(free_port)
    prometheus --config.file="$config" --storage.tsdb.path="$data" \
      --web.listen-address="127.0.0.1:$prometheus_port" --log.level=warn >"$log" 2>&1 &
    prometheus_pid=$!
    wait_http "http://127.0.0.1:$prometheus_port/-/ready" "$prometheus_pid" 15 && return 0
    stop "$prometheus_pid"; prometheus_pid=""
  done
  echo "$name did not start"
  exit 1
}

# Signals end the script through its EXIT trap (which the script sets to its cleanup).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
