#!/usr/bin/env python3
"""Outlier-detector benchmarks: Assay against Alibi Detect and scikit-learn on the same arrays,
in one run, printing the ratio (peer time / Assay time).

Cases (the issue's): Mahalanobis scoring of 100k x 16 (Alibi's legacy online `Mahalanobis.score`
on a fresh detector); isolation forest fit + score on 100k x 16 (Alibi's `IForest`, a wrapper of
scikit-learn's IsolationForest with 100 trees, n_jobs=1 as Alibi sets it); one autoencoder
training epoch on the digits (1797 x 64, batch 64, 64-32-8-32-64, Adam: Alibi's `OutlierAE.fit`
on TensorFlow/Keras) and the same for the VAE (`OutlierVAE.fit`). Also kNN distances (k=5) of
10k x 16 against 10k x 16 reference rows against scikit-learn's NearestNeighbors (brute force).

Assay is timed in-process by benchmarks' `outlier-bench` (the same span as the peer's), with all
threads and with one. Both sides read the same .npy files; imports and file reading are excluded.

Usage: bench.py OUTLIER_BENCH_BINARY OUT_DIR [--quick]
Needs: pip install "alibi-detect[tensorflow]" "numpy==1.26.4" scikit-learn
"""
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

bench, out = sys.argv[1], sys.argv[2]
quick = "--quick" in sys.argv
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(0)


def save(name, a):
    path = os.path.join(out, name)
    np.save(path, np.ascontiguousarray(a, dtype=np.float64))
    return path


def assay(case, files, runs, threads=None):
    argv = [bench, case] + files + [str(runs)] + ([str(threads)] if threads else [])
    r = subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return float(r.stdout.split()[0])


def median_ms(f, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


n = 20_000 if quick else 100_000
cov = rng.normal(size=(16, 16))
x = rng.normal(size=(n, 16)) @ cov * 0.3 + rng.normal(size=16)
xpath = save("x16.npy", x)
rows = []

from alibi_detect.od import IForest, Mahalanobis, OutlierAE, OutlierVAE

# Mahalanobis: a fresh detector scoring the whole batch (its state update included, as Alibi's).
peer = median_ms(lambda: Mahalanobis(threshold=None).score(x), 3)
mine, mine1 = assay("mahalanobis", [xpath], 3), assay("mahalanobis", [xpath], 3, 1)
rows.append((f"Mahalanobis score {n} x 16", peer, mine, mine1))

# Isolation forest: fit + score.
def iforest():
    od = IForest(threshold=None, n_estimators=100)
    od.fit(x)
    od.score(x)
peer = median_ms(iforest, 3)
mine, mine1 = assay("iforest", [xpath], 3), assay("iforest", [xpath], 3, 1)
rows.append((f"IForest fit+score {n} x 16", peer, mine, mine1))

# kNN distances against scikit-learn (brute force, as torch.cdist).
from sklearn.neighbors import NearestNeighbors
m = 4000 if quick else 10_000
ref, q = x[:m], x[m:2 * m]
refpath, qpath = save("knn_ref.npy", ref), save("knn_q.npy", q)
peer = median_ms(lambda: NearestNeighbors(n_neighbors=5, algorithm="brute").fit(ref).kneighbors(q), 3)
mine, mine1 = assay("knn", [refpath, qpath], 3), assay("knn", [refpath, qpath], 3, 1)
rows.append((f"kNN k=5 {m} x {m} x 16", peer, mine, mine1))

# Autoencoder and VAE: one training epoch on the digits.
import tensorflow as tf
from tensorflow.keras.layers import Dense, InputLayer
from sklearn.datasets import load_digits
digits = load_digits().data.astype(np.float32) / 16.0
dpath = save("digits.npy", digits)
epochs = 2 if quick else 5


def encoder():
    return tf.keras.Sequential([InputLayer(input_shape=(64,)), Dense(32, activation="relu"), Dense(8)])


def decoder():
    return tf.keras.Sequential([InputLayer(input_shape=(8,)), Dense(32, activation="relu"), Dense(64)])


def ae_epochs():
    OutlierAE(threshold=None, encoder_net=encoder(), decoder_net=decoder()).fit(digits, epochs=epochs, batch_size=64, verbose=False)


def vae_epochs():
    enc = tf.keras.Sequential([InputLayer(input_shape=(64,)), Dense(32, activation="relu")])
    OutlierVAE(threshold=None, encoder_net=enc, decoder_net=decoder(), latent_dim=8, samples=10).fit(digits, epochs=epochs, batch_size=64, verbose=False)


peer = median_ms(ae_epochs, 3) / epochs
mine, mine1 = assay("ae", [dpath, str(epochs)], 3), assay("ae", [dpath, str(epochs)], 3, 1)
rows.append(("AE training epoch, digits 1797 x 64", peer, mine, mine1))
peer = median_ms(vae_epochs, 3) / epochs
mine, mine1 = assay("vae", [dpath, str(epochs)], 3), assay("vae", [dpath, str(epochs)], 3, 1)
rows.append(("VAE training epoch, digits 1797 x 64", peer, mine, mine1))

print(f"{'case':40} {'peer ms':>10} {'Assay ms':>10} {'ratio':>7} {'1 thread':>10} {'ratio':>7}")
for name, peer, mine, mine1 in rows:
    print(f"{name:40} {peer:10.1f} {mine:10.1f} {peer / mine:6.1f}x {mine1:10.1f} {peer / mine1:6.1f}x")
