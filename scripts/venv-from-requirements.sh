#!/usr/bin/env bash
# Makes (or reuses) a virtual environment outside git from a pinned requirements file, and prints
# its python. The venv is remade when the requirements change (a copy is kept in the venv).
# Usage: venv-from-requirements.sh VENV_DIR REQUIREMENTS [--jupyter-kernel]
# --jupyter-kernel registers the venv's python as the `python3` kernel inside the venv, so that
# nbconvert runs notebooks with it whatever else is installed.
set -euo pipefail
venv="${1:?usage: venv-from-requirements.sh VENV_DIR REQUIREMENTS [--jupyter-kernel]}"
requirements="${2:?usage: venv-from-requirements.sh VENV_DIR REQUIREMENTS [--jupyter-kernel]}"
stamp="$venv/.assay-requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements" >&2
  if [ "${3:-}" = "--jupyter-kernel" ]; then
    "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >&2
  fi
  cp "$requirements" "$stamp"
fi
echo "$venv/bin/python"
