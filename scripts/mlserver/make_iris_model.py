#!/usr/bin/env python3
"""Trains a logistic regression on iris and writes, into OUT_DIR, what the remote-model test
needs: an MLServer model repository (iris/model.joblib and iris/model-settings.json, answering
predict_proba by default), the same model exported to ONNX (iris.onnx, probabilities as a tensor),
and 30 rows of features (iris_X.csv).

Usage: make_iris_model.py OUT_DIR
"""
import json
import os
import sys

import joblib
import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

out = sys.argv[1]
os.makedirs(os.path.join(out, "iris"), exist_ok=True)
X, y = load_iris(return_X_y=True)
model = LogisticRegression(max_iter=500).fit(X, y)
joblib.dump(model, os.path.join(out, "iris", "model.joblib"))
settings = {
    "name": "iris",
    "implementation": "mlserver_sklearn.SKLearnModel",
    "inputs": [{"name": "input-0", "datatype": "FP64", "shape": [-1, 4]}],
    "outputs": [{"name": "predict_proba", "datatype": "FP64", "shape": [-1, 3]}],
    "parameters": {"uri": "./model.joblib", "version": "v1", "extra": {"predict_fn": "predict_proba"}},
}
with open(os.path.join(out, "iris", "model-settings.json"), "w") as f:
    json.dump(settings, f)
onx = to_onnx(model, X[:1].astype(np.float32), options={"zipmap": False}, target_opset={"": 17, "ai.onnx.ml": 3})
with open(os.path.join(out, "iris.onnx"), "wb") as f:
    f.write(onx.SerializeToString())
rows = X[::5]
with open(os.path.join(out, "iris_X.csv"), "w") as f:
    f.write("sepal_length,sepal_width,petal_length,petal_width\n")
    for r in rows:
        f.write(",".join(repr(float(v)) for v in r) + "\n")
print(out)
