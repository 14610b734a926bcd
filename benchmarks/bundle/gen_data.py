#!/usr/bin/env python3
"""Writes SIZE MiB of reproducible, partly compressible data to PATH.

Usage: gen_data.py PATH SIZE_MIB [SEED]

The file alternates 1 MiB chunks: even chunks are pseudo-random bytes (incompressible), odd
chunks are text-like CSV records (timestamps, ids, categories, decimals) drawn from a pool of 16
distinct 1 MiB text chunks. gzip's window is 32 KiB, so the pool's repeats do not help it: the
text compresses as ordinary records do, about 2-3x, and the file as a whole to about 60-70%.
Same arguments, same bytes. Standard library only.
"""
import random
import sys

MIB = 1 << 20


def text_chunk(rng: random.Random) -> bytes:
    sites = ["eu-west", "us-east", "ap-south", "sa-east"]
    labels = ["ok", "ok", "ok", "review", "fraud"]
    lines = []
    size = 0
    t = 1_790_000_000 + rng.randrange(10_000_000)
    while size < MIB:
        t += rng.randrange(1, 5)
        line = "%d,txn-%08d,%s,%s,%.4f,%.4f,%.2f,%d\n" % (
            t, rng.randrange(100_000_000), rng.choice(sites), rng.choice(labels),
            rng.gauss(0, 1), rng.gauss(5, 2), rng.lognormvariate(3, 1), rng.randrange(1000))
        lines.append(line)
        size += len(line)
    return "".join(lines).encode()[:MIB]


def main() -> None:
    path, size_mib = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261125
    rng = random.Random(seed)
    pool = [text_chunk(rng) for _ in range(16)]
    with open(path, "wb") as f:
        for i in range(size_mib):
            f.write(rng.randbytes(MIB) if i % 2 == 0 else pool[rng.randrange(len(pool))])


if __name__ == "__main__":
    main()
