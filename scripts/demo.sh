#!/usr/bin/env bash
# The end-to-end demo: a fresh workspace in a temporary folder, a real data set added, a seeded
# derived run recorded (and recorded again, to show it reproduces), the lineage printed; then the
# monitoring scenario on the digits images: an ONNX model, a drift and an outlier detector, normal
# and noisy traffic replayed window by window, the replay's Prometheus metrics, an alert reproduced bit for bit and exported as a signed
# bundle that is then verified; and the workspace checked.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
assay="${ASSAY_BIN:-$here/.build/debug/assay}"
ws="$(mktemp -d "${TMPDIR:-/tmp}/assay-demo-XXXXXX")"
trap 'echo; echo "(workspace kept in $ws)"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$assay" init "$ws"
export ASSAY_WORKSPACE="$ws"
step "$assay" add "$here/notebooks/data/iris.csv" --kind dataset --name dataset:iris
output_of() { grep -o '"outputs":\[{"id":"sha256:[0-9a-f]*' | cut -d'"' -f6; }
step "$assay" sample dataset:iris --rows 30 --seed 7 --name dataset:iris-reference
step "$assay" sample dataset:iris --rows 30 --seed 7
outputs=$("$assay" log --operation sample --json | output_of | sort -u)
first=$(echo "$outputs" | head -1); second=$(echo "$outputs" | tail -1)
step "$assay" log
step "$assay" lineage dataset:iris-reference --up
step "$assay" show dataset:iris-reference
if [ -z "$first" ] || [ "$first" != "$second" ]; then
  echo "demo: the same recipe gave different outputs ($first vs $second)" >&2
  exit 1
fi
echo
echo "The same recipe (source, rows, seed) gave the same artifact every time: $first"

# Monitoring: digits images (64 pixels and a label), reference and traffic drawn with seeds.
cd "$ws"
step "$assay" add "$here/notebooks/data/digits.csv" --kind dataset --name dataset:digits
step "$assay" sample dataset:digits --rows 600 --seed 1 --name dataset:digits-reference
step "$assay" sample dataset:digits --rows 600 --seed 2 --name dataset:digits-traffic
"$assay" cat dataset:digits-reference | cut -d, -f1-64 > reference.csv
"$assay" cat dataset:digits-traffic | cut -d, -f1-64 > traffic.csv
step "$assay" model add "$here/notebooks/data/digits-mlp.onnx" --name model:digits-mlp
step "$assay" detector fit ks --reference reference.csv --name detector:digits-ks
step "$assay" detector fit knn --reference reference.csv --name detector:digits-outliers
step "$assay" capture import traffic.csv --format csv --name capture:normal
step "$assay" corrupt traffic.csv --kind gaussian-noise --severity 5 --shape 8x8x1 --seed 7 --name dataset:noisy
"$assay" cat dataset:noisy > noisy.npy
step "$assay" capture import noisy.npy --format npy --name capture:noisy
cat > pipeline.yaml <<'YAML'
version: 1
model: model:digits-mlp
seed: 42
window:
  size: 200
detectors:
  - name: pixels-drift
    detector: detector:digits-ks
  - name: pixel-outliers
    detector: detector:digits-outliers
    max_outlier_rate: 0.2
YAML
step cat pipeline.yaml
step "$assay" replay pipeline.yaml --capture capture:normal
step "$assay" replay pipeline.yaml --capture capture:noisy
step "$assay" alerts
noisy_run=$("$assay" log --operation replay --json | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
step "$assay" metrics "$noisy_run" --format prometheus -o "$ws/assay.prom"
step grep -E '^assay_(alerts_total|window_alert|outlier_rate_ratio|drift_p_value|model_call_duration_seconds_count)' "$ws/assay.prom"
alert=$("$assay" alerts --json | grep -o '"id":"sha256:[0-9a-f]*' | head -1 | cut -d'"' -f4)
if [ -z "$alert" ]; then
  echo "demo: the noisy traffic raised no alert" >&2
  exit 1
fi
step "$assay" reproduce "$alert"
step "$assay" keygen -o "$ws/signing.pem"
step "$assay" export "$alert" --key "$ws/signing.pem" -o "$ws/alert-bundle.tar.gz"
step "$assay" verify "$ws/alert-bundle.tar.gz" --pubkey "$ws/signing.pub.pem"
step "$assay" fsck
