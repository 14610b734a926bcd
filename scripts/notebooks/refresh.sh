#!/usr/bin/env bash
# Re-executes the walkthrough notebooks with the assay built in .build/debug and writes them back
# with their outputs, as committed. Usage: scripts/notebooks/refresh.sh [VENV_DIR]
# (VENV_DIR defaults to $ASSAY_NOTEBOOK_VENV, else $TMPDIR/assay-notebook-venv; made if missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${1:-${ASSAY_NOTEBOOK_VENV:-${TMPDIR:-/tmp}/assay-notebook-venv}}"
python="$("$root/scripts/notebooks/setup-venv.sh" "$venv")"
[ -x "$root/.build/debug/assay" ] || { echo "build assay first: swift build" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/assay-notebooks.XXXXXX")"
trap 'rm -rf "$work"' EXIT
for notebook in "$root"/notebooks/*.ipynb; do
  name="$(basename "$notebook")"
  cp "$notebook" "$work/$name"
  (cd "$work" && PATH="$root/.build/debug:$PATH" ASSAY_REPO="$root" ASSAY_WALKTHROUGH_DIR="$work/ws" \
    "$python" -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
    --ExecutePreprocessor.record_timing=False --output "executed-$name" "$name")
  "$python" "$root/scripts/notebooks/clean.py" "$work/executed-$name" "$notebook" "$work/ws"
  rm -rf "$work/ws"
  echo "refreshed notebooks/$name" >&2
done
