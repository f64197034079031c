#!/usr/bin/env bash
# promtool on the rule files of dashboards/.
#   promtool_rules.sh check <dashboards dir>: `promtool check rules` with every lint, which
#     must succeed and print no warning;
#   promtool_rules.sh test <dashboards dir>: `promtool test rules` on every tests/*.yml.
set -euo pipefail
mode=${1:?usage: $0 check|test <dashboards dir>}
dir=${2:?usage: $0 check|test <dashboards dir>}
cd "$dir"
case $mode in
  check)
    out=$(promtool check rules --lint=all --lint-fatal rules.yml alerts.yml 2>&1) || {
      echo "$out"; echo "FAIL: promtool check rules"; exit 1; }
    echo "$out"
    if grep -qi warn <<<"$out"; then echo "FAIL: promtool warned"; exit 1; fi
    ;;
  test)
    shopt -s nullglob
    tests=(tests/*.yml)
    [ ${#tests[@]} -gt 0 ] || { echo "FAIL: no tests/*.yml"; exit 1; }
    promtool test rules "${tests[@]}"
    ;;
  *) echo "unknown mode $mode"; exit 2 ;;
esac
