import Foundation
import Testing
import _AssayTestSupport

/// Runs the `assay` binary and checks stdout, stderr, help texts and exit codes.
@Suite struct CLIBasicsTests {
    let dir: TemporaryDirectory
    let ws: String

    init() throws {
        dir = try TemporaryDirectory()
        ws = dir.file("ws")
        let r = try AssayBinary.run(["init", ws])
        #expect(r.status == 0, "\(r.stderr)")
    }

    func assay(_ args: [String], in cwd: String? = nil) throws -> ProcessResult {
        try AssayBinary.run(args, in: cwd ?? ws)
    }

    static let subcommands = ["init", "add", "cat", "show", "ls", "name", "log", "lineage", "fsck", "sample", "detector", "detect", "corrupt"]

    @Test func versionAndHelp() throws {
        let v = try assay(["--version"])
        #expect(v.status == 0)
        #expect(v.stdout.trimmingCharacters(in: .whitespacesAndNewlines).range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        let help = try assay(["--help"])
        #expect(help.status == 0)
        for sub in Self.subcommands { #expect(help.stdout.contains(sub), "root help lists \(sub)") }
        #expect(help.stdout.contains("Examples:"))
    }

    @Test(arguments: subcommands)
    func everySubcommandHelpShowsExamples(_ sub: String) throws {
        let r = try assay([sub, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Examples:"), "\(sub) --help")
        #expect(r.stdout.contains("assay \(sub)"), "\(sub) --help shows itself in an example")
    }

    @Test func addCatShowLsNameLogLineageRoundTrip() throws {
        let f = try dir.write("iris.csv", "a,b\n1,2\n3,4\n5,6\n")
        let add = try assay(["add", f, "--kind", "dataset", "--name", "dataset:iris", "--json"])
        #expect(add.status == 0, "\(add.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(add.stdout.utf8)) as? [String: Any]
        let artifact = doc?["artifact"] as? [String: Any]
        let id = try #require(artifact?["id"] as? String)
        #expect(artifact?["kind"] as? String == "dataset")
        #expect(try assay(["cat", "dataset:iris"]).stdout == "a,b\n1,2\n3,4\n5,6\n")
        #expect(try assay(["cat", String(id.prefix(12))]).stdout == "a,b\n1,2\n3,4\n5,6\n")
        let show = try assay(["show", "dataset:iris"])
        #expect(show.stdout.contains(id) && show.stdout.contains("dataset:iris"))
        #expect(try assay(["ls", "--kind", "dataset"]).stdout.contains("dataset:iris"))
        #expect(try assay(["ls", "--kind", "model"]).stdout.isEmpty)
        #expect(try assay(["name", "dataset:alias", "dataset:iris"]).status == 0)
        let sample = try assay(["sample", "dataset:alias", "--rows", "2", "--seed", "3", "--name", "dataset:s", "--json"])
        #expect(sample.status == 0, "\(sample.stderr)")
        let log = try assay(["log", "--json"])
        let runs = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.map { $0["operation"] as? String } == ["sample", "import"])
        let lineage = try assay(["lineage", "dataset:s", "--up"])
        #expect(lineage.status == 0)
        #expect(lineage.stdout.contains("sample v1") && lineage.stdout.contains("import v1") && lineage.stdout.contains(id))
        let dot = try assay(["lineage", "dataset:iris", "--down", "--format", "dot"])
        #expect(dot.stdout.hasPrefix("digraph lineage {"))
        #expect(try assay(["fsck"]).status == 0)
    }

    @Test func sampleIsDeterministicAcrossWorkspaces() throws {
        let f = try dir.write("d.csv", "x\n" + (0..<100).map { "\($0)" }.joined(separator: "\n") + "\n")
        var outputs: [String] = []
        for i in 0..<2 {
            let w = dir.file("w\(i)")
            #expect(try AssayBinary.run(["init", w]).status == 0)
            #expect(try AssayBinary.run(["add", f, "--name", "dataset:d"], in: w).status == 0)
            let r = try AssayBinary.run(["sample", "dataset:d", "--rows", "10", "--seed", "11", "--name", "dataset:s"], in: w)
            #expect(r.status == 0, "\(r.stderr)")
            outputs.append(try AssayBinary.run(["cat", "dataset:s"], in: w).stdout)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].split(separator: "\n").count == 11)
    }

    // MARK: Bad input: message and exit code

    @Test func missingFile() throws {
        let r = try assay(["add", dir.file("nope.csv")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nope.csv: no such file"))
    }

    @Test func directoryGivenAsFile() throws {
        let r = try assay(["add", dir.path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("is a directory"))
    }

    @Test func unreadableFile() throws {
        // As root, permissions do not stop reads; /proc/self/mem fails on read at offset 0 instead.
        let path: String
        if getuid() == 0 {
            path = "/proc/self/mem"
        } else {
            path = try dir.write("secret", "x")
            chmod(path, 0)
        }
        let r = try assay(["add", path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read") || r.stderr.contains("cannot"), "\(r.stderr)")
        #expect(try assay(["fsck"]).status == 0, "a failed add leaves the workspace clean")
    }

    @Test func notAWorkspace() throws {
        let r = try AssayBinary.run(["ls"], in: dir.path)
        #expect(r.status == 2)
        #expect(r.stderr.contains("not inside an Assay workspace"))
        #expect(r.stderr.contains("assay init"))
        let j = try AssayBinary.run(["ls", "--json"], in: dir.path)
        #expect(j.status == 2)
        let err = try JSONSerialization.jsonObject(with: Data(j.stderr.utf8)) as? [String: [String: String]]
        #expect(err?["error"]?["category"] == "usage")
        #expect(j.stdout.isEmpty)
    }

    @Test func corruptSQLiteFile() throws {
        let db = ws + "/lineage/lineage.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        try Data("this is not a database, just some text padded out".utf8 + [UInt8](repeating: 7, count: 4096)).write(to: URL(fileURLWithPath: db))
        let r = try assay(["ls"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("lineage.sqlite: the lineage database cannot be read"), "\(r.stderr)")
        let f = try assay(["fsck"])
        #expect(f.status == 1)
        #expect(f.stdout.contains("database_unreadable"))
    }

    @Test func tamperedBlobIsNamedByFsckAndCat() throws {
        let f = try dir.write("d.txt", "original\n")
        let add = try assay(["add", f, "--json"])
        let id = try #require((try JSONSerialization.jsonObject(with: Data(add.stdout.utf8)) as? [String: Any])
            .flatMap { ($0["artifact"] as? [String: Any])?["id"] as? String })
        let blob = ws + "/artifacts/sha256/" + id.dropFirst(7).prefix(2) + "/" + id.dropFirst(9)
        chmod(blob, 0o644)
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: blob))
        let fsck = try assay(["fsck"])
        #expect(fsck.status == 1)
        #expect(fsck.stdout.contains("blob_altered") && fsck.stdout.contains(id))
        let json = try assay(["fsck", "--json"])
        #expect(json.status == 1)
        let doc = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(doc?["clean"] as? Bool == false)
        let cat = try assay(["cat", id])
        #expect(cat.status == 1)
        #expect(cat.stderr.contains("altered"))
    }

    @Test func ambiguousPrefix() throws {
        // Both contents hash to ids starting with b84f (scripts/fixtures/store_golden.py).
        _ = try assay(["add", try dir.write("a", "content-92\n")])
        _ = try assay(["add", try dir.write("b", "content-171\n")])
        let r = try assay(["show", "b84f"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("ambiguous, matches 2 ids"))
        let one = try assay(["cat", "b84f3"])
        #expect(one.status == 0)
        #expect(one.stdout == "content-92\n")
    }

    @Test func unknownName() throws {
        let r = try assay(["cat", "dataset:missing"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("dataset:missing: no artifact, run or name matches"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try assay(["frobnicate"]).status == 2)
        #expect(try assay(["add"]).status == 2)
        #expect(try assay(["lineage", "x", "--up", "--down"]).status == 2)
        #expect(try assay(["log", "--limit", "0"]).status == 2)
        let r = try assay(["sample", "x", "--rows", "-3"])
        #expect(r.status == 2)
    }

    @Test func sampleOfMoreRowsThanTheDatasetHas() throws {
        _ = try assay(["add", try dir.write("d.csv", "a\n1\n2\n"), "--name", "dataset:d"])
        let r = try assay(["sample", "dataset:d", "--rows", "5"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("asked for 5 rows, the dataset has 2"))
        let log = try assay(["log", "--operation", "sample", "--json"])
        let runs = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.first?["status"] as? String == "failed", "the failure is recorded")
    }
}
