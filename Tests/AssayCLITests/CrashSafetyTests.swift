import Foundation
import Testing
import _AssayTestSupport

/// Kills `assay` at random moments and checks that nothing partial ever becomes visible.
@Suite(.serialized) struct CrashSafetyTests {
    /// A deterministic xorshift for kill delays and file sizes, so a failure can be replayed.
    struct Xorshift {
        var state: UInt64
        mutating func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
    }

    @Test func sigkillAtRandomMomentsNeverLeavesPartialState() throws {
        let dir = try TemporaryDirectory()
        let ws = dir.file("ws")
        #expect(try AssayBinary.run(["init", ws]).status == 0)
        // Files of a few MiB, so that kills land during hashing, copying, fsync and commit.
        var rng = Xorshift(state: 0xA55A_1234_5678_9ABC)
        var files: [String] = []
        for i in 0..<6 {
            let size = (4 << 20) + Int(rng.next() % UInt64(8 << 20))
            var bytes = [UInt8](repeating: 0, count: size)
            for j in stride(from: 0, to: size, by: 4096) { bytes[j] = UInt8(truncatingIfNeeded: rng.next()) }
            bytes[0] = UInt8(i)
            files.append(try dir.write("f\(i).bin", bytes))
        }
        let csv = try dir.write("d.csv", "x,y\n" + (0..<2000).map { "\($0),\($0 * 7 % 13)" }.joined(separator: "\n") + "\n")
        #expect(try AssayBinary.run(["add", csv, "--name", "dataset:d"], in: ws).status == 0)

        var killed = 0, completed = 0
        var attempt = 0
        // Keep going until at least 55 runs were killed mid-way (delays are random, so some
        // finish before the kill); bounded so a fast machine cannot loop forever.
        // Also keep going until a kill has left a partial temporary behind (a kill during a blob
        // write): on a loaded machine process start-up stretches and fewer kills land there.
        var sawPartial = false
        while (killed < 55 || !sawPartial) && attempt < 400 {
            defer { attempt += 1 }
            let args: [String]
            if attempt % 3 == 2 {
                args = ["sample", "dataset:d", "--rows", "500", "--seed", "\(attempt)", "--name", "dataset:s\(attempt % 4)"]
            } else {
                args = ["add", files[attempt % files.count], "--kind", "blob", "--name", "blob:f\(attempt % 5)"]
            }
            let handle = try ChildProcess.spawn(AssayBinary.path, args + ["--workspace", ws])
            let delayMicros = UInt32(rng.next() % 40_000)
            usleep(delayMicros)
            handle.kill(SIGKILL)
            let result = handle.wait()
            if result.signal == SIGKILL { killed += 1 } else { completed += 1; #expect(result.status == 0, "\(args): \(result.stderr)") }
            if !sawPartial, let temporaries = try? FileManager.default.contentsOfDirectory(atPath: ws + "/artifacts/tmp") {
                sawPartial = temporaries.contains { $0.hasPrefix("partial-") }
            }

            // After every kill: every visible artifact is complete and hashes to its id.
            let ls = try AssayBinary.run(["ls", "--json", "--workspace", ws])
            #expect(ls.status == 0, "attempt \(attempt): \(ls.stderr)")
            let list = try JSONSerialization.jsonObject(with: Data(ls.stdout.utf8)) as? [[String: Any]] ?? []
            for entry in list {
                let id = entry["id"] as? String ?? ""
                let blob = ws + "/artifacts/sha256/" + id.dropFirst(7).prefix(2) + "/" + id.dropFirst(9)
                let size = (try? FileManager.default.attributesOfItem(atPath: blob)[.size] as? Int) ?? -1
                #expect(size == entry["size"] as? Int, "attempt \(attempt) (delay \(delayMicros) µs): \(id) is partial or missing")
            }
        }
        #expect(killed >= 50, "killed \(killed) of \(attempt) (completed \(completed)); need at least 50 kills mid-run")

        // fsck: any damage must be repairable (orphan temporaries only), and clean afterwards.
        let before = try AssayBinary.run(["fsck", "--json", "--workspace", ws])
        let report = try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [String: Any]
        let problems = report?["problems"] as? [[String: Any]] ?? []
        #expect(!problems.isEmpty, "no kill landed while a blob was being written; the test did not exercise that window")
        for problem in problems {
            #expect(problem["code"] as? String == "orphan_temporary", "unexpected damage: \(problem)")
        }
        let repair = try AssayBinary.run(["fsck", "--repair", "--workspace", ws])
        #expect(repair.status == 0, "\(repair.stdout)\(repair.stderr)")
        let after = try AssayBinary.run(["fsck", "--workspace", ws])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(after.stdout.contains("clean"))
    }
}
