import Foundation
import Testing
import _AssayTestSupport

/// The walkthrough notebook (`notebooks/digits-drift-walkthrough.ipynb`) executed end to end with
/// `jupyter nbconvert --execute`, so it never drifts away from the command line it shows. The
/// Python environment (nbconvert, an IPython kernel, matplotlib, numpy) lives outside git
/// (`scripts/notebooks/setup-venv.sh`; set `ASSAY_NOTEBOOK_VENV` to reuse one). The notebook runs
/// in a temporary directory with the `assay` under test first on PATH, reads its data from the
/// repository through `ASSAY_REPO`, and keeps its workspace in the temporary directory.
@Suite(.serialized) struct NotebookTests {
    /// Everything the notebook's cells printed, in order.
    static func printed(_ notebookPath: String) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: notebookPath))
        let notebook = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cells = try #require(notebook["cells"] as? [[String: Any]])
        func text(_ value: Any?) -> String {
            if let s = value as? String { return s }
            return (value as? [String])?.joined() ?? ""
        }
        var out = ""
        for cell in cells where cell["cell_type"] as? String == "code" {
            for output in cell["outputs"] as? [[String: Any]] ?? [] {
                if output["output_type"] as? String == "stream" {
                    out += text(output["text"])
                } else if let data = output["data"] as? [String: Any] {
                    out += text(data["text/plain"]) + "\n"
                }
            }
        }
        return out
    }

    @Test func digitsDriftWalkthroughExecutes() throws {
        let dir = try TemporaryDirectory(prefix: "assay-notebook")
        let environment = ProcessInfo.processInfo.environment
        let venv = environment["ASSAY_NOTEBOOK_VENV"] ?? (NSTemporaryDirectory() + "assay-notebook-venv")
        let setup = try ChildProcess.run("/bin/bash", [AssayBinary.packageRoot + "/scripts/notebooks/setup-venv.sh", venv])
        try #require(setup.status == 0, "venv setup failed: \(setup.stderr)")
        let python = setup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let name = "digits-drift-walkthrough.ipynb"
        try FileManager.default.copyItem(atPath: AssayBinary.packageRoot + "/notebooks/" + name, toPath: dir.file(name))
        var env = environment
        env.removeValue(forKey: "ASSAY_WORKSPACE")
        let binaries = (AssayBinary.path as NSString).deletingLastPathComponent
        env["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        env["ASSAY_REPO"] = AssayBinary.packageRoot
        env["ASSAY_WALKTHROUGH_DIR"] = dir.file("ws")
        let started = Date()
        let run = try ChildProcess.run(python, ["-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                                                "--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb", name],
                                       environment: env, currentDirectory: dir.path)
        try #require(run.status == 0, "nbconvert failed (\(run.status)): \(run.stderr.suffix(4000))")
        print("walkthrough notebook executed in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        let printed = try Self.printed(dir.file("executed.ipynb"))
        #expect(printed.contains("reproduced bit-for-bit"), "\(printed.suffix(3000))")
        #expect(printed.contains("exit code: 0"))

        // The summary table: `capture:NAME  windows  alerts  accuracy`, one line per replay.
        var rows: [String: (windows: Int, alerts: Int)] = [:]
        for line in printed.split(separator: "\n") where line.hasPrefix("capture:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 4, let windows = Int(fields[1]), let alerts = Int(fields[2]), Double(fields[3]) != nil else { continue }
            rows[String(fields[0].dropFirst("capture:".count))] = (windows, alerts)
        }
        let normal = try #require(rows["normal"], "no summary row for capture:normal in \(printed.suffix(3000))")
        #expect(normal.windows == 5)
        #expect(normal.alerts == 0, "normal traffic raised \(normal.alerts) alerts")
        let corrupted = rows.filter { $0.key != "normal" }
        #expect(corrupted.count == 12, "\(rows.keys.sorted())")
        for kind in ["gaussian-noise", "motion-blur", "brightness", "pixelation"] {
            for severity in [1, 3, 5] {
                let row = corrupted["\(kind)-\(severity)"]
                #expect((row?.alerts ?? 0) > 0, "capture:\(kind)-\(severity) raised no alert")
            }
        }
        // The notebook's workspace stayed in the temporary directory.
        #expect(FileManager.default.fileExists(atPath: dir.file("ws/lineage/lineage.sqlite")))
    }
}
