#!/usr/bin/env bash
# Runs every benchmark against a release build and prints markdown tables.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
(cd "$here/.." && swift build -c release >/dev/null)
echo "## Store"; "$here/store/bench.sh"
echo; echo "## Lineage"; "$here/lineage/bench.sh"
echo; echo "## Drift"; "$here/drift/bench.sh"
echo; echo "## Outliers"; "$here/outliers/bench.sh"
echo; echo "## Explainers"; "$here/explainers/bench.sh"
echo; echo "## Models"; "$here/models/bench.sh"
echo; echo "## Replay"; "$here/replay/bench.sh"
echo; echo "## Bundles"; "$here/bundle/bench.sh"
