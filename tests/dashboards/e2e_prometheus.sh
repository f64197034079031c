#!/usr/bin/env bash
# End-to-end test of dashboards/: the real Prometheus server (Debian package `prometheus`)
# scrapes the real exporter in --demo mode on loopback, loads dashboards/rules.yml and
# dashboards/alerts.yml, and check_queries.py evaluates every expression of the dashboard and
# the rule files through Prometheus' HTTP API (see its docstring for what passes).
#
# Then it proves the check can fail: copies of the dashboard with a misspelt metric name and
# of the alerts with a misspelt label value must be rejected, naming the culprit.
#
# Usage: e2e_prometheus.sh <exporter binary> <source dir>
# Bounded in time: every wait and the checker run against one overall deadline (75 s; a pass
# takes about 12 s), which ctest's TIMEOUT (90 s) backs up. Prometheus and the exporter are
# stopped on every exit path (EXIT trap).
set -euo pipefail

exporter=${1:?usage: $0 <exporter binary> <source dir>}
src=$(cd "${2:?usage: $0 <exporter binary> <source dir>}" && pwd)  # absolute: Prometheus
# resolves rule_files against its config file's directory and silently skips a glob that
# matches nothing
here=$(cd "$(dirname "$0")" && pwd)
dash=$src/dashboards
started=$SECONDS
deadline=$((SECONDS + 75))
# shellcheck source=e2e_lib.sh
. "$here/e2e_lib.sh"  # left, stop, wait_http, start_demo_exporter, start_prometheus

command -v prometheus >/dev/null || {
  echo "prometheus not found (Debian package prometheus)"; exit 1; }

tmp=$(mktemp -d)
exporter_pid=""
prometheus_pid=""
checker_pid=""

cleanup() {
  local rc=$?
  stop "$checker_pid"
  stop "$prometheus_pid"
  stop "$exporter_pid"
  if [ "$rc" -ne 0 ]; then
    echo "--- exporter log (tail)"; tail -n 20 "$tmp/exporter.log" 2>/dev/null || true
    echo "--- prometheus log (tail)"; tail -n 20 "$tmp/prometheus.log" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  echo "e2e finished in $((SECONDS - started)) s (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT

start_demo_exporter "$exporter" /metrics "$tmp/exporter.log"
echo "exporter (demo) on 127.0.0.1:$exporter_port"

# The alerts as the mixin renders them with 1 s `for` durations (the expressions are those of
# alerts.yml, which dashboards.mixin_up_to_date keeps equal to the mixin): so that alerts
# fire, and the dashboard's alert annotations have data, within the test.
mkdir "$tmp/mixin"
python3 "$dash/mixin/render.py" "$tmp/mixin" --tla-str forAll=1s >/dev/null
alerts=$tmp/mixin/alerts.yml

# Short intervals so that rates and rules have data within seconds (12 scrapes: the ETA
# alert takes the derivative of a recorded series, which needs two samples of it).
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $dash/rules.yml
  - $alerts
scrape_configs:
  - job_name: anchorbrowser
    static_configs:
      - targets: ['127.0.0.1:$exporter_port']
    relabel_configs:  # as in dashboards/prometheus.yml: the mixin selects exporters by it
      - source_labels: [__address__]
        target_label: exporter
YAML

start_prometheus "$tmp/prometheus.yml" "$tmp/data" "$tmp/prometheus.log" Prometheus
echo "prometheus $(prometheus --version 2>&1 | awk 'NR==1{print $3}') on 127.0.0.1:$prometheus_port"

# Runs in the background and is waited for, so that a signal stops the test at once (bash
# runs traps only between foreground commands).
check() {
  timeout "$(left)" python3 "$here/check_queries.py" \
    --prometheus "http://127.0.0.1:$prometheus_port" \
    --exporter "http://127.0.0.1:$exporter_port/metrics" \
    --rate-interval 4s --interval 1s --range 1m "$@" &
  checker_pid=$!
  local rc=0
  wait "$checker_pid" || rc=$?
  checker_pid=""
  return "$rc"
}

echo "=== every query of the dashboard and the rule files"
check --dashboard "$dash/anchorbrowser-batches.json" \
  --rules "$dash/rules.yml" --rules "$alerts" \
  --health anchorbrowser --wait 30 --min-scrapes 12 --verbose

# expect_rejected <pattern>... -- <check args...>: the checker must fail (exit 1) and print a
# line matching each (grep) pattern.
expect_rejected() {
  local patterns=() rc=0 p
  while [ "$1" != "--" ]; do patterns+=("$1"); shift; done
  shift
  check "$@" >"$tmp/negative.out" 2>&1 || rc=$?
  for p in "${patterns[@]}"; do
    if [ "$rc" -ne 1 ] || ! grep -q -- "$p" "$tmp/negative.out"; then
      echo "FAIL: the checker accepted a broken file (exit $rc, expected 1 and a line matching $p):"
      cat "$tmp/negative.out"
      exit 1
    fi
    echo "rejected as expected: $(grep -m1 -- "$p" "$tmp/negative.out")"
  done
}

echo "=== a dashboard query naming a metric the exporter does not export is rejected"
sed 's/anchorbrowser_batch_progress_ratio/anchorbrowser_batch_progres_ratio/g' \
  "$dash/anchorbrowser-batches.json" >"$tmp/misspelt-metric.json"
! cmp -s "$dash/anchorbrowser-batches.json" "$tmp/misspelt-metric.json" \
  || { echo "the mutation changed nothing"; exit 1; }
# Both the name check and the core check (the selector returns no series) must catch it.
expect_rejected 'anchorbrowser_batch_progres_ratio is not a metric the exporter serves' \
  'selector anchorbrowser_batch_progres_ratio{.*} returns no series' \
  -- --dashboard "$tmp/misspelt-metric.json" --rules "$dash/rules.yml"

echo "=== an alert selecting a label value that never occurs is rejected"
# (the generated YAML quotes the expression: reason=\"unauthorized\")
sed 's/reason=\(\\\?\)"unauthorized/reason=\1"unauthorised/' "$alerts" >"$tmp/misspelt-label.yml"
! cmp -s "$alerts" "$tmp/misspelt-label.yml" \
  || { echo "the mutation changed nothing"; exit 1; }
expect_rejected 'selector .*reason="unauthorised"} returns no series' \
  -- --rules "$dash/rules.yml" --rules "$tmp/misspelt-label.yml"

echo "e2e: PASS"
