#!/usr/bin/env python3
"""Replay benchmark: `assay replay` against a Python loop (onnxruntime + Alibi Detect) on the
same generated capture, in one run.

For each N: generates N events (gen_capture.py; 64 features, the second half shifted), a
1000-row reference and an MLP; sets up a fresh workspace (reference, KS detector on the
features, the model, a KS detector on the model's probabilities of the reference, the capture
import — timed and reported, but setup); then times `assay replay spec.yaml --json` and
python_loop.py, each under GNU time for the peak RSS. Prints a markdown table and checks both
saw the same windows and found drift in the shifted half.

Usage: bench.py ASSAY_BINARY PYTHON SCRATCH_DIR OUT_DIR N [N ...]
  PYTHON runs gen_capture.py and python_loop.py (numpy 1.26, scikit-learn, skl2onnx, onnx,
  onnxruntime, alibi-detect). This script itself needs only the standard library.
"""
import csv
import json
import os
import shutil
import struct
import subprocess
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
assay, python, scratch, out = sys.argv[1:5]
sizes = [int(n) for n in sys.argv[5:]] or [100_000, 1_000_000]
os.makedirs(scratch, exist_ok=True)
os.makedirs(out, exist_ok=True)

SPEC = """version: 1
model: model:mlp
seed: 0
window:
  size: 1000
detectors:
  - name: features
    detector: detector:ks
  - name: predictions
    detector: detector:ks-proba
    input: outputs
"""


def run(argv, cwd=None, stdout=subprocess.DEVNULL):
    subprocess.run(argv, check=True, cwd=cwd, stdout=stdout)


def timed(argv, stdout_path, quiet=False):
    """Runs argv under GNU time; returns (wall seconds, peak RSS KiB) and leaves stdout in a file."""
    tfile = stdout_path + ".time"
    with open(stdout_path, "w") as so:
        subprocess.run(["/usr/bin/time", "-o", tfile, "-f", "%e %M"] + argv, check=True, stdout=so,
                       stderr=subprocess.DEVNULL if quiet else None)
    wall, kib = open(tfile).read().split()[-2:]
    return float(wall), int(kib)


def generate(n):
    d = os.path.join(scratch, f"n{n}")
    stamp = os.path.join(d, ".generated")
    if not os.path.exists(stamp):
        shutil.rmtree(d, ignore_errors=True)
        run([python, os.path.join(here, "gen_capture.py"), str(n), d], stdout=sys.stderr)
        open(stamp, "w").close()
    return d


def as_float32(v):
    """The float32 value a JSON number names, exactly, as a Python float. `assay predict --json`
    prints float32 outputs as their shortest decimal (0.99999994), which read as a double is not
    the float32 value (0.999999940395...) the replay feeds its detectors; fitting on the decimal
    would break the ties between saturated probabilities differently from the replay."""
    return struct.unpack("<f", struct.pack("<f", v))[0]


def setup(d):
    """A fresh workspace with the reference, both detectors and the model; returns the import's
    (seconds, peak KiB)."""
    ws = os.path.join(d, "ws")
    shutil.rmtree(ws, ignore_errors=True)
    run([assay, "init", ws])
    a = lambda *args: run([assay, *args, "--workspace", ws])
    a("add", os.path.join(d, "ref.csv"), "--kind", "dataset", "--name", "ref")
    a("detector", "fit", "ks", "--reference", "ref", "--name", "detector:ks")
    a("model", "add", os.path.join(d, "mlp.onnx"), "--name", "model:mlp")
    pred = subprocess.run([assay, "predict", "model:mlp", "--input", "ref", "--json", "--workspace", ws],
                          check=True, stdout=subprocess.PIPE).stdout
    proba = json.loads(pred)["outputs"]["probabilities"]
    rows, width = proba["shape"]
    values = proba["data"]
    ref_proba = os.path.join(d, "ref_proba.csv")
    with open(ref_proba, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([f"p{j}" for j in range(width)])
        for i in range(rows):
            w.writerow([repr(as_float32(v)) for v in values[i * width:(i + 1) * width]])
    a("detector", "fit", "ks", "--reference", ref_proba, "--name", "detector:ks-proba")
    with open(os.path.join(d, "spec.yaml"), "w") as f:
        f.write(SPEC)
    return timed([assay, "capture", "import", os.path.join(d, "events.jsonl"), "--format", "jsonl",
                  "--name", "capture:bench", "--json", "--workspace", ws], os.path.join(out, f"import-{os.path.basename(d)}.json"))


def mib(kib):
    return kib / 1024


rows = []
problems = []
for n in sizes:
    d = generate(n)
    imp_wall, imp_kib = setup(d)
    tag = os.path.basename(d)
    a_wall, a_kib = timed([assay, "replay", os.path.join(d, "spec.yaml"), "--capture", "capture:bench", "--json",
                           "--workspace", os.path.join(d, "ws")], os.path.join(out, f"assay-{tag}.json"))
    p_wall, p_kib = timed([python, os.path.join(here, "python_loop.py"), os.path.join(d, "events.jsonl"),
                           os.path.join(d, "ref.csv"), os.path.join(d, "mlp.onnx")], os.path.join(out, f"python-{tag}.json"), quiet=True)
    ar = json.load(open(os.path.join(out, f"assay-{tag}.json")))
    pr = json.load(open(os.path.join(out, f"python-{tag}.json")))

    # Sanity: same events and windows; both found drift in the shifted half.
    a_drift = {c: sorted({x["window"] for x in ar["alerts"] if x["component"] == c}) for c in ("features", "predictions")}
    p_drift = pr["drifted_windows"]
    half = ar["windows"] // 2
    for who, ev, win, drift in (("assay", ar["events"], ar["windows"], a_drift), ("python", pr["events"], pr["windows"], p_drift)):
        if ev != n or win != ar["windows"]:
            problems.append(f"N={n}: {who} saw {ev} events in {win} windows")
        for c in ("features", "predictions"):
            if not any(w >= half for w in drift[c]):
                problems.append(f"N={n}: {who} found no {c} drift in the shifted half")
    agree = {c: a_drift[c] == sorted(p_drift[c]) for c in a_drift}

    a_eps = ar["events_per_second"]
    p_eps = pr["events_per_second"]
    rows.append(dict(n=n, windows=ar["windows"], import_s=imp_wall, import_mib=mib(imp_kib),
                     assay_s=ar["seconds"], assay_eps=a_eps, assay_wall=a_wall, assay_mib=mib(a_kib),
                     python_s=pr["seconds"], python_eps=p_eps, python_wall=p_wall, python_mib=mib(p_kib),
                     ratio=a_eps / p_eps, wall_ratio=p_wall / a_wall,
                     alerts={c: (len(a_drift[c]), len(p_drift[c])) for c in a_drift}, agree=agree))
    print(f"N={n}: assay {a_eps} events/s ({ar['seconds']} s, {mib(a_kib):.0f} MiB), "
          f"python {p_eps} events/s ({pr['seconds']} s, {mib(p_kib):.0f} MiB), import {imp_wall:.1f} s", file=sys.stderr)

print("| events | windows | assay replay | assay peak RSS | Python loop | Python peak RSS | throughput ratio | wall-clock ratio (processes) |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['n']:,} | {r['windows']} | {r['assay_eps']:,} events/s ({r['assay_s']:.2f} s) | {r['assay_mib']:.0f} MiB "
          f"| {r['python_eps']:,} events/s ({r['python_s']:.2f} s) | {r['python_mib']:.0f} MiB "
          f"| {r['ratio']:.1f}× | {r['wall_ratio']:.1f}× ({r['assay_wall']:.1f} s vs {r['python_wall']:.1f} s) |")
print()
print("| events | capture import (setup) | import peak RSS | drifted windows, features (assay / Python) | drifted windows, predictions (assay / Python) |")
print("|---|---|---|---|---|")
for r in rows:
    f, p = r["alerts"]["features"], r["alerts"]["predictions"]
    same = lambda c: "same windows" if r["agree"][c] else "windows differ"
    print(f"| {r['n']:,} | {r['import_s']:.1f} s | {r['import_mib']:.0f} MiB | {f[0]} / {f[1]} ({same('features')}) "
          f"| {p[0]} / {p[1]} ({same('predictions')}) |")
with open(os.path.join(out, "results.json"), "w") as f:
    json.dump(rows, f, indent=1)
if problems:
    print("\nSANITY CHECK FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
