#!/usr/bin/env python3
"""Fills an Assay workspace (made by `assay init`, so the schema is Assay's own) with a large
lineage, in one transaction, for the lineage benchmark.

  chain N: artifact a0 (imported), then N runs, run i reading a(i-1) and writing a(i).
  wide N:  N imported artifacts, one `merge` run reading all of them and writing one output.

Prints the id to walk up from. Blobs are not written: `assay lineage` reads only the lineage.
Standard library only.
"""
import hashlib
import json
import sqlite3
import sys

kind, n, db_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
db = sqlite3.connect(db_path)
db.execute("PRAGMA journal_mode=WAL")
T = "2026-01-01T00:00:00.000Z"
ENV = json.dumps({"tool": "assay", "tool_version": "bench"}, separators=(",", ":"), sort_keys=True)
counter = 0


def art(i):
    return "sha256:" + hashlib.sha256(f"{kind}-artifact-{i}".encode()).hexdigest()


def run_id():
    global counter
    counter += 1
    h = f"{0x0190_0000_0000 + counter:012x}7{counter:03x}"[-16:]
    r = hashlib.sha256(f"{kind}-run-{counter}".encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-7{r[:3]}-8{r[3:6]}-{r[6:18]}"


def run(op, inputs, outputs):
    rid = run_id()
    params = "{}"
    doc = {"recipe": "assay.recipe.v1", "operation": op, "operation_version": 1, "parameters": {},
           "seed": None, "inputs": sorted([{"role": r, "id": a} for r, a in inputs], key=lambda d: (d["role"], d["id"]))}
    digest = "sha256:" + hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    runs.append((rid, op, 1, params, None, digest, ENV, "succeeded", T, T, None))
    for r, a in inputs:
        ins.append((rid, r, a))
    for r, a in outputs:
        outs.append((rid, r, a))
    return rid


arts, runs, ins, outs = [], [], [], []
if kind == "chain":
    arts.append((art(0), 10, "blob", T))
    run("import", [], [("artifact", art(0))])
    for i in range(1, n + 1):
        arts.append((art(i), 10, "blob", T))
        run("step", [("in", art(i - 1))], [("out", art(i))])
    root = art(n)
elif kind == "wide":
    for i in range(n):
        arts.append((art(i), 10, "blob", T))
        run("import", [], [("artifact", art(i))])
    out = "sha256:" + hashlib.sha256(b"wide-output").hexdigest()
    arts.append((out, 10, "blob", T))
    run("merge", [(f"part{i:06d}", art(i)) for i in range(n)], [("out", out)])
    root = out
else:
    sys.exit("usage: make_graph.py chain|wide N lineage.sqlite")

with db:
    db.executemany("INSERT INTO artifact(id,size,kind,created_at) VALUES (?,?,?,?)", arts)
    db.executemany("INSERT INTO run(id,operation,operation_version,parameters,seed,recipe_digest,environment,status,started_at,ended_at,error) VALUES (?,?,?,?,?,?,?,?,?,?,?)", runs)
    db.executemany("INSERT INTO run_input(run_id,role,artifact_id) VALUES (?,?,?)", ins)
    db.executemany("INSERT INTO run_output(run_id,role,artifact_id) VALUES (?,?,?)", outs)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("ANALYZE")
print(root)
