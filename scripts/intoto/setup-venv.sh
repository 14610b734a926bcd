#!/usr/bin/env bash
# Makes (or reuses) a virtual environment outside git with the in-toto reference implementation
# (in-toto, securesystemslib, in-toto-attestation), for the bundle interoperability check.
# Usage: setup-venv.sh VENV_DIR. Prints the venv's python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
exec "$here/../venv-from-requirements.sh" "${1:?usage: setup-venv.sh VENV_DIR}" "$here/requirements.txt"
