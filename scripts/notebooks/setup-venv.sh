#!/usr/bin/env bash
# Makes (or reuses) a virtual environment outside git with nbconvert, an IPython kernel,
# matplotlib and numpy, for executing the notebooks. Usage: setup-venv.sh VENV_DIR.
# Prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../venv-from-requirements.sh" "${1:?usage: setup-venv.sh VENV_DIR}" "$here/requirements.txt" --jupyter-kernel
