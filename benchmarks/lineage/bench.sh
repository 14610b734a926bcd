#!/usr/bin/env bash
# Lineage walk benchmark: `assay lineage --up` over a chain of 100 000 runs and over a wide graph
# of 100 000 artifacts, against the sqlite3 shell running the same recursive query on the same
# database (the floor any SQL-based walk pays). Release build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
assay="${ASSAY_BIN:-$root/.build/release/assay}"
out="$root/benchmarks/out/lineage"
n="${N:-100000}"
command -v sqlite3 >/dev/null || { echo "needs the sqlite3 shell (apt-get install sqlite3)" >&2; exit 2; }
mkdir -p "$out"
for kind in chain wide; do
  if [ ! -f "$out/$kind-$n.root" ]; then
    rm -rf "$out/$kind-$n"
    "$assay" init "$out/$kind-$n" >/dev/null
    python3 "$here/make_graph.py" "$kind" "$n" "$out/$kind-$n/lineage/lineage.sqlite" > "$out/$kind-$n.root"
  fi
done

python3 - "$assay" "$out" "$n" "$here/.." <<'PY'
import sys
assay, out, n, bench = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
sys.path.insert(0, bench)
from timing import measure, row, header

def walk_sql(root):
    return f"""PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY;
WITH RECURSIVE walk(node, is_run, via, role) AS (
  SELECT '{root}', 0, NULL, NULL
  UNION SELECT e.run_id, 1, w.node, e.role FROM walk w JOIN run_output e ON e.artifact_id = w.node WHERE w.is_run = 0
  UNION SELECT e.artifact_id, 0, w.node, e.role FROM walk w JOIN run_input e ON e.run_id = w.node WHERE w.is_run = 1)
SELECT w.node, w.is_run, w.via, w.role, a.kind, a.size, r.operation, r.operation_version, r.status, r.started_at
  FROM walk w LEFT JOIN artifact a ON w.is_run = 0 AND a.id = w.node LEFT JOIN run r ON w.is_run = 1 AND r.id = w.node;"""

header()
for kind, label in (("chain", f"chain of {n} runs"), ("wide", f"wide graph of {n} artifacts")):
    ws = f"{out}/{kind}-{n}"
    root = open(f"{ws}.root").read().strip()
    sql_file = f"{ws}.sql"
    open(sql_file, "w").write(walk_sql(root))
    db = f"{ws}/lineage/lineage.sqlite"
    peer = measure(f"sqlite3 {db} < {sql_file} > /dev/null", shell=True)
    for fmt in ("json", "text"):
        a = measure([assay, "lineage", root, "--up", "--format", fmt, "--workspace", ws])
        row(f"{label}, --format {fmt}", a, peer, "sqlite3 shell, same walk")
PY
