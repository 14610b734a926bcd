#!/usr/bin/env python3
"""The replay benchmark's peer: the loop a Python monitoring stack runs over the same capture.

Usage: python_loop.py EVENTS.jsonl REF.csv MODEL.onnx [--window 1000]

Mirrors `assay replay` with the benchmark's spec: reads the capture line by line (json.loads;
request_id and timestamp set aside, the other members are the features in sorted name order),
cuts tumbling windows of 1000 events (the last, partial window included), runs the model with
onnxruntime (one InferenceSession, default thread settings) on each window, and runs two Alibi
Detect detectors on it: KSDrift(ref, p_val=0.05) on the features and KSDrift(ref_proba,
p_val=0.05) on the model's probabilities, the latter fitted on the model's probabilities of the
reference rows. Counts the windows where each detector reports drift.

Prints one JSON object: events, windows, seconds (the loop: reading, parsing, inference,
detection; imports and detector construction excluded), events_per_second, and for each
detector the list of windows that drifted.

Needs: alibi-detect, onnxruntime, numpy 1.26.
"""
import argparse
import json
import time

import numpy as np
import onnxruntime as ort
from alibi_detect.cd import KSDrift

SPECIAL = ("request_id", "timestamp", "model", "truth")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("events")
    p.add_argument("ref")
    p.add_argument("model")
    p.add_argument("--window", type=int, default=1000)
    a = p.parse_args()

    ref = np.loadtxt(a.ref, delimiter=",", skiprows=1)
    sess = ort.InferenceSession(a.model, providers=["CPUExecutionProvider"])
    input_name = sess.get_inputs()[0].name
    proba_name = next(o.name for o in sess.get_outputs() if o.name == "probabilities")
    ref_proba = sess.run([proba_name], {input_name: ref.astype(np.float32)})[0]
    detectors = {
        "features": KSDrift(ref, p_val=0.05),
        "predictions": KSDrift(ref_proba, p_val=0.05),
    }
    drifted = {name: [] for name in detectors}

    def process(index, rows):
        x = np.asarray(rows, dtype=np.float64)
        proba = sess.run([proba_name], {input_name: x.astype(np.float32)})[0]
        for name, x_det in (("features", x), ("predictions", proba)):
            if detectors[name].predict(x_det)["data"]["is_drift"]:
                drifted[name].append(index)

    start = time.perf_counter()
    events = 0
    windows = 0
    rows = []
    names = None
    with open(a.events, "r", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            for k in SPECIAL:
                o.pop(k, None)
            if names is None:
                names = sorted(o)
            rows.append([o[k] for k in names])
            events += 1
            if len(rows) == a.window:
                process(windows, rows)
                windows += 1
                rows = []
    if rows:
        process(windows, rows)
        windows += 1
    seconds = time.perf_counter() - start

    print(json.dumps({
        "events": events,
        "windows": windows,
        "seconds": round(seconds, 3),
        "events_per_second": round(events / seconds) if seconds > 0 else None,
        "drifted_windows": drifted,
    }))


if __name__ == "__main__":
    main()
