#!/usr/bin/env bash
# Checks that debug and release builds, a debug build for plain x86-64, and 1 vs 8 threads record
# byte-identical detectors and drift results for every detector kind, byte-identical predictions
# for every model family and byte-identical corruptions of every kind (same artifact ids). The
# release build takes a few minutes; `make test` runs this after the test suite.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
swift build >/dev/null
swift build -c release >/dev/null
# A third build, debug, for plain x86-64 (no AVX2/FMA), where Package.swift would otherwise
# target the host's wider instructions: the bytes must not change.
ASSAY_TARGET_CPU=baseline swift build --scratch-path "$root/.build-baseline" >/dev/null
debug="$root/.build/debug/assay"
release="$root/.build/release/assay"
baseline="$root/.build-baseline/debug/assay"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$debug" init "$tmp/ws" >/dev/null
python3 - "$tmp" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(1)
rows = lambda n, s: "a,b,c,d\n" + "".join(f"{random.gauss(s, 1)},{random.gauss(0, 1)},{random.randint(0, 3)},{random.random()}\n" for _ in range(n))
open(f"{d}/ref.csv", "w").write(rows(400, 0.0))
open(f"{d}/x.csv", "w").write(rows(300, 0.2))
PY
id_of() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
failed=0
check() {  # label, fit args...
  local label="$1"; shift
  local d1 d2 r1 r2 r3
  d1=$("$debug" detector fit "$@" --reference "$tmp/ref.csv" --workspace "$tmp/ws" --seed 5 --json | id_of detector)
  d2=$(ASSAY_THREADS=1 "$release" detector fit "$@" --reference "$tmp/ref.csv" --workspace "$tmp/ws" --seed 5 --json | id_of detector)
  d3=$(ASSAY_THREADS=8 "$release" detector fit "$@" --reference "$tmp/ref.csv" --workspace "$tmp/ws" --seed 5 --json | id_of detector)
  d4=$("$baseline" detector fit "$@" --reference "$tmp/ref.csv" --workspace "$tmp/ws" --seed 5 --json | id_of detector)
  r1=$("$debug" detect "$d1" --input "$tmp/x.csv" --workspace "$tmp/ws" --seed 3 --json | id_of result)
  r2=$(ASSAY_THREADS=1 "$release" detect "$d2" --input "$tmp/x.csv" --workspace "$tmp/ws" --seed 3 --json | id_of result)
  r3=$(ASSAY_THREADS=8 "$release" detect "$d2" --input "$tmp/x.csv" --workspace "$tmp/ws" --seed 3 --json | id_of result)
  r4=$("$baseline" detect "$d2" --input "$tmp/x.csv" --workspace "$tmp/ws" --seed 3 --json | id_of result)
  if [ "$d1" = "$d2" ] && [ "$d2" = "$d3" ] && [ "$d3" = "$d4" ] && [ "$r1" = "$r2" ] && [ "$r2" = "$r3" ] && [ "$r3" = "$r4" ]; then
    echo "same bytes: $label"
  else
    echo "DIFFERENT: $label (detector $d1 / $d2 / $d3 / baseline $d4, result $r1 / $r2 / $r3 / baseline $r4)"; failed=1
  fi
}
check ks ks
check cvm cvm
check chisquare chisquare --param categorical=2
check tabular tabular --param categorical=2
check mmd mmd --param n_permutations=50
check lsdd lsdd --param n_permutations=50
check "ks + pca" ks --preprocess pca:dim=2
check "ks + uae" ks --preprocess uae:dim=3
check mahalanobis mahalanobis
check iforest iforest
check knn knn
check "ae (training)" ae --param epochs=5
check "vae (training)" vae --param epochs=5 --param samples=3
check "ae with a convolutional encoder" ae --param epochs=3 --param image_shape=2x2x1 --param conv_filters=[3] --param conv_kernel=2 --param conv_stride=1

# Models: the same prediction bytes (same artifact id) in debug, release with 1 thread and release
# with 8 threads, for every fixture model family.
python3 - "$tmp" <<'PY'
import random, sys
d = sys.argv[1]
random.seed(2)
open(f"{d}/digits.csv", "w").write(",".join(f"p{i}" for i in range(64)) + "\n" + "".join(",".join(str(random.randint(0, 16)) for _ in range(64)) + "\n" for _ in range(70)))
open(f"{d}/cancer.csv", "w").write(",".join(f"f{i}" for i in range(30)) + "\n" + "".join(",".join(str(random.uniform(0, 50)) for _ in range(30)) + "\n" for _ in range(70)))
open(f"{d}/images.csv", "w").write(",".join(f"p{i}" for i in range(3072)) + "\n" + "".join(",".join(f"{random.random():.4f}" for _ in range(3072)) + "\n" for _ in range(9)))
PY
fixtures="$root/Tests/AssayModelsTests/Fixtures"
check_model() {  # label, model file, input file
  local m p1 p2 p3
  m=$("$debug" model add "$2" --workspace "$tmp/ws" --json | id_of model)
  p1=$("$debug" predict "$m" --input "$3" --workspace "$tmp/ws" --json | id_of predictions)
  p2=$(ASSAY_THREADS=1 "$release" predict "$m" --input "$3" --workspace "$tmp/ws" --json | id_of predictions)
  p3=$(ASSAY_THREADS=8 "$release" predict "$m" --input "$3" --workspace "$tmp/ws" --json | id_of predictions)
  p4=$("$baseline" predict "$m" --input "$3" --workspace "$tmp/ws" --json | id_of predictions)
  if [ "$p1" = "$p2" ] && [ "$p2" = "$p3" ] && [ "$p3" = "$p4" ]; then
    echo "same bytes: $1"
  else
    echo "DIFFERENT: $1 (predictions $p1 / $p2 / $p3 / baseline $p4)"; failed=1
  fi
}
check_model "mlp digits" "$fixtures/sklearn/mlp_digits.onnx" "$tmp/digits.csv"
check_model "random forest" "$fixtures/sklearn/forest_breast_cancer.onnx" "$tmp/cancer.csv"
check_model "cnn 8x8x1" "$fixtures/nn/cnn_digits.onnx" "$tmp/digits.csv"
check_model "cnn 32x32x3" "$fixtures/nn/cnn_cifar.onnx" "$tmp/images.csv"
# Corruptions: the same corrupted bytes in debug, release with 1 and 8 threads, and baseline.
check_corrupt() {  # kind, input file, shape
  local c1 c2 c3 c4
  c1=$("$debug" corrupt "$2" --kind "$1" --severity 4 --shape "$3" --seed 9 --workspace "$tmp/ws" --json | id_of output)
  c2=$(ASSAY_THREADS=1 "$release" corrupt "$2" --kind "$1" --severity 4 --shape "$3" --seed 9 --workspace "$tmp/ws" --json | id_of output)
  c3=$(ASSAY_THREADS=8 "$release" corrupt "$2" --kind "$1" --severity 4 --shape "$3" --seed 9 --workspace "$tmp/ws" --json | id_of output)
  c4=$("$baseline" corrupt "$2" --kind "$1" --severity 4 --shape "$3" --seed 9 --workspace "$tmp/ws" --json | id_of output)
  if [ "$c1" = "$c2" ] && [ "$c2" = "$c3" ] && [ "$c3" = "$c4" ]; then
    echo "same bytes: corrupt $1 $3"
  else
    echo "DIFFERENT: corrupt $1 $3 ($c1 / $c2 / $c3 / baseline $c4)"; failed=1
  fi
}
for kind in gaussian-noise motion-blur brightness pixelation; do
  check_corrupt "$kind" "$root/notebooks/data/digits.csv" 8x8x1
  check_corrupt "$kind" "$tmp/images.csv" 32x32x3
done
# Replay: the same replay document and alerts (a digits capture through the MLP, KS on the pixels
# and on the predicted probabilities, windows by count and by time) in every build and thread count.
python3 - "$tmp" "$root/notebooks/data/digits.csv" <<'PY'
import csv, random, sys
d, src = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(src)))
header, body = rows[0][:64], [r[:64] for r in rows[1:]]
random.seed(4)
random.shuffle(body)
open(f"{d}/ref-digits.csv", "w").write(",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in body[:600]))
with open(f"{d}/traffic.csv", "w") as f:
    f.write("request_id,timestamp," + ",".join(header) + "\n")
    for i, r in enumerate(body[600:1400]):
        v = r if i < 400 else [str(min(16, int(x) + 3)) for x in r]
        f.write(f"r{i:05d},{1700000000 + i * 7}," + ",".join(v) + "\n")
open(f"{d}/scores-ref.csv", "w").write("s\n" + "".join(f"{random.gammavariate(8, 1)}\n" for _ in range(300)))
labels = [r[64] for r in rows[1:]]
random.seed(4)
order = list(range(len(labels)))
random.shuffle(order)
with open(f"{d}/truth.csv", "w") as f:
    f.write("request_id,truth\n")
    for i, k in enumerate(order[600:1400]):
        f.write(f"r{i:05d},{labels[k]}\n")
PY
"$debug" detector fit ks --reference "$tmp/ref-digits.csv" --name detector:replay-ks --workspace "$tmp/ws" >/dev/null
"$debug" detector fit ks --reference "$tmp/ref-digits.csv" --preprocess "bbsd:model=$("$debug" model add "$fixtures/sklearn/mlp_digits.onnx" --workspace "$tmp/ws" --json | id_of model)" --name detector:replay-bbsd --workspace "$tmp/ws" >/dev/null
"$debug" detector fit mahalanobis --reference "$tmp/ref-digits.csv" --param n_components=8 --name detector:replay-maha --workspace "$tmp/ws" >/dev/null
"$debug" detector fit ks --reference "$tmp/scores-ref.csv" --name detector:replay-ks1 --workspace "$tmp/ws" >/dev/null
"$debug" capture import "$tmp/traffic.csv" --format csv --name capture:replay --workspace "$tmp/ws" >/dev/null
cat > "$tmp/spec.yaml" <<YAML
version: 1
model: $("$debug" model add "$fixtures/sklearn/mlp_digits.onnx" --workspace "$tmp/ws" --json | id_of model)
seed: 5
window: {size: 150}
detectors:
  - {name: pixels, detector: detector:replay-ks}
  - {name: bbsd, detector: detector:replay-bbsd}
  - {name: pixels-by-time, detector: detector:replay-ks, window: {duration: 20m, mode: sliding, step: 10m}}
  - {name: outliers, detector: detector:replay-maha, max_outlier_rate: 0.2}
  - {name: outlier-drift, detector: detector:replay-ks1, input: outliers.output}
metrics:
  - {name: quality, type: multiclass, alert_below: {accuracy: 0.9}}
YAML
replay_ids() { "$@" replay "$tmp/spec.yaml" --capture capture:replay --truth "$tmp/truth.csv" --workspace "$tmp/ws" --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['replay'], len(d['alerts']), ' '.join(a['id'] for a in d['alerts']))"; }
p1=$(replay_ids "$debug")
p2=$(ASSAY_THREADS=1 replay_ids "$release")
p3=$(ASSAY_THREADS=8 replay_ids "$release")
p4=$(replay_ids "$baseline")
if [ "$p1" = "$p2" ] && [ "$p2" = "$p3" ] && [ "$p3" = "$p4" ] && [ "$(echo "$p1" | cut -d' ' -f2)" -gt 0 ]; then
  echo "same bytes: replay ($(echo "$p1" | cut -d' ' -f2) alerts)"
else
  echo "DIFFERENT: replay ($p1 / $p2 / $p3 / baseline $p4)"; failed=1
fi
exit $failed
