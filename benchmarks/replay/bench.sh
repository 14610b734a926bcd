#!/usr/bin/env bash
# Replay benchmark: `assay replay` against a Python loop (onnxruntime + Alibi Detect) on the same
# generated capture (bench.py). Usage: bench.sh [N ...] (default 100000 1000000).
# REPLAY_PYTHON (else PYTHON): a Python with numpy 1.26, scikit-learn, skl2onnx, onnx, onnxruntime
# and alibi-detect; when neither has them, ${TMPDIR:-/tmp}/venv-replay, made on first use.
# ASSAY: the binary to measure (by default a fresh release build). Data goes to $SCRATCH (default
# ${TMPDIR:-/tmp}/assay-replay-bench; about 1.2 GB per million events, plus the workspace),
# results to benchmarks/out/replay.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tmp="${TMPDIR:-/tmp}"
need="import alibi_detect, onnxruntime, skl2onnx, sklearn"
python="${REPLAY_PYTHON:-${PYTHON:-}}"
if [ -z "$python" ] || ! "$python" -c "$need" 2>/dev/null; then
  venv="$tmp/venv-replay"
  if ! "$venv/bin/python" -c "$need" 2>/dev/null; then
    echo "making $venv (alibi-detect, onnxruntime, skl2onnx)" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q alibi-detect
    "$venv/bin/pip" install -q "numpy==1.26.4" onnx onnxruntime skl2onnx scikit-learn
  fi
  python="$venv/bin/python"
fi
if [ -z "${ASSAY:-}" ]; then
  if ! log="$(cd "$root" && swift build -c release 2>&1)"; then echo "$log" >&2; exit 1; fi
  ASSAY="$root/.build/release/assay"
fi
python3 "$here/bench.py" "$ASSAY" "$python" "${SCRATCH:-$tmp/assay-replay-bench}" "$root/benchmarks/out/replay" "$@"
