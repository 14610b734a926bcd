#!/usr/bin/env python3
"""Explainer benchmarks: Assay's AnchorTabular and Kernel SHAP against Alibi Explain's
AnchorTabular and shap's KernelExplainer, on the same data and the same model, in one run.

The model is a softmax regression with fixed coefficients (fitted once by scikit-learn on the
data), evaluated with NumPy on the Python side and by a Swift closure in Assay's in-process
`explainer-bench`, so the comparison is of the explainers, not of model runtimes. Each side
explains the same rows; the model calls each made are printed next to the times (Kernel SHAP:
the same nsamples and k-means background size on both sides, l1_reg=False).

Usage: bench.py EXPLAINER_BENCH OUT_DIR ANCHOR_PYTHON SHAP_PYTHON
(ANCHOR_PYTHON: a venv with alibi==0.9.4; SHAP_PYTHON: a venv with shap; both with scikit-learn.)
"""
import json
import os
import subprocess
import sys

bench, out, anchor_python, shap_python = sys.argv[1:5]
os.makedirs(out, exist_ok=True)

setup = r'''
import numpy as np, sys, json
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)
clf = LogisticRegression(max_iter=2000).fit(X, y)
W, b = clf.coef_.T.copy(), clf.intercept_.copy()
def model(x):
    z = x @ W + b
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
rng = np.random.default_rng(0)
idx = rng.permutation(len(X))
ref, x = X[idx[:140]], X[idx[140:150]]
out = sys.argv[1]
np.save(out + "/ref.npy", ref); np.save(out + "/x.npy", x); np.save(out + "/coef.npy", np.vstack([W, b[None, :]]))
'''

anchor_py = setup + r'''
import time, statistics
from alibi.explainers import AnchorTabular
calls = [0]
def predict(z):
    calls[0] += 1
    return model(z).argmax(axis=1)
times = []
for _ in range(3):
    calls[0] = 0
    t = time.perf_counter()
    ex = AnchorTabular(predict, [f"f{i}" for i in range(X.shape[1])], seed=1)
    ex.fit(ref, disc_perc=(25, 50, 75))
    for row in x:
        ex.explain(row, threshold=0.95)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": statistics.median(times), "calls": calls[0]}))
'''

shap_py = setup + r'''
import time, statistics, shap
calls = [0]
def f(z):
    calls[0] += 1
    return model(z)
times = []
for _ in range(3):
    calls[0] = 0
    t = time.perf_counter()
    bg = shap.kmeans(ref, 10)
    e = shap.KernelExplainer(f, bg)
    e.shap_values(x, nsamples=2048, l1_reg=False, silent=True)
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"ms": statistics.median(times), "calls": calls[0]}))
'''

def run_py(python, code):
    r = subprocess.run([python, "-c", code, out], check=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return json.loads(r.stdout.strip().splitlines()[-1])

anchor_peer = run_py(anchor_python, anchor_py)
shap_peer = run_py(shap_python, shap_py)
def assay(args):
    r = subprocess.run([bench] + args, check=True, stdout=subprocess.PIPE, text=True)
    ms, calls = r.stdout.split()
    return float(ms), int(calls)
a_ms, a_calls = assay(["anchor", out + "/ref.npy", out + "/x.npy", out + "/coef.npy"])
s_ms, s_calls = assay(["shap", out + "/ref.npy", out + "/x.npy", out + "/coef.npy", "2048", "10"])
print(f"{'case (wine, 13 features, 10 rows)':44} {'peer ms':>9} {'calls':>7} {'Assay ms':>9} {'calls':>7} {'ratio':>7}")
print(f"{'AnchorTabular vs Alibi Explain 0.9.4':44} {anchor_peer['ms']:9.1f} {anchor_peer['calls']:7d} {a_ms:9.1f} {a_calls:7d} {anchor_peer['ms'] / a_ms:6.1f}x")
print(f"{'Kernel SHAP nsamples=2048, kmeans 10 vs shap':44} {shap_peer['ms']:9.1f} {shap_peer['calls']:7d} {s_ms:9.1f} {s_calls:7d} {shap_peer['ms'] / s_ms:6.1f}x")
