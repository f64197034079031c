#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz, replays every seed in fuzz/corpus,
# then fuzzes each target for FUZZ_SECONDS (default 60), FUZZ_JOBS (default 2) at a time.
# Fails on any crash, sanitizer report, leak, timeout or broken invariant; the input that did it
# is kept in build-fuzz/artifacts/<target>/ and the log in build-fuzz/logs/<target>.log.
#   fuzz/run.sh                    all targets
#   fuzz/run.sh config duration    some of them (names without the fuzz_ prefix)
set -euo pipefail
cd "$(dirname "$0")/.."

export FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_JOBS=${FUZZ_JOBS:-2}
export BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(batch_response config timestamp duration)

cmake -S . -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DANCHOR_FUZZ=ON -DANCHOR_BUILD_TESTS=OFF -DANCHOR_WERROR="${ANCHOR_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD" --target fuzzers -j"$(nproc)"

# Runs one target: the seeds one by one at full length (regression inputs may be longer than
# -max_len), then fuzzing from the seeds plus what earlier runs found.
fuzz_one() {
  local t=$1 bin="$BUILD/fuzz/fuzz_$1" log="$BUILD/logs/$1.log" art="$BUILD/artifacts/$1/"
  local dict=() seeds=(fuzz/corpus/"$t"/*)
  [ -f "fuzz/$t.dict" ] && dict=(-dict="fuzz/$t.dict")
  mkdir -p "$BUILD/corpus/$t" "$art" "$BUILD/logs"
  if ! "$bin" -artifact_prefix="$art" "${seeds[@]}" >"$log" 2>&1; then
    echo "FAIL $t: a seed in fuzz/corpus/$t crashes; see $log"
    grep -E "^Running:|ERROR|invariant violated|runtime error|SUMMARY" "$log" | grep -B1 -v "^Running:" | head -6
    return 1
  fi
  if ! "$bin" -max_total_time="$FUZZ_SECONDS" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$art" "${dict[@]}" \
    "$BUILD/corpus/$t" "fuzz/corpus/$t" >>"$log" 2>&1; then
    echo "FAIL $t: see $log; reproduce with $bin $art<file>"
    grep -E "ERROR|invariant violated|runtime error|SUMMARY" "$log" | head -5
    return 1
  fi
  # Last status line: "#<runs> DONE cov: <edges> ft: <features> corp: <n>/<size> ... exec/s: <n>"
  local done_line
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  echo "ok   $t: $(sed -E 's/.*(cov: [0-9]+ ft: [0-9]+ corp: [0-9]+\/[0-9a-zA-Z]+).*(exec\/s: [0-9]+).*/\1 \2/' <<<"$done_line")" \
    "runs: $(sed -E 's/^#([0-9]+).*/\1/' <<<"$done_line") in ${FUZZ_SECONDS}s"
}
export -f fuzz_one

start=$(date +%s)
status=0
printf '%s\n' "${targets[@]}" | xargs -P "$FUZZ_JOBS" -I{} bash -c 'fuzz_one "$1"' _ {} || status=1
echo "fuzzing took $(($(date +%s) - start)) s for ${#targets[@]} targets, ${FUZZ_JOBS} at a time"
exit $status
