import AssayCrypto
import AssayStore
import Foundation

extension AuditBundle {
    /// The kinds of artifacts written as JSON results (`results/KIND/HEX.json`).
    static let resultKinds: Set<String> = ["replay", "replay-window", "alert", "drift-result", "predictions", "detector", "pipeline-spec"]

    /// What an export wrote.
    public struct ExportResult: Sendable {
        public var path: String
        public var subject: Subject
        /// Files in the bundle (the manifest and its signature included).
        public var files: Int
        /// Bytes of the bundle, and their SHA-256.
        public var size: Int64
        public var sha256: String
        public var keyID: String
    }

    /// Writes the bundle of `subject` to `path` (replaced atomically), signed with `key`.
    ///
    /// Contents (every path sorted; see <doc:AuditBundles>): `lineage/lineage.json` and
    /// `lineage/prov.json` (the upstream subgraph, Assay JSON and W3C PROV-JSON),
    /// `lineage/runs/ID.json` (each run's full record), `results/KIND/HEX.json` (the subject's JSON
    /// results), `artifacts/index.json` and, unless `includeData` is false,
    /// `artifacts/sha256/HEX` (the subject run's inputs and outputs, or the alert's),
    /// `VERIFY.txt`, `attestation.intoto.jsonl` (a DSSE envelope of an in-toto v1 Statement),
    /// `SHA256SUMS`, `manifest.json` and `manifest.json.sig` (Ed25519, raw 64 bytes). Two gzip
    /// members: the first holds every file but the manifest and its signature (its compressed
    /// SHA-256 and size are in the manifest), the last (``SealMember``) the manifest, the signature
    /// and the tar end marker, stored. Entry times are the subject run's end; nothing depends on
    /// the clock, so the same subject and key give the same bytes.
    public static func export(_ subject: Subject, in workspace: Workspace, key: Ed25519PrivateKey, to path: String,
                              includeData: Bool = true) throws -> ExportResult {
        let run = subject.run
        var files: [(path: String, content: TarArchive.Entry.Content, sha256: String, size: Int64)] = []
        func add(_ path: String, _ bytes: [UInt8]) throws {
            files.append((path, .bytes(bytes), try SHA256.hash(bytes).hex, Int64(bytes.count)))
        }

        // Lineage: the subgraph upstream of the subject, without names (mutable labels).
        let root: ResolvedReference = subject.kind == .alert ? .artifact(try ArtifactID(subject.id)) : .run(run.id)
        let graph = try workspace.lineage(of: root, direction: .up)
        try add("lineage/lineage.json", try lineageJSON(graph).canonicalBytes())
        var runs: [RunInfo] = []
        for node in graph.nodes where node.type == .run {
            guard let id = RunID(validating: node.id), let info = try workspace.run(id) else { continue }
            runs.append(info)
            try add("lineage/runs/\(info.id.rawValue).json", try CanonicalJSON.encode(info))
        }
        try add("lineage/prov.json", try provenanceJSON(graph, runs: runs).canonicalBytes())

        // The artifacts the subject rests on.
        var chosen: [RunArtifact] = run.inputs
        if subject.kind == .alert, let alert = try workspace.alerts(id: try ArtifactID(subject.id)).first {
            chosen += [RunArtifact(role: "alert", id: alert.id), RunArtifact(role: "evidence", id: alert.evidence),
                       RunArtifact(role: "result", id: alert.result)]
        } else {
            chosen += run.outputs
        }
        var index: [JSONValue] = []
        var seen: Set<ArtifactID> = []
        for a in chosen.sorted() where seen.insert(a.id).inserted {
            guard let info = try workspace.artifact(a.id) else { continue }
            guard let (actual, size) = try workspace.blobs.rehash(a.id), actual == a.id else {
                throw BundleError(what: a.id.rawValue, problem: "the stored bytes no longer match the id", fix: "Run assay fsck; a damaged store cannot be exported.")
            }
            let hex = String(a.id.rawValue.dropFirst(ArtifactID.scheme.count))
            index.append(.object(["id": .string(a.id.rawValue), "kind": .string(info.kind), "size": JSONValue(size),
                                  "role": .string(a.role), "included": .bool(includeData)]))
            if includeData {
                files.append(("artifacts/sha256/\(hex)", .file(path: workspace.blobs.path(for: a.id)), hex, size))
            }
            if resultKinds.contains(info.kind), size <= 64 << 20 {
                let bytes = try workspace.blobs.bytes(of: a.id)
                if (try? JSONValue.parse(bytes)) != nil { try add("results/\(info.kind)/\(hex).json", bytes) }
            }
        }
        try add("artifacts/index.json", try JSONValue.array(index).canonicalBytes())
        try add("VERIFY.txt", Array(verifyText.utf8))

        // The attestation: every file so far, signed.
        files.sort { $0.path < $1.path }
        let statement: JSONValue = .object([
            "_type": .string(DSSE.statementType),
            "subject": .array(files.map { .object(["name": .string($0.path), "digest": .object(["sha256": .string($0.sha256)])]) }),
            "predicateType": .string(predicateType),
            "predicate": .object([
                "subject": subject.json,
                "recipe": run.recipe.document,
                "status": .string(run.status.rawValue),
                "started_at": .string(run.startedAt), "ended_at": .string(run.endedAt),
                "tool": .object(["name": "assay", "version": .string(AssayVersion.current)]),
            ]),
        ])
        let envelope = try DSSE.envelope(payload: try statement.canonicalBytes(), key: key)
        try add("attestation.intoto.jsonl", try envelope.canonicalBytes() + [0x0a])

        // SHA256SUMS for `sha256sum -c`, then the signed manifest over everything.
        files.sort { $0.path < $1.path }
        try add("SHA256SUMS", Array(files.map { "\($0.sha256)  \($0.path)\n" }.joined().utf8))
        files.sort { $0.path < $1.path }

        // The first gzip member: every file but the manifest and its signature, as a tar
        // stream without its end marker. The manifest pins its compressed bytes.
        let mtime = unixSeconds(run.endedAt)
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        do {
            let member = try GzipFileWriter(path: temporary)
            let splitter = EndMarkerStrippingSink(next: member)
            try TarArchive.write(files.map { TarArchive.Entry(path: $0.path, content: $0.content) }, modificationTime: mtime,
                                 uncompressedTo: splitter)
            try splitter.finish()
            let first = try member.finish()
            let manifest: JSONValue = .object([
                "format": .string(format),
                "subject": subject.json,
                "created": .string(run.endedAt),
                "tool": .object(["name": "assay", "version": .string(AssayVersion.current)]),
                "data": .bool(includeData),
                "files": .array(files.map { .object(["path": .string($0.path), "sha256": .string($0.sha256), "size": JSONValue($0.size)]) }),
                "first_member": .object(["sha256": .string(first.sha256), "size": JSONValue(first.size)]),
            ])
            let manifestBytes = try manifest.canonicalBytes()
            // The last member: the manifest, its signature and the end marker, stored.
            try member.appendAndSync(SealMember.bytes(manifest: manifestBytes, signature: try key.sign(manifestBytes), modificationTime: mtime))
            let whole = try member.wholeFile()
            guard rename(temporary, path) == 0 else {
                throw BundleError(what: path, problem: "cannot be written (\(String(cString: strerror(errno))))", fix: "Check the directory and its permissions.")
            }
            return ExportResult(path: path, subject: subject, files: files.count + 2, size: whole.size, sha256: whole.sha256,
                                keyID: try key.publicKey().keyID)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// An RFC 3339 time of the store as Unix seconds (0 when unreadable).
    static func unixSeconds(_ text: String) -> Int64 {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = formatter.date(from: text) { return Int64(d.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) } ?? 0
    }

    /// The graph as canonical JSON, without names.
    static func lineageJSON(_ g: LineageGraph) -> JSONValue {
        .object([
            "root": .string(g.root), "direction": .string(g.direction.rawValue),
            "nodes": .array(g.nodes.map { n in
                var o: [String: JSONValue] = ["id": .string(n.id), "type": .string(n.type.rawValue), "depth": JSONValue(n.depth)]
                if let k = n.kind { o["kind"] = .string(k) }
                if let s = n.size { o["size"] = JSONValue(s) }
                if let op = n.operation { o["operation"] = .string(op) }
                if let v = n.operationVersion { o["operation_version"] = JSONValue(v) }
                if let st = n.status { o["status"] = .string(st) }
                if let t = n.startedAt { o["started_at"] = .string(t) }
                return .object(o)
            }),
            "edges": .array(g.edges.map { .object(["from": .string($0.from), "to": .string($0.to), "role": .string($0.role)]) }),
        ])
    }

    /// The graph as W3C PROV-JSON: artifacts are entities, runs activities; an edge from an
    /// artifact to a run is `used`, from a run to an artifact `wasGeneratedBy`, with the role.
    static func provenanceJSON(_ g: LineageGraph, runs: [RunInfo]) -> JSONValue {
        let ended = Dictionary(runs.map { ($0.id.rawValue, $0.endedAt) }, uniquingKeysWith: { a, _ in a })
        func qualified(_ id: String) -> String { id.hasPrefix(ArtifactID.scheme) ? "assay:" + id : "assay:run/" + id }
        var entities: [String: JSONValue] = [:]
        var activities: [String: JSONValue] = [:]
        for n in g.nodes {
            switch n.type {
            case .artifact:
                var o: [String: JSONValue] = ["prov:type": .string("assay:artifact")]
                if let k = n.kind { o["assay:kind"] = .string(k) }
                if let s = n.size { o["assay:size"] = JSONValue(s) }
                entities[qualified(n.id)] = .object(o)
            case .run:
                var o: [String: JSONValue] = ["prov:type": .string("assay:run")]
                if let op = n.operation { o["assay:operation"] = .string(op) }
                if let v = n.operationVersion { o["assay:operation_version"] = JSONValue(v) }
                if let t = n.startedAt { o["prov:startTime"] = .string(t) }
                if let t = ended[n.id] { o["prov:endTime"] = .string(t) }
                activities[qualified(n.id)] = .object(o)
            }
        }
        var used: [String: JSONValue] = [:]
        var generated: [String: JSONValue] = [:]
        let runIDs = Set(g.nodes.filter { $0.type == .run }.map(\.id))
        // Edges are in the walk's direction (up: from a node to what it came from).
        for (i, e) in g.edges.enumerated() {
            let key = "_:e\(i)"
            if runIDs.contains(e.from) {
                used[key] = .object(["prov:activity": .string(qualified(e.from)), "prov:entity": .string(qualified(e.to)), "prov:role": .string(e.role)])
            } else {
                generated[key] = .object(["prov:entity": .string(qualified(e.from)), "prov:activity": .string(qualified(e.to)), "prov:role": .string(e.role)])
            }
        }
        return .object([
            "prefix": .object(["assay": .string("https://assay.dev/ns#")]),
            "entity": .object(entities), "activity": .object(activities),
            "used": .object(used), "wasGeneratedBy": .object(generated),
        ])
    }

    /// How to check a bundle with stock tools alone.
    static let verifyText = """
        Verifying this Assay audit bundle with tar, openssl and sha256sum alone
        ========================================================================

        You need the signer's public key (PUB.pem, an Ed25519 key in SPKI PEM form) and
        OpenSSL 3. Replace BUNDLE.tar.gz with this bundle's file name.

        1. Unpack it into a new directory:

             mkdir bundle && tar -xzf BUNDLE.tar.gz -C bundle && cd bundle

        2. Check the manifest's signature (prints "Signature Verified Successfully"):

             openssl pkeyutl -verify -pubin -inkey PUB.pem -rawin -in manifest.json -sigfile manifest.json.sig

        3. Check that SHA256SUMS is the one the signed manifest lists (prints "ok"):

             grep -q "\\"path\\":\\"SHA256SUMS\\",\\"sha256\\":\\"$(sha256sum SHA256SUMS | cut -d' ' -f1)\\"" manifest.json && echo ok

        4. Check every other file against it (every line must say OK):

             sha256sum -c SHA256SUMS

        5. Check that the bundle holds no other file (prints nothing):

             find . -type f ! -name manifest.json ! -name manifest.json.sig ! -name SHA256SUMS | sed 's|^\\./||' | sort | diff - <(cut -c67- SHA256SUMS | sort)

        The attestation (attestation.intoto.jsonl) is a DSSE envelope of an in-toto v1 Statement
        over the same files, signed with the same key; in-toto's tools verify it. `assay verify
        BUNDLE.tar.gz --pubkey PUB.pem` runs all of these checks at once.

        """
}
