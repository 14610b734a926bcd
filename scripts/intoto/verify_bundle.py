#!/usr/bin/env python3
"""A second, independent check of an Assay audit bundle with the in-toto reference implementation.

Usage: verify_bundle.py BUNDLE.tar.gz PUB.pem

Reads `attestation.intoto.jsonl` from the bundle (one DSSE envelope of an in-toto v1 Statement),
verifies its Ed25519 signature over the DSSE pre-authentication encoding with the public key in
PUB.pem (in-toto's `Envelope`, securesystemslib's `SSlibKey`), parses the Statement (with the
in-toto attestation framework's `Statement`) and checks that its subjects are exactly the files of
the bundle, with the bundle's SHA-256 digests. The manifest, its signature, SHA256SUMS and the
attestation itself are not subjects: they are written after the Statement (they are checked by
`assay verify`, or by openssl and sha256sum as the bundle's VERIFY.txt says).

Prints one line of JSON, `{"verified": true, "subjects": N, "keyid": ...}` and exits 0, or
`{"verified": false, "reason": ...}` and exits 1. Needs the packages of requirements.txt
(setup-venv.sh makes a virtual environment with them).
"""

import hashlib
import json
import sys
import tarfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from google.protobuf import json_format
from in_toto.exceptions import SignatureVerificationError
from in_toto.models.metadata import ENVELOPE_PAYLOAD_TYPE, Envelope, Metadata
from in_toto_attestation.v1 import statement_pb2
from in_toto_attestation.v1.statement import STATEMENT_TYPE_URI, Statement
from securesystemslib.signer import SSlibKey

ATTESTATION = "attestation.intoto.jsonl"
# Written after the Statement, so not among its subjects.
NOT_SUBJECTS = {"manifest.json", "manifest.json.sig", ATTESTATION, "SHA256SUMS"}


class Refused(Exception):
    pass


def read_bundle(path):
    """The bundle's regular files as {name: sha256 hex}, and the attestation's bytes.

    Links, devices, absolute names, `..` components and repeated names are refused; nothing is
    extracted to disk."""
    digests = {}
    attestation = None
    try:
        archive = tarfile.open(path, "r:*")
    except (OSError, tarfile.TarError) as e:
        raise Refused(f"{path}: not a readable tar archive ({e})")
    with archive:
        try:
            for member in archive:
                name = member.name
                while name.startswith("./"):
                    name = name[2:]
                if name.startswith("/") or ".." in name.split("/") or "\\" in name:
                    raise Refused(f"{path}: the entry {member.name!r} is refused (absolute or outside the bundle)")
                if member.isdir():
                    continue
                if not member.isfile():
                    raise Refused(f"{path}: the entry {member.name!r} is refused (a link or special file)")
                if name in digests:
                    raise Refused(f"{path}: the entry {name!r} appears twice")
                stream = archive.extractfile(member)
                h = hashlib.sha256()
                kept = bytearray() if name == ATTESTATION else None
                while True:
                    chunk = stream.read(1 << 20)
                    if not chunk:
                        break
                    h.update(chunk)
                    if kept is not None:
                        kept += chunk
                digests[name] = h.hexdigest()
                if kept is not None:
                    attestation = bytes(kept)
        except (OSError, EOFError, tarfile.TarError) as e:
            raise Refused(f"{path}: the archive is damaged ({e})")
    if attestation is None:
        raise Refused(f"{path}: no {ATTESTATION} in the bundle")
    return digests, attestation


def no_duplicate_keys(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise Refused(f"the key {k!r} appears twice in a JSON object")
        seen[k] = v
    return seen


def load_public_key(path):
    try:
        with open(path, "rb") as f:
            key = serialization.load_pem_public_key(f.read())
    except (OSError, ValueError, TypeError) as e:
        raise Refused(f"{path}: not a PEM public key ({e})")
    if not isinstance(key, Ed25519PublicKey):
        raise Refused(f"{path}: not an Ed25519 public key")
    return key


def verify(bundle, pub_path):
    public_key = load_public_key(pub_path)
    digests, attestation = read_bundle(bundle)

    lines = [line for line in attestation.split(b"\n") if line.strip()]
    if len(lines) != 1:
        raise Refused(f"{ATTESTATION} holds {len(lines)} envelopes, not one")
    try:
        data = json.loads(lines[0], object_pairs_hook=no_duplicate_keys)
    except ValueError as e:
        raise Refused(f"{ATTESTATION} is not JSON ({e})")
    if not isinstance(data, dict) or data.get("payloadType") != ENVELOPE_PAYLOAD_TYPE:
        raise Refused(f"{ATTESTATION} is not a DSSE envelope of type {ENVELOPE_PAYLOAD_TYPE}")
    try:
        envelope = Metadata.from_dict(data)
    except Exception as e:  # the library raises KeyError, ValueError, FormatError, binascii.Error
        raise Refused(f"{ATTESTATION} is not a DSSE envelope ({type(e).__name__}: {e})")
    if not isinstance(envelope, Envelope):
        raise Refused(f"{ATTESTATION} is not a DSSE envelope")
    if not envelope.signatures:
        raise Refused("the envelope has no signature")

    # The envelope's keyid is Assay's: the hex SHA-256 of the raw 32-byte Ed25519 public key.
    # securesystemslib computes its own keyid (a hash of its JSON form of the key), and both
    # `Envelope.verify` and `SSlibKey.verify_signature` skip a signature whose keyid differs from
    # the key's. The keyid is an unsigned hint, so signatures are matched by verifying them with
    # the given key, not by keyid: for each signature, the key is given that signature's keyid
    # and in-toto's `Envelope.verify_signature` checks the signature over the DSSE PAE.
    verified_keyid = None
    for keyid in envelope.signatures:
        key = SSlibKey.from_crypto(public_key, keyid=keyid)
        try:
            envelope.verify_signature(dict(key.to_dict(), keyid=keyid))
        except SignatureVerificationError:
            continue
        verified_keyid = keyid
        break
    if verified_keyid is None:
        raise Refused(f"no signature in the envelope verifies with the public key in {pub_path}")
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    if verified_keyid != hashlib.sha256(raw).hexdigest():
        print(f"note: the verified signature's keyid {verified_keyid} is not the SHA-256 of the key", file=sys.stderr)

    # The Statement, parsed twice: as plain JSON (strictly) and by the attestation framework.
    try:
        statement = json.loads(envelope.payload, object_pairs_hook=no_duplicate_keys)
    except ValueError as e:
        raise Refused(f"the payload is not JSON ({e})")
    if not isinstance(statement, dict) or statement.get("_type") != STATEMENT_TYPE_URI:
        raise Refused(f"the payload is not an in-toto Statement ({STATEMENT_TYPE_URI})")
    try:
        parsed = Statement.copy_from_pb(json_format.Parse(envelope.payload, statement_pb2.Statement()))
        parsed.validate()
    except (json_format.ParseError, ValueError) as e:
        raise Refused(f"the Statement is not valid ({e})")

    subjects = statement.get("subject")
    if not isinstance(subjects, list) or len(subjects) != len(parsed.pb.subject):
        raise Refused("the Statement's subjects are malformed")
    named = {}
    for i, s in enumerate(subjects):
        name = s.get("name") if isinstance(s, dict) else None
        digest = s.get("digest") if isinstance(s, dict) else None
        if not isinstance(name, str) or not name or not isinstance(digest, dict):
            raise Refused(f"subject {i} has no name or digest")
        sha = digest.get("sha256")
        if not isinstance(sha, str) or len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise Refused(f"subject {name!r} has no sha256 digest (64 lowercase hex digits)")
        if name in named:
            raise Refused(f"subject {name!r} is listed twice")
        if name not in digests:
            raise Refused(f"subject {name!r} is not in the bundle")
        if digests[name] != sha:
            raise Refused(f"subject {name!r}: the bundle's file has sha256 {digests[name]}, the Statement says {sha}")
        named[name] = sha
    uncovered = sorted(set(digests) - NOT_SUBJECTS - set(named))
    if uncovered:
        raise Refused(f"files of the bundle not among the Statement's subjects: {', '.join(uncovered)}")
    listed = sorted(NOT_SUBJECTS & set(named))
    if listed:
        raise Refused(f"files written after the Statement are among its subjects: {', '.join(listed)}")
    return {"verified": True, "subjects": len(named), "keyid": verified_keyid}


def main(argv):
    if len(argv) != 3:
        print("usage: verify_bundle.py BUNDLE.tar.gz PUB.pem", file=sys.stderr)
        return 2
    try:
        summary = verify(argv[1], argv[2])
    except Refused as e:
        print(json.dumps({"verified": False, "reason": str(e)}))
        return 1
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
