#!/usr/bin/env bash
# The exporter binary carries no test-only code: the scripted fault server (FakeAnchorApi, in
# tests/support) must not be linked in. The demo's simulated API (DemoApiServer) must be, which
# also proves that the symbol table was read at all.
set -euo pipefail
binary=$1
symbols=$(nm -C "$binary" 2>/dev/null || true)
[ -n "$symbols" ] || { echo "FAIL: no symbols in $binary (stripped?)"; exit 1; }
if grep -q "DemoApiServer" <<<"$symbols"; then :; else
  echo "FAIL: DemoApiServer not found in $binary: the symbol check cannot be trusted"; exit 1
fi
found=$(grep -E "FakeAnchorApi|anchor::test::" <<<"$symbols" | head -5 || true)
if [ -n "$found" ]; then
  echo "FAIL: test-only code in $binary:"; echo "$found"; exit 1
fi
echo "ok: no fault-injection code in $(basename "$binary")"
