#!/usr/bin/env bash
# Drift benchmark: Assay against Alibi Detect on the same arrays (see bench.py). Needs a Python
# with alibi-detect[tensorflow], numpy 1.26 and evidently; set PYTHON to it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
(cd "$root" && swift build -c release >/dev/null)
(cd "$root/benchmarks" && swift build -c release >/dev/null)
bin="$(cd "$root/benchmarks" && swift build -c release --show-bin-path)"
"$python" "$here/bench.py" "$root/.build/release/assay" "$bin/drift-bench" "$root/benchmarks/out/drift" "$@"
