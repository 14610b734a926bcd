#!/usr/bin/env bash
# Bundle benchmark: `assay export` and `assay verify` of a run whose output is one SIZE_MIB
# artifact (default 1024 MiB; half pseudo-random bytes, half CSV-like text), against the stock
# pipeline on the same file: `sha256sum` + `tar | gzip` to create, `gzip -dc | tar -x` +
# `sha256sum -c` to verify. Wall time (median of RUNS runs, default 3) and peak RSS (GNU time)
# of each, bundle sizes. Builds Assay in release mode unless ASSAY names a binary.
#
#   benchmarks/bundle/bench.sh [SIZE_MIB]
#   ASSAY=.build/debug/assay RUNS=1 benchmarks/bundle/bench.sh 64    # quick check
#
# Scratch files go to ${TMPDIR:-/tmp}/assay-bundle-bench (about 3.5x SIZE_MIB at most).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
size_mib="${1:-${SIZE_MIB:-1024}}"
runs="${RUNS:-3}"
if [ -z "${ASSAY:-}" ]; then
  (cd "$root" && swift build -c release >/dev/null)
  assay="$root/.build/release/assay"
else
  case "$ASSAY" in /*) assay="$ASSAY" ;; *) assay="$root/$ASSAY" ;; esac
fi
for tool in /usr/bin/time gzip tar sha256sum python3; do
  command -v "$tool" >/dev/null || { echo "bench.sh: needs $tool" >&2; exit 2; }
done

scratch="${TMPDIR:-/tmp}/assay-bundle-bench"
mkdir -p "$scratch"
data="$scratch/data-$size_mib.bin"
if [ ! -f "$data" ] || [ "$(stat -c %s "$data")" -ne $((size_mib * 1024 * 1024)) ]; then
  python3 "$here/gen_data.py" "$data.tmp" "$size_mib" && mv "$data.tmp" "$data"
fi

rev="$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
python3 - "$assay" "$scratch" "$data" "$size_mib" "$runs" "$rev" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
assay, scratch, data, size_mib, runs, rev = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ws, key = f"{scratch}/ws", f"{scratch}/k.pem"
pub = f"{scratch}/k.pub.pem"
bundle, stock = f"{scratch}/out.tar.gz", f"{scratch}/stock.tar.gz"
src, dst = f"{scratch}/src", f"{scratch}/extract"
timefile = f"{scratch}/time.txt"

def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)

def timed(argv, before=None, stdout=subprocess.DEVNULL):
    """Median wall seconds and max peak RSS (KiB) over `runs` runs; `before` runs untimed."""
    walls, peaks, outs = [], [], []
    for _ in range(runs):
        if before: before()
        r = sh(["/usr/bin/time", "-f", "%e %M", "-o", timefile] + argv, stdout=stdout, text=True)
        wall, peak = open(timefile).read().split()[-2:]
        walls.append(float(wall)); peaks.append(int(peak)); outs.append(r.stdout)
    return statistics.median(walls), max(peaks), outs

def rm(*paths):
    for p in paths:
        if os.path.isdir(p): shutil.rmtree(p)
        elif os.path.exists(p): os.remove(p)

# Setup (not timed in the table): a fresh workspace holding the file as one import run's output,
# a signing key, and the same file (hard link, else copy) plus its checksums for the stock side.
rm(ws, key, pub, src, dst, bundle, stock)
sh([assay, "init", ws], stdout=subprocess.DEVNULL)
t = time.perf_counter()
add = json.loads(sh([assay, "add", data, "--workspace", ws, "--json"], stdout=subprocess.PIPE, text=True).stdout)
add_s = time.perf_counter() - t
run = add["run"]
sh([assay, "keygen", "-o", key], stdout=subprocess.DEVNULL)
os.makedirs(src)
try: os.link(data, f"{src}/data.bin")
except OSError: shutil.copyfile(data, f"{src}/data.bin")

ex_s, ex_m, ex_out = timed([assay, "export", run, "--key", key, "-o", bundle, "--workspace", ws, "--json", "--quiet"],
                           before=lambda: rm(bundle), stdout=subprocess.PIPE)
digests = {json.loads(o)["sha256"] for o in ex_out}
ve_s, ve_m, _ = timed([assay, "verify", bundle, "--pubkey", pub])
create = f"cd {src} && sha256sum data.bin > SHA256SUMS && tar -cf - data.bin SHA256SUMS | gzip > {stock}"
sc_s, sc_m, _ = timed(["/bin/sh", "-c", create], before=lambda: rm(stock))
check = f"mkdir {dst} && gzip -dc {stock} | tar -xf - -C {dst} && cd {dst} && sha256sum -c --quiet SHA256SUMS"
sv_s, sv_m, _ = timed(["/bin/sh", "-c", check], before=lambda: rm(dst))
bsize, ssize = os.path.getsize(bundle), os.path.getsize(stock)

mib = lambda k: f"{k / 1024:.0f} MiB"
print("| size | assay export | stock create (sha256sum + tar \\| gzip) | stock / assay | assay verify | stock verify (gzip -dc \\| tar -x + sha256sum -c) | stock / assay | peak RSS export / verify | peak RSS stock create / verify | bundle size | stock .tar.gz size |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
print(f"| {size_mib} MiB | {ex_s:.2f} s | {sc_s:.2f} s | {sc_s / ex_s:.2f}× | {ve_s:.2f} s | {sv_s:.2f} s | {sv_s / ve_s:.2f}× "
      f"| {mib(ex_m)} / {mib(ve_m)} | {mib(sc_m)} / {mib(sv_m)} | {bsize / 2**20:.1f} MiB ({bsize / (size_mib * 2**20):.1%}) "
      f"| {ssize / 2**20:.1f} MiB ({ssize / (size_mib * 2**20):.1%}) |")
print(f"\n{runs} run(s) each, median wall time, largest peak RSS; binary {assay}, tree {rev}")
print(f"setup: assay add of the {size_mib} MiB file: {add_s:.2f} s; "
      f"{len(ex_out)} export(s), {'all byte-identical' if len(digests) == 1 else 'NOT byte-identical'}")
rm(bundle, stock, dst, src, timefile)
PY
