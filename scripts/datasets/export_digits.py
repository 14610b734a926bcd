#!/usr/bin/env python3
"""Exports the handwritten digits data set that scikit-learn ships to notebooks/data/digits.csv.

Provenance: E. Alpaydin and C. Kaynak (1998), "Optical Recognition of Handwritten Digits",
UCI Machine Learning Repository (CC BY 4.0) — the 1797 test images of the 8×8 version
(32×32 bitmaps of 43 writers, counted in 4×4 blocks, values 0–16), as packaged by scikit-learn (sklearn/datasets/data/digits.csv.gz, BSD-3-Clause package).
Columns: p0..p63, the pixels row by row (p0 top left, p7 top right), integers 0–16; then
`label`, the digit 0–9. Run with scikit-learn installed:

    python3 scripts/datasets/export_digits.py
"""
import csv
import pathlib

import sklearn
from sklearn.datasets import load_digits

out = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "data" / "digits.csv"
digits = load_digits()
with out.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow([f"p{i}" for i in range(64)] + ["label"])
    for row, target in zip(digits.data, digits.target):
        w.writerow([str(int(v)) for v in row] + [str(int(target))])
print(f"wrote {out} ({len(digits.target)} images) from scikit-learn {sklearn.__version__}")
