import Foundation
import Testing
import _AssayTestSupport

/// Several processes recording into one workspace at once.
@Suite(.serialized) struct ConcurrencyTests {
    @Test func fourProcessesRecordingConcurrently() throws {
        let dir = try TemporaryDirectory()
        let ws = dir.file("ws")
        #expect(try AssayBinary.run(["init", ws]).status == 0)
        let csv = try dir.write("d.csv", "v\n" + (0..<500).map(String.init).joined(separator: "\n") + "\n")
        #expect(try AssayBinary.run(["add", csv, "--name", "dataset:d", "--workspace", ws]).status == 0)

        // Each worker is a shell loop of `assay add` and `assay sample` for about 4 seconds.
        let script = """
            set -u
            ws="$1"; worker="$2"; bin="$3"; tmp="$4"
            end=$(( $(date +%s) + 4 )); i=0
            while [ "$(date +%s)" -lt "$end" ]; do
              f="$tmp/w$worker-$i.txt"; printf 'worker %s item %s\\n' "$worker" "$i" > "$f"
              "$bin" add "$f" --workspace "$ws" --name "blob:w$worker-$i" >/dev/null || { echo "add failed $worker $i" >&2; exit 1; }
              "$bin" sample dataset:d --rows 10 --seed "$worker$i" --workspace "$ws" >/dev/null || { echo "sample failed $worker $i" >&2; exit 1; }
              echo "$i" > "$tmp/count-$worker"; i=$((i+1))
            done
            """
        let scriptPath = try dir.write("worker.sh", script)
        let workers = try (0..<4).map { w in
            try ChildProcess.spawn("/bin/bash", [scriptPath, ws, "\(w)", AssayBinary.path, dir.path])
        }
        let results = workers.map { $0.wait() }
        for (w, r) in results.enumerated() {
            #expect(r.status == 0, "worker \(w): \(r.stderr)")
            #expect(!r.stderr.contains("locked"), "worker \(w): \(r.stderr)")
        }
        var expectedAdds = 0
        for w in 0..<4 {
            let n = Int((try? String(contentsOfFile: dir.file("count-\(w)"), encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            #expect(n >= 1, "worker \(w) made progress")
            expectedAdds += n + 1
            for i in 0...max(n, 0) {
                let cat = try AssayBinary.run(["cat", "blob:w\(w)-\(i)", "--workspace", ws])
                #expect(cat.stdout == "worker \(w) item \(i)\n", "blob:w\(w)-\(i): \(cat.stderr)")
            }
        }
        let log = try AssayBinary.run(["log", "--json", "--workspace", ws])
        let runs = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(runs.filter { $0["operation"] as? String == "import" }.count == expectedAdds + 1)
        #expect(runs.filter { $0["operation"] as? String == "sample" }.count == expectedAdds)
        #expect(try AssayBinary.run(["fsck", "--workspace", ws]).status == 0)
    }
}
