#!/usr/bin/env bash
# Model runtime benchmark: Assay against ONNX Runtime on the same models and inputs (bench.py).
# Needs a Python with numpy and onnxruntime; set PYTHON to it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
python="${PYTHON:-python3}"
(cd "$root/benchmarks" && swift build -c release --product model-bench >/dev/null)
bin="$(cd "$root/benchmarks" && swift build -c release --show-bin-path)"
"$python" "$here/bench.py" "$bin/model-bench" "$root/benchmarks/out/models" "$@"
