#!/usr/bin/env bash
# Starts an exporter in --demo mode on a free loopback port and checks, over HTTP, that the
# version it reports matches the given --version line, in anchorbrowser_exporter_build_info and
# on the landing page; then stops it with SIGTERM and expects a clean exit.
#
# usage: serve_check.sh "VERSION_LINE" COMMAND... (the exporter, possibly behind chroot)
set -euo pipefail

version_line=$1
shift
version=$(sed -n 's/^anchorbrowser_exporter, version \(.*\) (revision \(.*\))$/\1/p' <<<"$version_line")
revision=$(sed -n 's/^anchorbrowser_exporter, version \(.*\) (revision \(.*\))$/\2/p' <<<"$version_line")
[ -n "$version" ] && [ -n "$revision" ] || { echo "FAIL: cannot parse '$version_line'" >&2; exit 1; }

out=$(mktemp)
pid=""
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  rm -f "$out"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  sed 's/^/  exporter: /' "$out" >&2
  exit 1
}

"$@" --demo --web.listen-address=127.0.0.1:0 --log.level=warn >"$out" 2>&1 &
pid=$!
url=""
for _ in $(seq 1 300); do  # up to 30 s for the exporter to bind
  url=$(sed -n 's/^Demo running\. Metrics: \(http[^ ]*\).*/\1/p' "$out")
  [ -z "$url" ] || break
  kill -0 "$pid" 2>/dev/null || fail "the exporter exited before serving"
  sleep 0.1
done
[ -n "$url" ] || fail "the exporter did not report its address"
url=${url/localhost/127.0.0.1}
echo "serving at $url"

metrics=$(curl -fsS --max-time 30 "$url") || fail "GET $url failed"
want="anchorbrowser_exporter_build_info{revision=\"$revision\",version=\"$version\"} 1"
grep -qF "$want" <<<"$metrics" || fail "no '$want' in /metrics: $(grep build_info <<<"$metrics")"
echo "build_info: $want"
grep -q '^anchorbrowser_batch_up{.*} 1$' <<<"$metrics" || fail "no batch is up in /metrics"

page=$(curl -fsS --max-time 30 "${url%/metrics}/") || fail "GET / failed"
grep -qF "Version $version (revision $revision)" <<<"$page" ||
  fail "the landing page does not show version $version (revision $revision)"
echo "landing page: Version $version (revision $revision)"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "the exporter exited with $rc after SIGTERM"
echo "stopped cleanly"
