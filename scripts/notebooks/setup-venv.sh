#!/usr/bin/env bash
# Makes (or reuses) a virtual environment outside git with nbconvert, an IPython kernel,
# matplotlib and numpy, for executing the notebooks. Usage: setup-venv.sh VENV_DIR.
# Prints the venv's python.
set -euo pipefail
venv="${1:?usage: setup-venv.sh VENV_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$venv/.assay-requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  # The kernel nbconvert starts is this venv's python, whatever else is installed.
  "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >&2
  cp "$here/requirements.txt" "$stamp"
fi
echo "$venv/bin/python"
