#!/usr/bin/env python3
"""Model runtime benchmark: Assay (model-bench, in-process) against ONNX Runtime on the same ONNX
files and the same float32 inputs, in one run. Batch 1 latency and batch 1024 throughput, one
thread and all threads. Prints a markdown table with the ratios (ORT time / Assay time: above 1
means Assay is faster).

Usage: bench.py MODEL_BENCH OUT_DIR [--quick]
"""
import os
import statistics
import subprocess
import sys
import time

import numpy as np
import onnxruntime as ort

bench, out = sys.argv[1], sys.argv[2]
quick = "--quick" in sys.argv
os.makedirs(out, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
fixtures = os.path.join(root, "Tests", "AssayModelsTests", "Fixtures")
cores = os.cpu_count() or 1

models = [
    ("MLP digits (64-100-10)", os.path.join(fixtures, "sklearn", "mlp_digits.onnx"), [64]),
    ("random forest breast cancer", os.path.join(fixtures, "sklearn", "forest_breast_cancer.onnx"), [30]),
    ("ResNet-style CNN 8x8x1", os.path.join(fixtures, "nn", "cnn_digits.onnx"), [1, 8, 8]),
    ("ResNet-style CNN 32x32x3", os.path.join(fixtures, "nn", "cnn_cifar.onnx"), [3, 32, 32]),
]


def ort_time(path, x, threads, runs):
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    sess.run(None, {name: x})
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        sess.run(None, {name: x})
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def assay_time(path, x, threads, runs):
    f = os.path.join(out, "input.f32")
    x.astype("<f4").tofile(f)
    shape = "x".join(str(d) for d in x.shape)
    r = subprocess.run([bench, path, f, shape, str(runs), str(threads)], check=True, capture_output=True, text=True)
    return float(r.stdout.strip())


print(f"| model | batch | threads | Assay | ONNX Runtime | ORT time / Assay time |")
print("|---|---|---|---|---|---|")
rng = np.random.default_rng(0)
for label, path, dims in models:
    if not os.path.exists(path):
        print(f"| {label} | – | – | missing {os.path.relpath(path, root)} | | |")
        continue
    for batch in (1, 1024):
        x = rng.normal(size=[batch] + dims).astype(np.float32)
        runs = 2000 if batch == 1 else (5 if quick else 15)
        for threads in sorted({1, cores}):
            a = assay_time(path, x, threads, runs)
            o = ort_time(path, x, threads, runs)
            unit = (lambda t: f"{t * 1e6:.0f} µs") if batch == 1 else (lambda t: f"{t * 1e3:.1f} ms ({batch / t:,.0f} rows/s)")
            print(f"| {label} | {batch} | {threads} | {unit(a)} | {unit(o)} | {o / a:.2f}× |", flush=True)
