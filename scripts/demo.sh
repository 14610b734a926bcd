#!/usr/bin/env bash
# The end-to-end demo: a fresh workspace in a temporary folder, a real data set added, a seeded
# derived run recorded (and recorded again, to show it reproduces), the lineage printed, and the
# workspace checked.
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
step "$assay" fsck
if [ -z "$first" ] || [ "$first" != "$second" ]; then
  echo "demo: the same recipe gave different outputs ($first vs $second)" >&2
  exit 1
fi
echo
echo "The same recipe (source, rows, seed) gave the same artifact every time: $first"
