#!/usr/bin/env bash
# Outlier benchmark: Assay against Alibi Detect / scikit-learn on the same arrays (see bench.py).
# Needs a Python with alibi-detect[tensorflow], numpy 1.26 and scikit-learn; set PYTHON to it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
(cd "$root/benchmarks" && swift build -c release --product outlier-bench >/dev/null)
bin="$(cd "$root/benchmarks" && swift build -c release --show-bin-path)"
"$python" "$here/bench.py" "$bin/outlier-bench" "$root/benchmarks/out/outliers" "$@"
