#!/usr/bin/env python3
"""Exports the Iris data set that scikit-learn ships to notebooks/data/iris.csv.

Provenance: R. A. Fisher (1936), "The use of multiple measurements in taxonomic problems";
the UCI Machine Learning Repository copy (CC BY 4.0), as packaged by scikit-learn
(sklearn/datasets/data/iris.csv, BSD-3-Clause package). Columns: the four measurements in cm
with scikit-learn's feature names, then the species name. Run with scikit-learn installed:

    python3 scripts/datasets/export_iris.py
"""
import csv
import pathlib

import sklearn
from sklearn.datasets import load_iris

out = pathlib.Path(__file__).resolve().parents[2] / "notebooks" / "data" / "iris.csv"
iris = load_iris()
with out.open("w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(list(iris.feature_names) + ["species"])
    for row, target in zip(iris.data, iris.target):
        w.writerow([f"{v:g}" for v in row] + [iris.target_names[target]])
print(f"wrote {out} from scikit-learn {sklearn.__version__}")
