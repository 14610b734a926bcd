#!/usr/bin/env python3
"""Re-packs an audit bundle with one change, for the negative cases of the in-toto check.

Usage: tamper_bundle.py BUNDLE.tar.gz OUT.tar.gz MODE, where MODE is
  flip-attestation  one character of the envelope's base64 payload is replaced by another base64
                    character (so the envelope still decodes, and the signed bytes differ)
  change-artifact   one bit of the last byte of the first artifacts/sha256/ file is flipped
  add-file          a file that no subject names is appended
  add-symlink       a symbolic link is appended
Every other entry is copied unchanged (names, modes, times).
"""

import io
import sys
import tarfile

MODES = {"flip-attestation", "change-artifact", "add-file", "add-symlink"}


def flip(data, at):
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def main(argv):
    if len(argv) != 4 or argv[3] not in MODES:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst, mode = argv[1:]
    changed = False
    with tarfile.open(src, "r:gz") as a, tarfile.open(dst, "w:gz", format=tarfile.USTAR_FORMAT) as b:
        for m in a.getmembers():
            data = a.extractfile(m).read() if m.isfile() else None
            if mode == "flip-attestation" and m.name == "attestation.intoto.jsonl":
                marker = b'"payload":"'
                at = data.index(marker) + len(marker) + 100
                data = data[:at] + (b"B" if data[at:at + 1] == b"A" else b"A") + data[at + 1:]
                changed = True
            elif mode == "change-artifact" and not changed and m.isfile() and m.name.startswith("artifacts/sha256/"):
                data = flip(data, len(data) - 1)
                changed = True
            if data is not None:
                m.size = len(data)
            b.addfile(m, io.BytesIO(data) if data is not None else None)
        if mode == "add-file":
            m = tarfile.TarInfo("extra.txt")
            m.size = 6
            b.addfile(m, io.BytesIO(b"extra\n"))
            changed = True
        elif mode == "add-symlink":
            m = tarfile.TarInfo("link")
            m.type = tarfile.SYMTYPE
            m.linkname = "/etc/passwd"
            b.addfile(m)
            changed = True
    if not changed:
        print(f"{src}: nothing to change for {mode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
