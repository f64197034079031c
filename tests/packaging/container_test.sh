#!/usr/bin/env bash
# Container image test: builds the image from the repository's Dockerfile with podman (a base
# image made from Debian's archive stands in for Docker Hub's debian:bookworm-slim), then runs
# the binary from the image's own file system (podman image mount + chroot; no container is
# started) and checks the image's config and contents.
#
# usage: container_test.sh SOURCE_DIR HOST_BINARY [GIT_DESCRIBE [GIT_REVISION]]
#   HOST_BINARY: the build tree's exporter; the image's --version must print the same.
#   GIT_DESCRIBE/GIT_REVISION: what CMake used for that build, passed on as build arguments.
# Exits 77 (ctest SKIP_RETURN_CODE) when podman cannot be used here, saying why.
set -euo pipefail

SRC=$(cd "$1" && pwd)
HOST_BIN=$2
DESCRIBE=${3:-}
REVISION=${4:-}
IMAGE=localhost/anchorbrowser_exporter:ci-test
HERE=$(cd "$(dirname "$0")" && pwd)

skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $* (t=$((SECONDS))s)"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (podman build --isolation=chroot, podman image mount, chroot)"
command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
podman info >/dev/null 2>&1 || skip "podman does not work here: $(podman info 2>&1 | tail -n 1)"

step "base image"
bash "$HERE/base_image.sh"

step "podman build"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! podman build --isolation=chroot --layers --tag "$IMAGE" \
    --build-arg GIT_DESCRIBE="$DESCRIBE" --build-arg GIT_REVISION="$REVISION" \
    --file "$SRC/Dockerfile" "$SRC" >"$log" 2>&1; then
  tail -n 40 "$log" >&2
  fail "podman build failed"
fi
grep -E '^\[[0-9]/[0-9]\] STEP|Using cache|^Successfully tagged' "$log" || true

step "image config"
inspect() { podman image inspect --format "$1" "$IMAGE"; }
user=$(inspect '{{.Config.User}}')
echo "User: $user"
uid=${user%%:*}
gid=${user#*:}
[ -n "$uid" ] || fail "the image sets no USER: it would run as root"
case "$uid" in 0 | root) fail "the image runs as root ($user)" ;; esac
[[ "$uid" =~ ^[0-9]+$ && "$gid" =~ ^[0-9]+$ ]] || fail "USER should be numeric uid:gid, is $user"
entrypoint=$(inspect '{{json .Config.Entrypoint}}')
echo "Entrypoint: $entrypoint"
[ "$entrypoint" = '["/usr/bin/anchorbrowser_exporter","--config.file=/etc/anchorbrowser_exporter/config.yaml"]' ] ||
  fail "unexpected ENTRYPOINT $entrypoint"
ports=$(inspect '{{json .Config.ExposedPorts}}')
echo "ExposedPorts: $ports"
[[ "$ports" == *'"9877/tcp"'* ]] || fail "port 9877 is not exposed"

step "image contents"
root=$(podman image mount "$IMAGE")
# Unmounts at exit; also stops the demo exporter if one is still running.
demo_pid=""
cleanup() {
  [ -z "$demo_pid" ] || kill "$demo_pid" 2>/dev/null || true
  podman image unmount "$IMAGE" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT
for f in /usr/bin/g++ /usr/bin/gcc /usr/bin/cc /usr/bin/c++ /usr/bin/cmake /usr/bin/make \
    /usr/bin/ld /usr/include/c++ /usr/include/httplib.h /src /build /stage; do
  [ ! -e "$root$f" ] || fail "the runtime image holds $f (a compiler, a header or a source/build tree)"
done
sources=$(find "$root" -xdev \( -name '*.cpp' -o -name '*.cc' -o -name '*.o' -o -name '*.a' \
  -o -name CMakeLists.txt \) -print | head -n 5)
[ -z "$sources" ] || fail "the runtime image holds source or object files: $sources"
echo "no compiler, headers, sources or build tree in the image"
# No package cache or lists: an apt install that is not cleaned up leaves ~80 MB behind.
leftovers=$(find "$root/var/cache/apt" "$root/var/lib/apt/lists" -xdev -type f \
  ! -name lock 2>/dev/null | head -n 5)
[ -z "$leftovers" ] || fail "the runtime image keeps apt's cache or lists: $leftovers"
echo "no apt cache or package lists in the image"
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
BASE_IMAGE=${ANCHOR_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
base_size=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE" 2>/dev/null || echo 0)
echo "image size: $((size / 1000000)) MB ($((size)) bytes); $(((size - base_size) / 1000000)) MB" \
  "over the base image $BASE_IMAGE"

# Runs a command inside the image's file system as the image's user.
in_image() { chroot --userspec="$uid:$gid" "$root" "$@"; }

step "binary from the image"
expected=$("$HOST_BIN" --version)
got=$(in_image /usr/bin/anchorbrowser_exporter --version)
echo "image: $got"
[ "$got" = "$expected" ] || fail "image --version '$got' differs from the build's '$expected'"
missing=$(chroot "$root" /usr/bin/ldd /usr/bin/anchorbrowser_exporter | grep 'not found' || true)
[ -z "$missing" ] || fail "libraries missing in the image: $missing"
out=$(in_image env ANCHORBROWSER_API_KEY=dummy-key-for-config-check /usr/bin/anchorbrowser_exporter \
  --config.check --config.file=/etc/anchorbrowser_exporter/config.example.yaml) ||
  fail "--config.check on the example config failed: $out"
echo "$out"
# Without the key the check must fail, and say which variable is missing.
if out=$(in_image env -u ANCHORBROWSER_API_KEY /usr/bin/anchorbrowser_exporter --config.check \
    --config.file=/etc/anchorbrowser_exporter/config.example.yaml 2>&1); then
  fail "--config.check passed without ANCHORBROWSER_API_KEY"
fi
[[ "$out" == *ANCHORBROWSER_API_KEY* ]] || fail "the missing-key error does not name the variable: $out"

step "serving from the image (--demo)"
bash "$HERE/serve_check.sh" "$expected" chroot --userspec="$uid:$gid" "$root" \
  /usr/bin/anchorbrowser_exporter
step "done"
