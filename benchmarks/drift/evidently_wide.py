#!/usr/bin/env python3
"""Runs Evidently's data-drift preset on two .npy tables (reference, current) and prints the
seconds it took (imports excluded). Used by bench.py under GNU time for peak memory.

Usage: evidently_wide.py REF.npy CUR.npy
"""
import sys
import time

import numpy as np
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

ref, cur = np.load(sys.argv[1]), np.load(sys.argv[2])
cols = [f"c{i}" for i in range(ref.shape[1])]
start = time.perf_counter()
report = Report([DataDriftPreset()]).run(pd.DataFrame(cur, columns=cols), pd.DataFrame(ref, columns=cols))
report.dict()
print(f"{time.perf_counter() - start:.3f}")
