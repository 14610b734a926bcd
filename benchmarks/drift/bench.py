#!/usr/bin/env python3
"""Drift benchmarks: Assay against Alibi Detect (and Evidently) on the same arrays, in one run.

For each case the same .npy files feed both tools. Alibi Detect is timed in-process (detector
construction + predict, imports excluded); Assay is timed end to end as the two commands a user
runs (`assay detector fit` and `assay detect`, each a recorded run in a fresh workspace, reading the
.npy files and writing result artifacts) — so the ratio understates Assay's compute speed.
Peak memory comes from GNU time around a separate process for each tool.

Also times the same detectors in-process with benchmarks' own `drift-bench` executable
(construction + one detection, exactly the span timed for Alibi), the fair compute comparison.

Usage: bench.py ASSAY_BINARY DRIFT_BENCH_BINARY OUT_DIR [--quick]
Needs: pip install "alibi-detect[tensorflow]" "numpy==1.26.4" evidently
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np

assay, drift_bench, out = sys.argv[1], sys.argv[2], sys.argv[3]
quick = "--quick" in sys.argv
os.makedirs(out, exist_ok=True)


def save(name, a):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        np.save(path, a)
    return path


def peak_kib(argv):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        return int(r.stderr.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def time_assay(kind, ref, test, params=(), runs=3):
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as ws:
            subprocess.run([assay, "init", ws], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([assay, "add", ref, "--workspace", ws, "--name", "dataset:ref"], check=True, stdout=subprocess.DEVNULL)
            subprocess.run([assay, "add", test, "--workspace", ws, "--name", "dataset:test"], check=True, stdout=subprocess.DEVNULL)
            start = time.perf_counter()
            fit = [assay, "detector", "fit", kind, "--reference", "dataset:ref", "--name", "detector:d", "--workspace", ws]
            for p in params:
                fit += ["--param", p]
            subprocess.run(fit, check=True, stdout=subprocess.DEVNULL)
            subprocess.run([assay, "detect", "detector:d", "--input", "dataset:test", "--workspace", ws], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_inprocess(kind, ref, test, runs=5):
    """(construction + detection, detection alone) in seconds, medians of `runs`."""
    r = subprocess.run([drift_bench, kind, ref, test, str(runs)], check=True, capture_output=True, text=True)
    both, alone = r.stdout.split()
    return float(both) / 1000.0, float(alone) / 1000.0


def time_python(fn, runs=3):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(name, kind, ref, test, params, make_peer, peer):
    """make_peer() constructs the peer's detector; its .predict(x) detects."""
    t_cli = time_assay(kind, ref, test, params)
    t_in, t_detect = time_inprocess(kind, ref, test)
    t_peer = time_python(lambda: make_peer().predict(peer_x[kind]))
    fitted = make_peer()
    t_peer_detect = time_python(lambda: fitted.predict(peer_x[kind]))
    print(f"| {name} | {t_in * 1000:.1f} ms | {t_cli * 1000:.0f} ms | {peer}: {t_peer * 1000:.0f} ms | {t_peer / t_in:.1f}× | {t_peer / t_cli:.1f}× "
          f"| {t_detect * 1000:.1f} ms vs {t_peer_detect * 1000:.0f} ms: {t_peer_detect / t_detect:.1f}× |", flush=True)


print("| case | assay in-process (construct + detect) | assay CLI (fit + detect) | peer in-process (construct + predict) | ratio in-process | ratio CLI | detection alone on a fitted detector: assay vs peer predict |")
print("|---|---|---|---|---|---|---|")
peer_x = {}
rng = np.random.default_rng(0)
n = 2000 if quick else 10000
x_ref = rng.normal(size=(n, 32))
x = rng.normal(loc=0.05, size=(n, 32))
ref_path, test_path = save(f"ks_ref_{n}.npy", x_ref), save(f"ks_test_{n}.npy", x)

from alibi_detect.cd import CVMDrift, KSDrift, MMDDrift  # noqa: E402

peer_x["ks"] = peer_x["cvm"] = x
report(f"KS, n_ref = n_test = {n}, d = 32", "ks", ref_path, test_path, [],
       lambda: KSDrift(x_ref, p_val=0.05), "Alibi Detect KSDrift")
report(f"CvM, n_ref = n_test = {n}, d = 32", "cvm", ref_path, test_path, [],
       lambda: CVMDrift(x_ref, p_val=0.05), "Alibi Detect CVMDrift")

m_ref = rng.normal(size=(1000, 32)).astype(np.float32)
m_x = rng.normal(loc=0.05, size=(1000, 32)).astype(np.float32)
mref_path, mtest_path = save("mmd_ref.npy", m_ref.astype(np.float64)), save("mmd_test.npy", m_x.astype(np.float64))
peer_x["mmd"] = m_x
report("MMD, 100 permutations, n = 1000, d = 32", "mmd", mref_path, mtest_path, ["n_permutations=100"],
       lambda: MMDDrift(m_ref, backend="tensorflow", p_val=0.05, n_permutations=100), "Alibi Detect MMDDrift (TF)")


# UAE + KS on images, as the seed's CIFAR-10 example: 1000 reference and 1000 test images 32x32x3.
imgs = 200 if quick else 1000
i_ref = rng.uniform(size=(imgs, 32, 32, 3)).astype(np.float32)
i_x = np.clip(i_ref[::-1] + rng.normal(scale=0.1, size=i_ref.shape).astype(np.float32), 0, 1)
iref_path, itest_path = save(f"img_ref_{imgs}.npy", i_ref.astype(np.float64)), save(f"img_test_{imgs}.npy", i_x.astype(np.float64))


def alibi_uae_ks():
    import tensorflow as tf
    from functools import partial
    from alibi_detect.cd.tensorflow import UAE, preprocess_drift
    tf.random.set_seed(0)
    encoder = tf.keras.Sequential([
        tf.keras.layers.InputLayer(input_shape=(32, 32, 3)),
        tf.keras.layers.Conv2D(64, 4, strides=2, padding="same", activation=tf.nn.relu),
        tf.keras.layers.Conv2D(128, 4, strides=2, padding="same", activation=tf.nn.relu),
        tf.keras.layers.Conv2D(512, 4, strides=2, padding="same", activation=tf.nn.relu),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32),
    ])
    uae = UAE(encoder_net=encoder)
    fn = partial(preprocess_drift, model=uae, batch_size=512)
    KSDrift(i_ref, p_val=0.05, preprocess_fn=fn).predict(i_x)


times = []
for _ in range(3):
    with tempfile.TemporaryDirectory() as ws:
        subprocess.run([assay, "init", ws], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([assay, "add", iref_path, "--workspace", ws, "--name", "dataset:ref"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([assay, "add", itest_path, "--workspace", ws, "--name", "dataset:test"], check=True, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        subprocess.run([assay, "detector", "fit", "ks", "--reference", "dataset:ref", "--preprocess", "uae:dim=32", "--name", "detector:d", "--workspace", ws], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([assay, "detect", "detector:d", "--input", "dataset:test", "--workspace", ws], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
t_cli = statistics.median(times)
t_peer = time_python(alibi_uae_ks)
print(f"| UAE (conv 64-128-512, dim 32) + KS, {imgs} + {imgs} images 32x32x3 | – | {t_cli * 1000:.0f} ms | Alibi Detect UAE + KSDrift (TF): {t_peer * 1000:.0f} ms | – | {t_peer / t_cli:.1f}× |", flush=True)


# Evidently's data-drift preset against Assay's tabular detector on a wide table, with peak memory.
rows_wide = 20000 if quick else 100000
w_ref = rng.normal(size=(rows_wide, 200))
w_cur = rng.normal(loc=0.02, size=(rows_wide, 200))
wref_path, wcur_path = save(f"wide_ref_{rows_wide}.npy", w_ref), save(f"wide_cur_{rows_wide}.npy", w_cur)
del w_ref, w_cur
here = os.path.dirname(os.path.abspath(__file__))


def timed_peak(argv):
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs, kib = r.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kib), r.stdout.strip()


_, ev_peak, ev_out = timed_peak([sys.executable, os.path.join(here, "evidently_wide.py"), wref_path, wcur_path])
ev_time = float(ev_out.splitlines()[-1])
with tempfile.TemporaryDirectory() as ws:
    subprocess.run([assay, "init", ws], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([assay, "add", wref_path, "--workspace", ws, "--name", "dataset:ref"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([assay, "add", wcur_path, "--workspace", ws, "--name", "dataset:cur"], check=True, stdout=subprocess.DEVNULL)
    fit_t, fit_peak, _ = timed_peak([assay, "detector", "fit", "tabular", "--reference", "dataset:ref", "--name", "detector:t", "--workspace", ws])
    det_t, det_peak, _ = timed_peak([assay, "detect", "detector:t", "--input", "dataset:cur", "--workspace", ws])
a_time = fit_t + det_t
print()
print("| case | assay (fit + detect, CLI) | assay peak RSS | Evidently DataDriftPreset | Evidently peak RSS | Evidently time / assay time |")
print("|---|---|---|---|---|---|")
print(f"| wide table {rows_wide} + {rows_wide} rows x 200 columns | {a_time * 1000:.0f} ms | {max(fit_peak, det_peak) / 1024:.0f} MiB | "
      f"{ev_time * 1000:.0f} ms | {ev_peak / 1024:.0f} MiB | {ev_time / a_time:.1f}× |", flush=True)
