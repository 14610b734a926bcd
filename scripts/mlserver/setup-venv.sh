#!/usr/bin/env bash
# Makes (or reuses) a virtual environment outside git with MLServer, mlserver-sklearn and
# skl2onnx, for the remote-model test. Usage: setup-venv.sh VENV_DIR. Prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../venv-from-requirements.sh" "${1:?usage: setup-venv.sh VENV_DIR}" "$here/requirements.txt"
