import AssayCrypto
import AssayStore
import Foundation

extension AuditBundle {
    /// The outcome of checking a bundle.
    public struct Verification: Sendable {
        /// True only when every check passed.
        public var valid: Bool { problems.isEmpty }
        /// What failed, each naming the file or the signature.
        public var problems: [String]
        /// What passed.
        public var checks: [String]
        /// The manifest's subject, when the manifest could be read.
        public var subject: JSONValue?
        /// Files the manifest lists.
        public var files: Int
        /// The public key's id.
        public var keyID: String
    }

    /// The problem with the bundle file's bytes beyond its content, or `nil`: the file must be
    /// the first gzip member whose SHA-256 and size the manifest records, followed by exactly
    /// the ``SealMember`` of the manifest and signature.
    static func sealProblem(path: String, manifest: JSONValue, manifestBytes: [UInt8], signature: [UInt8]) -> String? {
        guard let sha = manifest["first_member"]?["sha256"]?.stringValue, let size = manifest["first_member"]?["size"]?.intValue, size >= 0 else {
            return "the manifest records no first gzip member"
        }
        let seal = SealMember.bytes(manifest: manifestBytes, signature: signature,
                                    modificationTime: unixSeconds(manifest["created"]?.stringValue ?? ""))
        guard let handle = FileHandle(forReadingAtPath: path) else { return "cannot be read" }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end == UInt64(size + seal.count) else {
            return "the file is not the first member (\(size) bytes) followed by the manifest's member (\(seal.count) bytes)"
        }
        guard (try? handle.seek(toOffset: UInt64(size))) != nil, let tail = try? handle.readToEnd(), [UInt8](tail) == seal else {
            return "the last gzip member is not exactly the manifest, its signature and the end marker"
        }
        guard (try? handle.seek(toOffset: 0)) != nil, var hasher = try? SHA256() else { return "cannot be read" }
        var remaining = size
        while remaining > 0 {
            guard let chunk = try? handle.read(upToCount: min(1 << 20, remaining)), !chunk.isEmpty else { return "cannot be read" }
            guard (try? hasher.update([UInt8](chunk))) != nil else { return "cannot be hashed" }
            remaining -= chunk.count
        }
        guard let digest = try? hasher.finalize().hex, digest == sha else {
            return "the first gzip member's SHA-256 is not the one the manifest records"
        }
        return nil
    }

    /// Checks a bundle read from an untrusted file against `key`: the archive's safety (no
    /// absolute paths, `..`, links, devices, duplicates or decompression bombs, within `limits`),
    /// the manifest's signature, that the manifest lists every file and nothing else with the right
    /// digests and sizes, the attestation's DSSE signature and that its statement covers the same
    /// files, and SHA256SUMS.
    public static func verify(bundle path: String, key: Ed25519PublicKey, limits: TarArchive.Limits = .default) -> Verification {
        var problems: [String] = []
        var checks: [String] = []
        let files: [TarArchive.FileDigest]
        do {
            files = try TarArchive.digests(contentsOf: path, limits: limits, keepingUpTo: 16 << 20)
        } catch {
            return Verification(problems: ["the archive is refused: \(error.description)"], checks: [], subject: nil, files: 0, keyID: key.keyID)
        }
        // The small files the checks read; every file's digest.
        var contents: [String: [UInt8]] = [:]
        var digests: [String: (sha256: String, size: Int64)] = [:]
        for f in files {
            digests[f.path] = (f.sha256, f.size)
            if let b = f.bytes { contents[f.path] = b }
        }
        checks.append("archive: \(files.count) files, no unsafe entry")

        guard let manifestBytes = contents["manifest.json"] else {
            return Verification(problems: ["manifest.json is missing"], checks: checks, subject: nil, files: 0, keyID: key.keyID)
        }
        if let sig = contents["manifest.json.sig"] {
            if key.isValidSignature(sig, for: manifestBytes) { checks.append("manifest.json.sig: valid Ed25519 signature (key \(key.keyID.prefix(16))…)") }
            else { problems.append("manifest.json.sig: the signature of manifest.json does not verify with this public key (key \(key.keyID.prefix(16))…)") }
        } else {
            problems.append("manifest.json.sig is missing")
        }
        guard let manifest = try? JSONValue.parse(manifestBytes), manifest["format"]?.stringValue == format,
              let listed = manifest["files"]?.arrayValue else {
            problems.append("manifest.json is not an \(format) manifest")
            return Verification(problems: problems, checks: checks, subject: nil, files: 0, keyID: key.keyID)
        }
        // Every byte of the file: the first member's compressed bytes pinned by the manifest, the
        // last member rebuilt exactly from the manifest and signature read.
        if let problem = sealProblem(path: path, manifest: manifest, manifestBytes: manifestBytes, signature: contents["manifest.json.sig"] ?? []) {
            problems.append("the archive's bytes: \(problem)")
        } else {
            checks.append("gzip members: the first matches the SHA-256 the manifest signs, the last is exactly the manifest and signature")
        }
        var expected: [String: (sha256: String, size: Int)] = [:]
        for f in listed {
            guard let p = f["path"]?.stringValue, let h = f["sha256"]?.stringValue, let s = f["size"]?.intValue else {
                problems.append("manifest.json: a malformed file entry")
                continue
            }
            if expected[p] != nil { problems.append("manifest.json lists \(p) twice") }
            expected[p] = (h, s)
        }
        // Every entry is listed, every listed file is there, with its digest and size.
        for p in digests.keys.sorted() where p != "manifest.json" && p != "manifest.json.sig" && expected[p] == nil {
            problems.append("\(p): in the archive but not in the manifest")
        }
        var matched = 0
        for (p, e) in expected.sorted(by: { $0.key < $1.key }) {
            guard let actual = digests[p] else { problems.append("\(p): listed in the manifest but missing from the archive"); continue }
            if actual.size != Int64(e.size) { problems.append("\(p): \(actual.size) bytes, the manifest says \(e.size)") }
            else if actual.sha256 != e.sha256 { problems.append("\(p): SHA-256 \(actual.sha256), the manifest says \(e.sha256)") }
            else { matched += 1 }
        }
        checks.append("manifest: \(matched) of \(expected.count) files match their SHA-256 and size")

        // The attestation.
        if let line = contents["attestation.intoto.jsonl"] {
            let first = line.split(separator: 0x0a, omittingEmptySubsequences: true).first.map(Array.init) ?? []
            if let envelope = try? JSONValue.parse(first) {
                switch DSSE.open(envelope, key: key) {
                case .failure(let why): problems.append("attestation.intoto.jsonl: \(why.description)")
                case .success(let opened):
                    guard opened.payloadType == DSSE.inTotoPayloadType, let statement = try? JSONValue.parse(opened.payload),
                          statement["_type"]?.stringValue == DSSE.statementType, let subjects = statement["subject"]?.arrayValue else {
                        problems.append("attestation.intoto.jsonl: the envelope does not hold an in-toto v1 Statement")
                        break
                    }
                    var attested: [String: String] = [:]
                    for s in subjects {
                        if let n = s["name"]?.stringValue, let d = s["digest"]?["sha256"]?.stringValue { attested[n] = d }
                    }
                    let covered = expected.filter { $0.key != "attestation.intoto.jsonl" && $0.key != "SHA256SUMS" }
                    let differing = covered.filter { attested[$0.key] != $0.value.sha256 }.map(\.key).sorted()
                    let extra = attested.keys.filter { covered[$0] == nil }.sorted()
                    if differing.isEmpty && extra.isEmpty {
                        checks.append("attestation.intoto.jsonl: valid DSSE signature; the statement covers the \(covered.count) files")
                    } else {
                        problems.append("attestation.intoto.jsonl: the statement does not match the manifest (\((differing + extra).prefix(5).joined(separator: ", ")))")
                    }
                }
            } else {
                problems.append("attestation.intoto.jsonl: not a JSON envelope")
            }
        } else {
            problems.append("attestation.intoto.jsonl is missing")
        }

        // SHA256SUMS agrees with the manifest.
        if let sums = contents["SHA256SUMS"] {
            var disagree: [String] = []
            for line in String(decoding: sums, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1)
                guard parts.count == 2 else { disagree.append(String(line)); continue }
                let p = String(parts[1].drop { $0 == " " })
                if expected[p]?.sha256 != String(parts[0]) { disagree.append(p) }
            }
            if disagree.isEmpty { checks.append("SHA256SUMS: agrees with the manifest") }
            else { problems.append("SHA256SUMS: disagrees with the manifest for \(disagree.prefix(5).joined(separator: ", "))") }
        } else {
            problems.append("SHA256SUMS is missing")
        }
        return Verification(problems: problems, checks: checks, subject: manifest["subject"], files: expected.count, keyID: key.keyID)
    }
}
