import Foundation
import Testing
import _AssayTestSupport

/// `assay capture import` through the binary: JSON summary, exit codes, messages, help, and
/// bounded memory on a file whose sorts spill.
@Suite struct CaptureCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    var fixtures: String { AssayBinary.packageRoot + "/Tests/AssayPipelineTests/Fixtures/captures" }

    @Test func importSeldonWithJSONSummaryAndName() throws {
        let r = try assay(["capture", "import", fixtures + "/seldon-binary.log", "--format", "seldon", "--name", "capture:iris", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r)
        #expect(doc["events"] as? Int == 3)
        #expect(doc["requests_without_response"] as? Int == 1)
        #expect(doc["responses_without_request"] as? Int == 1)
        #expect(doc["duplicate_requests"] as? Int == 0)
        #expect(doc["quarantined"] as? Int == 0)
        #expect((doc["run"] as? String)?.isEmpty == false)
        let capture = try #require(doc["capture"] as? String)
        let show = try assay(["show", "capture:iris"])
        #expect(show.stdout.contains(String(capture.prefix(19))), "\(show.stdout)")
        // Same file again: same capture bytes, a second run.
        let again = try json(try assay(["capture", "import", fixtures + "/seldon-binary.log", "--format", "seldon", "--json"]))
        #expect(again["capture"] as? String == capture)
        #expect(again["run"] as? String != doc["run"] as? String)
        #expect(try assay(["fsck"]).status == 0)
    }

    @Test func badInputExitsTwoNamingTheLine() throws {
        let bad = try dir.write("bad.jsonl", "{\"x\":1}\n{oops\n")
        let r = try assay(["capture", "import", bad, "--format", "jsonl"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("bad.jsonl: line 2: not valid JSON"), "\(r.stderr)")
        let skipped = try assay(["capture", "import", bad, "--format", "jsonl", "--on-error", "skip", "--json"])
        #expect(skipped.status == 0, "\(skipped.stderr)")
        let doc = try json(skipped)
        #expect(doc["quarantined"] as? Int == 1 && doc["events"] as? Int == 1)
        #expect((doc["quarantine"] as? String)?.hasPrefix("sha256:") == true)
        let unknown = try assay(["capture", "import", bad, "--format", "parquet", "--json"])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("unknown capture format parquet"))
        let empty = try assay(["capture", "import", try dir.write("e.csv", ""), "--format", "csv"])
        #expect(empty.status == 2 && empty.stderr.contains("empty"))
        let missing = try assay(["capture", "import", dir.file("nope.csv"), "--format", "csv"])
        #expect(missing.status == 2)
    }

    @Test func helpHasExamples() throws {
        let r = try AssayBinary.run(["capture", "import", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("assay capture import requests.log --format seldon"))
        #expect(r.stdout.contains("--on-error"))
    }

    /// A capture whose two sorts spill dozens of runs: same bytes as in memory, bounded peak
    /// RSS (measured by GNU time, as LargeFileTests does), no temporary files left.
    @Test func spilledSortInBoundedMemory() throws {
        var text = ""
        var x: UInt64 = 7
        for i in 0..<12_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            text += #"{"request_id":"r\#(i)","timestamp":\#(1714564800 + Int(x >> 50)),"a":\#(Double(x >> 11) / 9007199254740992.0),"b":\#(i % 7)}"# + "\n"
        }
        let file = try dir.write("big.jsonl", text)
        let timeOutput = dir.file("time.txt")
        let r = try ChildProcess.run("/usr/bin/time", ["-f", "%M", "-o", timeOutput, AssayBinary.path, "capture", "import", file, "--format", "jsonl", "--json", "--workspace", ws],
                                     environment: ProcessInfo.processInfo.environment.merging(["ASSAY_CAPTURE_SORT_BUDGET": "65536"]) { $1 })
        #expect(r.status == 0, "\(r.stderr)")
        let peakKiB = Int(try String(contentsOfFile: timeOutput, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? .max
        #expect(peakKiB < 96 * 1024, "peak RSS \(peakKiB) KiB")
        let spilled = try json(r)
        #expect(spilled["events"] as? Int == 12_000)
        let inMemory = try json(try assay(["capture", "import", file, "--format", "jsonl", "--json"]))
        #expect(inMemory["capture"] as? String == spilled["capture"] as? String)
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws + "/artifacts/tmp").isEmpty)
    }
}
