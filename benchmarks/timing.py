#!/usr/bin/env python3
"""Times commands: median wall time of N runs, and peak memory (GNU time) of one more run.

Used by the benchmark scripts so every figure is measured the same way. Standard library only.
"""
import statistics
import subprocess
import sys
import time


def measure(argv, runs=5, stdout=subprocess.DEVNULL, shell=False):
    """Median wall-clock seconds over `runs` runs, and peak RSS in KiB of one extra run."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=stdout, shell=shell)
        times.append(time.perf_counter() - start)
    peak = None
    try:
        wrapped = ["/usr/bin/time", "-f", "%M"] + (["/bin/sh", "-c", argv] if shell else list(argv))
        r = subprocess.run(wrapped, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = int(r.stderr.strip().splitlines()[-1])
    except (OSError, ValueError, subprocess.CalledProcessError):
        pass
    return statistics.median(times), peak


def row(name, assay, peer, peer_name):
    (ta, ma), (tp, mp) = assay, peer
    ratio = tp / ta if ta > 0 else float("nan")
    mem = lambda m: f"{m / 1024:.0f} MiB" if m else "?"
    print(f"| {name} | {ta * 1000:.0f} ms | {mem(ma)} | {peer_name}: {tp * 1000:.0f} ms | {mem(mp)} | {ratio:.2f}× |")
    sys.stdout.flush()


def header():
    print("| case | assay | assay peak RSS | peer | peer peak RSS | peer time / assay time |")
    print("|---|---|---|---|---|---|")
