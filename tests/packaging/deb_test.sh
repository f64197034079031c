#!/usr/bin/env bash
# Debian package test: runs cpack in the build tree, then checks the .deb's control data (name,
# version, runtime dependencies, conffiles), unpacks it into a temporary root (dpkg -x) and runs
# the binary from there, verifies the systemd unit, and asks apt whether the package's
# dependencies resolve on this system.
#
# usage: deb_test.sh SOURCE_DIR BUILD_DIR
# Exits 77 (ctest SKIP_RETURN_CODE) when a tool it needs is missing, saying which.
set -euo pipefail

SRC=$(cd "$1" && pwd)
BUILD=$(cd "$2" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for tool in cpack dpkg-deb dpkg-shlibdeps curl; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== cpack"
# A directory of its own, so that a .deb left from an earlier run is never the one tested.
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack failed"; }
debs=("$work"/out/*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one .deb, got: ${debs[*]}"
deb=${debs[0]}
echo "package: $(basename "$deb")"

echo "== control data (dpkg-deb -I)"
dpkg-deb -I "$deb" | tee "$work/info"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = anchorbrowser-exporter ] || fail "package name is $(field Package)"
expected=$("$BUILD/anchorbrowser_exporter" --version)
version=$(sed -n 's/^anchorbrowser_exporter, version \(.*\) (revision .*)$/\1/p' <<<"$expected")
[ "$(field Version)" = "$version" ] ||
  fail "package version $(field Version) differs from the binary's $version"
depends=$(field Depends)
# Each shared library the binary needs, by its Debian runtime package (dpkg-shlibdeps may name
# a virtual package with a suffix, e.g. libspdlog1.10-fmt9), and the CA store for TLS.
names=$(sed 's/ *([^)]*)//g; s/ *| */\n/g; s/, */\n/g' <<<"$depends")  # one package name a line
has_dep() {
  local name
  while IFS= read -r name; do
    [[ "$name" == "$1" || "$name" == "$1"-* ]] && return 0
  done <<<"$names"
  return 1
}
for pkg in libc6 libstdc++6 libprometheus-cpp-core1.0 libcpp-httplib0.11 libyaml-cpp0.7 \
    libspdlog1.10 libre2-9 ca-certificates; do
  has_dep "$pkg" || fail "Depends lacks $pkg: $depends"
done
while IFS= read -r name; do
  case "$name" in *-dev | cmake | g++* | gcc* | build-essential)
    fail "Depends names a build package ($name): $depends" ;;
  esac
done <<<"$names"
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles >"$work/conffiles" 2>/dev/null ||
  fail "the package has no conffiles"
grep -qx /etc/default/anchorbrowser_exporter "$work/conffiles" ||
  fail "/etc/default/anchorbrowser_exporter is not a conffile"

echo "== contents (dpkg -x)"
root=$work/root
dpkg -x "$deb" "$root"
(cd "$root" && find . -type f | sort)
for f in usr/bin/anchorbrowser_exporter usr/lib/systemd/system/anchorbrowser_exporter.service \
    usr/share/doc/anchorbrowser_exporter/config.example.yaml \
    usr/share/doc/anchorbrowser_exporter/README.md etc/default/anchorbrowser_exporter; do
  [ -f "$root/$f" ] || fail "the package lacks /$f"
done
[ "$(stat -c %a "$root/etc/default/anchorbrowser_exporter")" = 600 ] ||
  fail "/etc/default/anchorbrowser_exporter (it holds the API key) is not mode 0600"
if [ -d "$SRC/dashboards" ]; then
  while IFS= read -r f; do
    [ -f "$root/usr/share/anchorbrowser_exporter/dashboards/$f" ] ||
      fail "dashboards/$f is not installed under /usr/share/anchorbrowser_exporter/dashboards"
  done < <(cd "$SRC/dashboards" && find . -type f | sed 's|^\./||')
  echo "dashboards/: all $(find "$SRC/dashboards" -type f | wc -l) files installed"
fi

echo "== the packaged binary"
bin=$root/usr/bin/anchorbrowser_exporter
! readelf -S "$bin" | grep -q "\.debug_info" || fail "the packaged binary is not stripped"
got=$("$bin" --version)
echo "$got"
[ "$got" = "$expected" ] || fail "packaged --version '$got' differs from the build's '$expected'"
ANCHORBROWSER_API_KEY=dummy-key-for-config-check "$bin" --config.check \
  --config.file="$root/usr/share/doc/anchorbrowser_exporter/config.example.yaml" ||
  fail "--config.check on the packaged example config failed"
bash "$HERE/serve_check.sh" "$expected" "$bin"

echo "== systemd unit"
unit=$root/usr/lib/systemd/system/anchorbrowser_exporter.service
for line in "ExecStart=/usr/bin/anchorbrowser_exporter --config.file=/etc/anchorbrowser_exporter/config.yaml" \
    "EnvironmentFile=-/etc/default/anchorbrowser_exporter" "DynamicUser=yes" \
    "ProtectSystem=strict" "Restart=on-failure" "NoNewPrivileges=yes"; do
  grep -qF "$line" "$unit" || fail "the unit lacks '$line'"
done
if command -v systemd-analyze >/dev/null; then
  # Point ExecStart at the unpacked binary so that verify can check it is executable.
  # (security --threshold counts in tenths: 20 is an exposure level of 2.0, "OK".)
  mkdir "$work/unit"
  sed "s|/usr/bin/anchorbrowser_exporter|$bin|" "$unit" >"$work/unit/anchorbrowser_exporter.service"
  problems=$(systemd-analyze verify "$work/unit/anchorbrowser_exporter.service" 2>&1) ||
    fail "systemd-analyze verify: $problems"
  [ -z "$problems" ] || fail "systemd-analyze verify: $problems"
  systemd-analyze security --offline=true --threshold=20 \
    "$work/unit/anchorbrowser_exporter.service" >"$work/security" 2>&1 ||
    { cat "$work/security" >&2; fail "the unit's exposure level is above 2.0 (systemd-analyze security)"; }
  tail -n 1 "$work/security"
else
  echo "(systemd-analyze not installed: unit syntax not verified)"
fi

echo "== dependencies resolve (apt-get --simulate)"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  apt-get install --simulate --no-install-recommends "$deb" >"$work/apt" 2>&1 ||
    { cat "$work/apt" >&2; fail "apt cannot install the package's dependencies"; }
  grep '^Inst anchorbrowser-exporter' "$work/apt" || fail "apt would not install the package"
else
  echo "(not root: apt-get --simulate skipped)"
fi
echo "deb test passed"
