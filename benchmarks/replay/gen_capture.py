#!/usr/bin/env python3
"""Generates the replay benchmark's inputs: a capture, a reference set and an MLP.

Usage: gen_capture.py N OUT_DIR [--seed S]

Writes into OUT_DIR:
  events.jsonl  N events, one JSON object per line:
                {"request_id": "r0000000", "timestamp": <Unix seconds, increasing>, "f00": .., ..., "f63": ..}
                Features are N(0, 1); in the second half (events N/2 and on) the first 8 features
                are shifted by +0.75, so drift detectors fire there and not (beyond their false
                positive rate) in the first half.
  ref.csv       1000 rows x 64 (header f00..f63), drawn from the first half's distribution.
  mlp.onnx      a scikit-learn MLPClassifier (64 -> 64 -> 32 -> 3 classes) trained on synthetic
                labels, exported with skl2onnx: input "input" float32 [None, 64], output
                "probabilities" float32 [None, 3] (zipmap=False) and "label".

Everything is seeded: the same N and seed give the same bytes. The model and reference do not
depend on N. Needs numpy, scikit-learn, skl2onnx (and onnx).
"""
import argparse
import os
import time

import numpy as np

FEATURES = 64
SHIFTED = 8
SHIFT = 0.75
REF_ROWS = 1000
START = 1_700_000_000  # Unix seconds of the first event
STEP_MS = 10  # 100 events per second


def labels(x, rng):
    # Three classes from two linear scores of the first (shifted) features and a few others.
    s1 = x[:, :SHIFTED].sum(axis=1) / np.sqrt(SHIFTED) + 0.5 * x[:, 40] + 0.3 * rng.standard_normal(len(x))
    s2 = x[:, 8:16].sum(axis=1) / np.sqrt(8) - 0.5 * x[:, 50] + 0.3 * rng.standard_normal(len(x))
    return np.where(s1 > 0.5, 2, np.where(s2 > 0, 1, 0))


def make_model(path, seed):
    from sklearn.neural_network import MLPClassifier
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType

    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((5000, FEATURES)).astype(np.float32)
    y = labels(x, rng)
    clf = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=200, random_state=seed)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(x, y)
    onx = to_onnx(clf, initial_types=[("input", FloatTensorType([None, FEATURES]))],
                  options={id(clf): {"zipmap": False}}, target_opset=17)
    with open(path, "wb") as f:
        f.write(onx.SerializeToString())


def make_reference(path, seed):
    rng = np.random.default_rng(seed + 2)
    ref = rng.standard_normal((REF_ROWS, FEATURES))
    header = ",".join(f"f{j:02d}" for j in range(FEATURES))
    np.savetxt(path, ref, fmt="%.6f", delimiter=",", header=header, comments="")


def make_capture(path, n, seed, chunk=50_000):
    rng = np.random.default_rng(seed + 3)
    fmt = '{"request_id": "r%07d", "timestamp": %.2f, ' + ", ".join(f'"f{j:02d}": %.6f' for j in range(FEATURES)) + "}\n"
    half = n // 2
    with open(path, "w") as f:
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            x = rng.standard_normal((hi - lo, FEATURES))
            idx = np.arange(lo, hi)
            x[idx >= half, :SHIFTED] += SHIFT
            ts = START + idx * (STEP_MS / 1000.0)
            f.write("".join(fmt % ((i, t) + tuple(row)) for i, t, row in zip(idx.tolist(), ts.tolist(), x.tolist())))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int)
    p.add_argument("out")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    start = time.perf_counter()
    model = os.path.join(a.out, "mlp.onnx")
    if not os.path.exists(model):
        make_model(model, a.seed)
    ref = os.path.join(a.out, "ref.csv")
    if not os.path.exists(ref):
        make_reference(ref, a.seed)
    make_capture(os.path.join(a.out, "events.jsonl"), a.n, a.seed)
    print(f"generated {a.n} events in {time.perf_counter() - start:.1f} s -> {a.out}")


if __name__ == "__main__":
    main()
