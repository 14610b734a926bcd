import AssayCrypto
import AssayStore
import Foundation
import Testing
import _AssayTestSupport

@_spi(Testing) import AssayBundle

/// Signed audit bundles in-process: a fresh bundle verifies; the same subject and key give the
/// same bytes; a changed byte anywhere, a wrong key, a re-packed or extended archive and hostile
/// entries all fail, each with its reason.
@Suite struct AuditBundleTests {
    let dir: TemporaryDirectory
    let ws: Workspace
    let key: Ed25519PrivateKey
    let subject: AuditBundle.Subject

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
        let data = try dir.write("data.csv", "a,b\n" + (0..<500).map { "\($0),\($0 * 7 % 13)" }.joined(separator: "\n") + "\n")
        let added = try ws.add(fileAt: data, kind: "dataset", name: "dataset:d")
        key = try Ed25519PrivateKey.generate()
        subject = try AuditBundle.subject(added.run.rawValue, in: ws)
    }

    func export(_ name: String, data: Bool = true) throws -> String {
        let path = dir.file(name)
        _ = try AuditBundle.export(subject, in: ws, key: key, to: path, includeData: data)
        return path
    }

    @Test func freshBundleVerifiesAndExportsAreByteIdentical() throws {
        let a = try export("a.tar.gz"), b = try export("b.tar.gz")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: a)))
        #expect(bytes == (try [UInt8](Data(contentsOf: URL(fileURLWithPath: b)))))
        let v = AuditBundle.verify(bundle: a, key: try key.publicKey())
        #expect(v.valid, "\(v.problems)")
        #expect(v.subject?["type"]?.stringValue == "run")
        #expect(v.subject?["run"]?.stringValue == subject.run.id.rawValue)
        let names = try TarArchive.list(bytes: bytes).map(\.path)
        for required in ["manifest.json", "manifest.json.sig", "attestation.intoto.jsonl", "SHA256SUMS", "VERIFY.txt",
                         "lineage/lineage.json", "lineage/prov.json", "artifacts/index.json"] {
            #expect(names.contains(required), "\(required)")
        }
        #expect(names.contains { $0.hasPrefix("artifacts/sha256/") })
        #expect(names == names.sorted())

        let noData = try export("c.tar.gz", data: false)
        #expect(AuditBundle.verify(bundle: noData, key: try key.publicKey()).valid)
        #expect(!(try TarArchive.list(contentsOf: noData).contains { $0.path.hasPrefix("artifacts/sha256/") }))
    }

    @Test func everyFlippedByteFails() throws {
        let path = try export("a.tar.gz")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let publicKey = try key.publicKey()
        // 200 positions spread over the file: the gzip header and trailer, and pseudo-random ones.
        var positions = Array(0..<10) + Array((original.count - 8)..<original.count)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        while positions.count < 200 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            positions.append(Int(x % UInt64(original.count)))
        }
        let flipped = dir.file("flipped.tar.gz")
        for p in positions {
            var bytes = original
            bytes[p] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: flipped))
            let v = AuditBundle.verify(bundle: flipped, key: publicKey)
            #expect(!v.valid, "flipping byte \(p) of \(original.count) went unnoticed")
        }
    }

    /// Every single byte of a small bundle, flipped: none goes unnoticed, including bits a deflate
    /// decoder ignores (the first member's compressed bytes are pinned by the signed manifest, the
    /// last member is rebuilt exactly).
    @Test func noFlipAnywhereGoesUnnoticed() throws {
        let path = try export("all.tar.gz")
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let publicKey = try key.publicKey()
        let flipped = dir.file("flipped-all.tar.gz")
        var missed: [Int] = []
        for p in stride(from: 0, to: original.count, by: max(1, original.count / 3000)) {
            var bytes = original
            bytes[p] ^= 0x40
            try Data(bytes).write(to: URL(fileURLWithPath: flipped))
            if AuditBundle.verify(bundle: flipped, key: publicKey).valid { missed.append(p) }
        }
        #expect(missed.isEmpty, "unnoticed flips at \(missed.prefix(10)) of \(original.count) bytes")
    }

    @Test func wrongKeyFails() throws {
        let path = try export("a.tar.gz")
        let other = try Ed25519PrivateKey.generate().publicKey()
        let v = AuditBundle.verify(bundle: path, key: other)
        #expect(!v.valid)
        #expect(v.problems.contains { $0.contains("manifest.json.sig") })
        #expect(v.problems.contains { $0.contains("attestation.intoto.jsonl") })
    }

    /// The bundle's entries re-packed with a change, by Assay's own writer (so the framing is
    /// canonical): only the signed digests can catch these.
    func repacked(_ change: (inout [TarArchive.Entry]) -> Void) throws -> AuditBundle.Verification {
        var entries = try TarArchive.read(contentsOf: try export("a-\(UUID().uuidString).tar.gz"))
        change(&entries)
        let path = dir.file("repacked-\(UUID().uuidString).tar.gz")
        try TarArchive.write(entries, modificationTime: 0, to: path)
        return AuditBundle.verify(bundle: path, key: try key.publicKey())
    }

    @Test func changedMissingAndExtraFilesAreNamed() throws {
        let changed = try repacked { entries in
            let i = entries.firstIndex { $0.path == "lineage/lineage.json" }!
            entries[i] = .init(path: "lineage/lineage.json", bytes: Array(#"{"nodes":[]}"#.utf8))
        }
        #expect(changed.problems.contains { $0.hasPrefix("lineage/lineage.json:") }, "\(changed.problems)")
        let missing = try repacked { $0.removeAll { $0.path == "VERIFY.txt" } }
        #expect(missing.problems.contains { $0.contains("VERIFY.txt: listed in the manifest but missing") }, "\(missing.problems)")
        let extra = try repacked { $0.append(.init(path: "results/extra.json", bytes: Array("{}".utf8))) }
        #expect(extra.problems.contains { $0.contains("results/extra.json: in the archive but not in the manifest") }, "\(extra.problems)")
        let unsigned = try repacked { $0.removeAll { $0.path == "manifest.json.sig" } }
        #expect(unsigned.problems.contains("manifest.json.sig is missing"))
    }

    @Test(arguments: [
        ("absolute path", "/etc/evil", ArchiveError.Reason.absolutePath),
        ("parent component", "lineage/../../evil", .parentDirectoryComponent),
        ("duplicate", "VERIFY.txt", .duplicatePath),
    ])
    func hostileEntriesAreRefusedWithTheirReason(_ name: String, _ path: String, _ reason: ArchiveError.Reason) throws {
        let good = try TarArchive.read(contentsOf: try export("a.tar.gz"))
        let writer = try TarWriter(destination: .memory)
        for e in good + [.init(path: path, bytes: Array("x".utf8))] {
            guard let bytes = e.bytes else { continue }
            let header = TarWriter.Header(path: e.path, kind: .file, size: Int64(bytes.count), modificationTime: 0)
            try writer.write(header)
            try bytes.withUnsafeBytes { try writer.writeData($0, entry: e.path) }
        }
        let crafted = dir.file("hostile.tar.gz")
        try Data(try writer.finish()).write(to: URL(fileURLWithPath: crafted))
        let v = AuditBundle.verify(bundle: crafted, key: try key.publicKey())
        #expect(!v.valid, "\(name)")
        #expect(v.problems.first?.contains("the archive is refused") == true, "\(name): \(v.problems)")
        #expect(v.problems.first?.contains(String(reflecting: path)) == true, "\(name) \(reason): \(v.problems)")
    }

    @Test func symlinkAndDecompressionBombAreRefused() throws {
        let writer = try TarWriter(destination: .memory)
        try writer.write(TarWriter.Header(path: "manifest.json", kind: .symbolicLink(target: "/etc/passwd"), modificationTime: 0))
        let link = dir.file("link.tar.gz")
        try Data(try writer.finish()).write(to: URL(fileURLWithPath: link))
        #expect(AuditBundle.verify(bundle: link, key: try key.publicKey()).problems.first?.contains("symbolic link") == true)

        let bomb = dir.file("bomb.tar.gz")
        try TarArchive.write([.init(path: "zeros", bytes: [UInt8](repeating: 0, count: 4 << 20))], modificationTime: 0, to: bomb)
        let v = AuditBundle.verify(bundle: bomb, key: try key.publicKey(), limits: .init(maxEntrySize: 1 << 20, maxTotalSize: 2 << 20))
        #expect(v.problems.first?.contains("the archive is refused") == true, "\(v.problems)")
    }

    @Test func crcAndDSSEEncodingsMatchTheirSpecifications() throws {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        // Long enough for the eight-bytes-per-step path, with a tail (zlib.crc32 gives the value).
        #expect(CRC32.checksum([UInt8](repeating: 0xA5, count: 1000) + (0..<768).map { UInt8($0 % 256) }) == 0xaa069a9a)
        #expect(DSSE.preAuthenticationEncoding(payloadType: "http://example.com/HelloWorld", payload: Array("hello world".utf8))
                == Array("DSSEv1 29 http://example.com/HelloWorld 11 hello world".utf8))
    }
}
