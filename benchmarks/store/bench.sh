#!/usr/bin/env bash
# Store benchmark: `assay add` of a large file (default 2 GiB of pseudo-random data) against the
# stock pipeline that does the same work — `sha256sum` to hash it, then `cp` and `sync` to store
# a durable copy — with the peak memory of each (GNU time). Release build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
assay="${ASSAY_BIN:-$root/.build/release/assay}"
size_mib="${SIZE_MIB:-2048}"
out="$root/benchmarks/out/store"
mkdir -p "$out"
data="$out/data-$size_mib.bin"
if [ ! -f "$data" ]; then
  # Incompressible, reproducible content: AES-CTR keystream from a fixed key.
  openssl enc -aes-128-ctr -K 000102030405060708090a0b0c0d0e0f -iv 0 -nosalt -in /dev/zero 2>/dev/null \
    | head -c $((size_mib * 1024 * 1024)) > "$data" || true   # openssl ends on SIGPIPE
  [ "$(stat -c %s "$data")" -eq $((size_mib * 1024 * 1024)) ] || { echo "could not make $data" >&2; rm -f "$data"; exit 1; }
fi

python3 - "$assay" "$out" "$data" "$here/.." "$size_mib" <<'PY'
import os, shutil, subprocess, sys
assay, out, data, bench, size_mib = sys.argv[1:6]
sys.path.insert(0, bench)
from timing import measure, row, header

ws = f"{out}/ws"
def fresh():
    shutil.rmtree(ws, ignore_errors=True)
    subprocess.run([assay, "init", ws], check=True, stdout=subprocess.DEVNULL)

# Each assay run starts from an empty workspace so it really writes the blob (no dedupe).
script = f"rm -rf {ws} && {assay} init {ws} >/dev/null && {assay} add {data} --workspace {ws} >/dev/null"
a = measure(script, runs=3, shell=True)
peer = measure(f"sha256sum {data} >/dev/null && cp {data} {out}/copy.bin && sync {out}/copy.bin && rm {out}/copy.bin", runs=3, shell=True)
header()
row(f"add {size_mib} MiB file (hash + durable copy)", a, peer, "sha256sum + cp + sync")
# Peak memory of `assay add` alone (the figure above includes `init` and the shell).
fresh()
r = subprocess.run(["/usr/bin/time", "-f", "%M", assay, "add", data, "--workspace", ws], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
print(f"\npeak RSS of `assay add` alone: {int(r.stderr.strip().splitlines()[-1]) / 1024:.1f} MiB")
shutil.rmtree(ws, ignore_errors=True)
PY
