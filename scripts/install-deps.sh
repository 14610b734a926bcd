#!/usr/bin/env bash
# Installs the Debian/Ubuntu system packages Assay builds against, if any is missing.
# Safe to run repeatedly: it does nothing when everything is present.
# Extra packages may be named as arguments (the tests add prometheus, for promtool).
set -euo pipefail

packages=(libsqlite3-dev libarchive-dev libssl-dev libcurl4 pkg-config time "$@")
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ! command -v swift >/dev/null 2>&1; then
  echo "error: the Swift toolchain (6.1 or newer) is not on PATH. Install it from swift.org, then run this again." >&2
  exit 2
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing missing system packages: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
