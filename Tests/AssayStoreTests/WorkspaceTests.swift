import Foundation
import Testing
import AssayCrypto
@testable import AssayStore
import _AssayTestSupport

@Suite struct WorkspaceTests {
    let dir: TemporaryDirectory
    let ws: Workspace

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
    }

    func blobFiles() throws -> [String] {
        let sha = ws.root + "/artifacts/sha256"
        return try FileManager.default.contentsOfDirectory(atPath: sha).flatMap { fan in
            try FileManager.default.contentsOfDirectory(atPath: sha + "/" + fan).map { fan + $0 }
        }
    }

    @Test func sameFileTwiceIsOneIDAndOneBlob() throws {
        let f = try dir.write("d.csv", "a,b\n1,2\n")
        let first = try ws.add(fileAt: f, kind: "dataset")
        let second = try ws.add(fileAt: f, kind: "dataset")
        #expect(first.artifact.id == second.artifact.id)
        #expect(!first.deduplicated)
        #expect(second.deduplicated)
        #expect(try blobFiles().count == 1)
        #expect(try ws.runs(operation: "import").count == 2)
    }

    @Test func idIsTheSHA256OfTheBytes() throws {
        // Property over seeded pseudo-random contents of many lengths (including 0 and chunk edges).
        var state: UInt64 = 0x9E3779B97F4A7C15
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        for length in [0, 1, 55, 64, 1000, BlobStore.chunkSize - 1, BlobStore.chunkSize, BlobStore.chunkSize + 1] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: next()) }
            let f = try dir.write("blob-\(length)", bytes)
            let added = try ws.add(fileAt: f)
            let expected = "sha256:" + (try SHA256.hash(bytes)).hex
            #expect(added.artifact.id.rawValue == expected, "length \(length)")
            #expect(added.artifact.size == Int64(length))
            #expect(try ws.blobs.bytes(of: added.artifact.id) == bytes, "length \(length)")
            let mode = try FileManager.default.attributesOfItem(atPath: ws.blobs.path(for: added.artifact.id))[.posixPermissions] as? Int
            #expect(mode == 0o444, "blobs are read-only")
        }
    }

    @Test func tamperedBlobIsDetectedOnReadAndByFsck() throws {
        let f = try dir.write("d.txt", "hello\n")
        let id = try ws.add(fileAt: f).artifact.id
        let path = ws.blobs.path(for: id)
        chmod(path, 0o644)
        try Data("hellO\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try ws.blobs.bytes(of: id) }
        let report = try Workspace.fsck(root: ws.root)
        #expect(!report.isClean)
        #expect(report.problems.map(\.code) == ["blob_altered"])
        #expect(report.problems.first?.subject == id.rawValue)
    }

    @Test func missingBlobIsNamedByFsck() throws {
        let id = try ws.add(fileAt: try dir.write("d.txt", "x")).artifact.id
        try FileManager.default.removeItem(atPath: ws.blobs.path(for: id))
        let report = try Workspace.fsck(root: ws.root)
        #expect(report.problems.map(\.code) == ["blob_missing"])
        #expect(report.problems.first?.subject == id.rawValue)
    }

    @Test func fsckRepairRemovesOnlyOrphanTemporaryFiles() throws {
        _ = try ws.add(fileAt: try dir.write("d.txt", "x"))
        // A temporary file of a process that no longer exists (pid 2^22 + 1 is above pid_max).
        let orphan = ws.root + "/artifacts/tmp/partial-4194305-abc"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: orphan))
        // A complete blob without a row, as an interrupted run leaves: a note, not damage.
        let (unindexed, _) = try ws.blobs.put(bytes: Array("left over".utf8))
        var report = try Workspace.fsck(root: ws.root)
        #expect(report.problems.map(\.code) == ["orphan_temporary"])
        #expect(report.notes.map(\.subject) == [unindexed.rawValue])
        report = try Workspace.fsck(root: ws.root, repair: true)
        #expect(report.isClean)
        #expect(report.repaired == [orphan])
        #expect(!FileManager.default.fileExists(atPath: orphan))
        #expect(ws.blobs.contains(unindexed), "repair never removes blobs")
        #expect(try Workspace.fsck(root: ws.root).isClean)
    }

    @Test func recipeDigestIsGoldenAndOrderInsensitive() throws {
        // Value from scripts/fixtures/store_golden.py.
        let a = try ArtifactID("sha256:" + String(repeating: "0", count: 64))
        let b = try ArtifactID("sha256:" + String(repeating: "1", count: 64))
        let r1 = Recipe(operation: "sample", operationVersion: 1, parameters: ["rows": 50, "note": "é"],
                        seed: UInt64.max, inputs: [RunArtifact(role: "source", id: b), RunArtifact(role: "a", id: a)])
        let r2 = Recipe(operation: "sample", operationVersion: 1, parameters: ["note": "é", "rows": 50],
                        seed: UInt64.max, inputs: [RunArtifact(role: "a", id: a), RunArtifact(role: "source", id: b)])
        #expect(try r1.digest() == "sha256:9f50028ddb770db5a6782305b13d8cea6703148a00a96e55a27fa580eafd0ee5")
        #expect(try r1.digest() == r2.digest())
        var r3 = r1
        r3.seed = 1
        #expect(try r3.digest() != r1.digest())
        var r4 = r1
        r4.operationVersion = 2
        #expect(try r4.digest() != r1.digest())
        var r5 = r1
        r5.parameters = ["rows": 51, "note": "é"]
        #expect(try r5.digest() != r1.digest())
        var nan = r1
        nan.parameters = ["x": .double(.nan)]
        #expect(throws: (any Error).self) { _ = try nan.digest() }
    }

    @Test func runsRecordRecipeInputsOutputsEnvironment() throws {
        let src = try ws.add(fileAt: try dir.write("s.txt", "source")).artifact.id
        let recipe = Recipe(operation: "derive", operationVersion: 3, parameters: ["k": 2], seed: 42,
                            inputs: [RunArtifact(role: "source", id: src)])
        let run = try ws.beginRun(recipe)
        let out = try run.addOutput(bytes: Array("derived".utf8), role: "result", kind: "dataset")
        let info = try run.commit(names: ["dataset:derived": out])
        let back = try #require(try ws.run(info.id))
        #expect(back == info)
        #expect(back.recipeDigest == (try recipe.digest()))
        #expect(back.inputs == [RunArtifact(role: "source", id: src)])
        #expect(back.outputs == [RunArtifact(role: "result", id: out)])
        #expect(back.seed == 42)
        #expect(back.environment["tool_version"]?.stringValue == AssayVersion.current)
        #expect(try ws.lookupName("dataset:derived") == out)
        #expect(throws: StoreError.self) { try run.commit() }
    }

    @Test func failedRunIsRecordedWithoutOutputs() throws {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let recipe = Recipe(operation: "explode", operationVersion: 1)
        #expect(throws: Boom.self) {
            _ = try ws.record(recipe) { run in
                try run.addOutput(bytes: [1, 2, 3], role: "partial", kind: "blob")
                throw Boom()
            }
        }
        let runs = try ws.runs(operation: "explode")
        #expect(runs.count == 1)
        #expect(runs.first?.status == .failed)
        #expect(runs.first?.error == "boom")
        #expect(runs.first?.outputs.isEmpty == true)
    }

    @Test func runWithMissingInputIsRefused() throws {
        let ghost = try ArtifactID("sha256:" + String(repeating: "a", count: 64))
        #expect(throws: StoreError.self) {
            _ = try ws.beginRun(Recipe(operation: "x", operationVersion: 1, inputs: [RunArtifact(role: "in", id: ghost)]))
        }
    }

    @Test func referencesResolveByIDPrefixAndName() throws {
        // Both hash to ids starting with b84f (scripts/fixtures/store_golden.py).
        let a = try ws.add(fileAt: try dir.write("a", "content-92\n"), name: "dataset:a").artifact.id
        let b = try ws.add(fileAt: try dir.write("b", "content-171\n")).artifact.id
        #expect(a.hex.hasPrefix("b84f") && b.hex.hasPrefix("b84f"))
        #expect(try ws.resolve(a.rawValue) == .artifact(a))
        #expect(try ws.resolve(String(a.rawValue.prefix(14))) == .artifact(a))
        #expect(try ws.resolve(String(a.hex.prefix(8))) == .artifact(a))
        #expect(try ws.resolve("dataset:a") == .artifact(a))
        #expect(throws: StoreError.ambiguousReference("sha256:b84f", candidates: [a.rawValue, b.rawValue].sorted())) {
            _ = try ws.resolve("sha256:b84f")
        }
        #expect(throws: StoreError.unknownReference("dataset:nope")) { _ = try ws.resolve("dataset:nope") }
        #expect(throws: StoreError.unknownReference("sha256:" + String(repeating: "c", count: 64))) {
            _ = try ws.resolve("sha256:" + String(repeating: "c", count: 64))
        }
        let runs = try ws.runs()
        #expect(runs.count == 2)
        #expect(try ws.resolve(runs[0].id.rawValue) == .run(runs[0].id))
        // Run ids start with a 48-bit millisecond time: two runs recorded now share 4 hex digits.
        #expect(throws: StoreError.self) { _ = try ws.resolve(String(runs[0].id.rawValue.prefix(4))) }
        #expect(throws: StoreError.wrongKind(reference: runs[0].id.rawValue, expected: "artifact", actual: "run")) {
            _ = try ws.resolveArtifact(runs[0].id.rawValue)
        }
    }

    @Test(arguments: ["", " x", "sha256:abc", "-x", "a b", "tab\there", "abc123", "dead-beef", String(repeating: "x", count: 201)])
    func invalidNamesAreRefused(name: String) throws {
        let id = try ws.add(fileAt: try dir.write("n", "n")).artifact.id
        #expect(throws: StoreError.self) { try ws.setName(name, to: id) }
    }

    @Test func namesMoveAndKeepHistory() throws {
        let a = try ws.add(fileAt: try dir.write("a", "A")).artifact.id
        let b = try ws.add(fileAt: try dir.write("b", "B")).artifact.id
        try ws.setName("model:m@v1", to: a)
        try ws.setName("model:m@v1", to: b)
        #expect(try ws.lookupName("model:m@v1") == b)
        #expect(try ws.artifact(a)?.names == [])
        #expect(try ws.artifact(b)?.names == ["model:m@v1"])
        let history = try ws.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM name_history") }
        #expect(history == 2)
    }

    @Test func workspaceIsFoundLikeGitFindsARepository() throws {
        let nested = ws.root + "/a/b/c"
        try FileManager.default.createDirectory(atPath: nested, withIntermediateDirectories: true)
        #expect(try Workspace.locate(explicit: nil, environment: [:], currentDirectory: nested).root == ws.root)
        #expect(try Workspace.locate(explicit: nil, environment: ["ASSAY_WORKSPACE": ws.root], currentDirectory: "/").root == ws.root)
        #expect(try Workspace.locate(explicit: ws.root, environment: [:], currentDirectory: "/").root == ws.root)
        #expect(throws: StoreError.notAWorkspace(searchedFrom: dir.path)) {
            _ = try Workspace.locate(explicit: nil, environment: [:], currentDirectory: dir.path)
        }
        #expect(throws: StoreError.workspaceExists(path: ws.root)) { _ = try Workspace.initialize(at: ws.root) }
    }

    @Test func corruptDatabaseIsAClearError() throws {
        let other = try TemporaryDirectory()
        let root = other.file("ws")
        _ = try Workspace.initialize(at: root)
        let db = root + "/lineage/lineage.sqlite"
        try? FileManager.default.removeItem(atPath: db + "-wal")
        try? FileManager.default.removeItem(atPath: db + "-shm")
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: db))
        let error = #expect(throws: StoreError.self) { _ = try Workspace.open(at: root) }
        guard case .corruptDatabase(let path, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == db)
        #expect(error?.category == .usage)
        let report = try Workspace.fsck(root: root)
        #expect(report.problems.map(\.code) == ["database_unreadable"])
    }
}
