#!/usr/bin/env bash
# Explainer benchmark: Assay against Alibi Explain (anchors) and shap (Kernel SHAP) on the same
# data and model (see bench.py). ANCHOR_PYTHON: a venv with alibi==0.9.4 and scikit-learn;
# SHAP_PYTHON: a venv with shap and scikit-learn.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
(cd "$root/benchmarks" && swift build -c release --product explainer-bench >/dev/null)
bin="$(cd "$root/benchmarks" && swift build -c release --show-bin-path)"
python3 "$here/bench.py" "$bin/explainer-bench" "$root/benchmarks/out/explainers" "${ANCHOR_PYTHON:-python3}" "${SHAP_PYTHON:-python3}"
