import Foundation
import Testing
import _AssayTestSupport

/// `assay replay`, `assay alerts` and `assay reproduce` through the binary: drift found where the
/// traffic shifts, alerts that point at their evidence, bit-for-bit reproduction, determinism
/// across processes and thread counts, tampering reported precisely, and bad input.
@Suite struct ReplayCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    /// Rows of four uniform features (iris-sized values); rows from `shiftFrom` on have the
    /// first feature shifted by 2.
    func rows(_ n: Int, seed: UInt64, shiftFrom: Int = .max) -> [[Double]] {
        var x = seed
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        return (0..<n).map { i in [4 + 3 * u() + (i >= shiftFrom ? 2 : 0), 2 + 2 * u(), 1 + 5 * u(), 2 * u()] }
    }

    func csv(_ rows: [[Double]], header: String = "a,b,c,d", prefix: (Int) -> String = { _ in "" }) -> String {
        header + "\n" + rows.enumerated().map { i, r in prefix(i) + r.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// A workspace with a KS detector, the iris model and a capture of 600 events (one per
    /// second) whose last 300 are shifted.
    func setUpReplay() throws -> String {
        let ref = try dir.write("ref.csv", csv(rows(300, seed: 1)))
        try require(try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:ks"]))
        let traffic = try dir.write("traffic.csv", csv(rows(600, seed: 2, shiftFrom: 300), header: "request_id,timestamp,a,b,c,d",
                                                       prefix: { "req-\($0),\(1_700_000_000 + $0)," }))
        try require(try assay(["capture", "import", traffic, "--format", "csv", "--name", "capture:traffic"]))
        try require(try assay(["model", "add", AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/sklearn/logreg_iris.onnx", "--name", "model:iris"]))
        return try dir.write("spec.yaml", """
            version: 1
            model: model:iris
            seed: 11
            window:
              size: 100
            detectors:
              - name: features
                detector: detector:ks
              - name: features-by-time
                detector: detector:ks
                window:
                  duration: 2m
                  mode: sliding
                  step: 1m
            """)
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    func replay(_ spec: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> [String: Any] {
        let r = try assay(["replay", spec, "--capture", "capture:traffic", "--json"] + extra, environment: environment)
        try require(r)
        return try json(r)
    }

    @Test func replayFindsTheShiftAndReproducesBitForBit() throws {
        let spec = try setUpReplay()
        let r = try replay(spec)
        #expect(r["events"] as? Int == 600)
        // 6 windows of 100 events; 11 two-minute windows every minute (aligned on the epoch).
        #expect(r["windows"] as? Int == 6 + 11)
        let alerts = try #require(r["alerts"] as? [[String: Any]])
        let countWindows = alerts.filter { $0["component"] as? String == "features" }.compactMap { $0["window"] as? Int }
        #expect(countWindows == [3, 4, 5], "\(alerts)")
        let timeWindows = alerts.filter { $0["component"] as? String == "features-by-time" }.compactMap { $0["window"] as? Int }
        #expect(!timeWindows.isEmpty && timeWindows.allSatisfy { $0 >= 4 }, "\(timeWindows)")

        let listed = try json(try assay(["alerts", "--replay", r["run"] as! String, "--json"]))["alerts"] as? [[String: Any]]
        #expect(listed?.count == alerts.count)
        let first = try #require(listed?.first { $0["component"] as? String == "features" && $0["window"] as? Int == 3 })
        #expect(first["first_event"] as? Int == 300)
        #expect(first["end_event"] as? Int == 400)
        #expect((first["p_value"] as? Double).map { $0 < 0.05 / 4 } == true)
        #expect(first["threshold"] as? Double == 0.05 / 4)
        let text = try assay(["alerts"])
        #expect(text.stdout.contains("features (drift.ks)"))

        // The evidence is the window's rows: the detector fires on it alone, as a matrix.
        let detect = try json(try assay(["detect", "detector:ks", "--input", first["evidence"] as! String, "--json"]))
        #expect(detect["is_drift"] as? Int == 1)

        let again = try assay(["reproduce", first["id"] as! String])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        #expect(again.stdout.hasPrefix("reproduced bit-for-bit"))
        #expect(again.stdout.contains(first["evidence"] as! String))
        let whole = try assay(["reproduce", r["run"] as! String, "--json"])
        #expect(whole.status == 0, "\(whole.stdout)\(whole.stderr)")
        #expect(try json(whole)["identical"] as? Bool == true)

        let lineage = try assay(["lineage", first["id"] as! String, "--up"])
        #expect(lineage.stdout.contains("replay"))
    }

    @Test func replayIsDeterministicAcrossProcessesAndThreads() throws {
        let spec = try setUpReplay()
        let a = try replay(spec)
        let b = try replay(spec, environment: ["ASSAY_THREADS": "1"])
        let c = try replay(spec, environment: ["ASSAY_THREADS": "4"])
        #expect(a["run"] as? String != b["run"] as? String)
        #expect(a["replay"] as? String == b["replay"] as? String)
        #expect(a["replay"] as? String == c["replay"] as? String)
        let ids = { (r: [String: Any]) in (r["alerts"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? [] }
        #expect(!ids(a).isEmpty)
        #expect(ids(a) == ids(b) && ids(a) == ids(c))
        // Another seed is another recipe; KS draws no randomness, so the windows agree.
        let d = try replay(spec, ["--seed", "12"])
        #expect(d["seed"] as? Int == 12)
        #expect(ids(d) != ids(a))
    }

    @Test func reproduceReportsATamperedEvidenceByteAndAnAlteredParameter() throws {
        let spec = try setUpReplay()
        let r = try replay(spec)
        let alert = try #require((r["alerts"] as? [[String: Any]])?.first { $0["component"] as? String == "features" })
        let listed = try json(try assay(["alerts", "--json"]))["alerts"] as? [[String: Any]]
        let evidence = try #require(listed?.first { $0["id"] as? String == alert["id"] as? String }?["evidence"] as? String)

        // A copy of the workspace: one byte of the evidence, one parameter of the replay run.
        let copy = dir.file("copy")
        try FileManager.default.copyItem(atPath: ws, toPath: copy)
        let hex = String(evidence.dropFirst("sha256:".count))
        let blob = copy + "/artifacts/sha256/" + hex.prefix(2) + "/" + hex.dropFirst(2)
        chmod(blob, 0o644)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: blob)))
        bytes[bytes.count - 3] ^= 0x01
        try Data(bytes).write(to: URL(fileURLWithPath: blob))
        let edit = try ChildProcess.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            n = db.execute("UPDATE run SET parameters = replace(parameters, '\\"size\\":100', '\\"size\\":120') WHERE id = ?", (sys.argv[2],)).rowcount
            db.commit()
            print(n)
            """, copy + "/lineage/lineage.sqlite", r["run"] as! String])
        try #require(edit.status == 0 && edit.stdout.hasPrefix("1"), "\(edit.stdout)\(edit.stderr)")

        let out = try AssayBinary.run(["reproduce", alert["id"] as! String, "--workspace", copy, "--json"])
        #expect(out.status == 1, "\(out.stdout)\(out.stderr)")
        let report = try json(out)
        #expect(report["identical"] as? Bool == false)
        let diffs = report["differences"] as? [[String: Any]] ?? []
        let tampered = diffs.first { $0["recorded"] as? String == evidence && ($0["detail"] as? String)?.contains("stored bytes were altered") == true }
        #expect(tampered != nil, "\(diffs)")
        let parameter = diffs.first { $0["kind"] as? String == "parameter" && $0["subject"] as? String == "spec.window.size" }
        #expect((parameter?["recorded"] as? String)?.hasPrefix("100") == true, "\(diffs)")
        #expect((parameter?["recomputed"] as? String)?.hasPrefix("120") == true)
        #expect(diffs.contains { $0["kind"] as? String == "lineage" }, "the recipe digest no longer matches")
        let text = try AssayBinary.run(["reproduce", alert["id"] as! String, "--workspace", copy])
        #expect(text.status == 1)
        #expect(text.stdout.hasPrefix("NOT reproduced"))
        #expect(text.stdout.contains("parameter: spec.window.size"))

        // The original workspace is untouched and still reproduces.
        #expect(try assay(["reproduce", alert["id"] as! String]).status == 0)
    }

    @Test func badSpecsAndCapturesAreClearErrors() throws {
        let spec = try setUpReplay()
        func fails(_ args: [String], _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try assay(args)
            #expect(r.status == 2, "\(args): \(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "\(args): \(r.stderr)", sourceLocation: sourceLocation)
        }
        let missing = try dir.write("missing.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: d, detector: detector:nope}\n")
        try fails(["replay", missing, "--capture", "capture:traffic"], "detectors.d.detector")
        try fails(["replay", spec, "--capture", "detector:ks"], "not a capture")
        try fails(["replay", dir.file("absent.yaml"), "--capture", "capture:traffic"], "absent.yaml")
        let typo = try dir.write("typo.yaml", "version: 1\nmodel: recorded\nwindow: {sise: 10}\n")
        try fails(["replay", typo, "--capture", "capture:traffic"], "line 3")
        let recorded = try dir.write("recorded.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: d, detector: detector:ks, input: outputs}\n")
        try fails(["replay", recorded, "--capture", "capture:traffic"], "has none")
        let chained = try dir.write("chained.yaml", "version: 1\nmodel: model:iris\nwindow: {size: 10}\ndetectors:\n  - {name: a, detector: detector:ks}\n  - {name: b, detector: detector:ks, input: a.output}\n")
        try fails(["replay", chained, "--capture", "capture:traffic"], "one result per window")

        // A capture whose rows change width, one with a NaN, one without timestamps.
        let mixed = try dir.write("mixed.jsonl", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}\n{\"a\":1,\"b\":2,\"c\":3}\n")
        try require(try assay(["capture", "import", mixed, "--format", "jsonl", "--name", "capture:mixed"]))
        let plain = try dir.write("plain.yaml", "version: 1\nmodel: model:iris\nwindow: {size: 10}\ndetectors:\n  - {name: d, detector: detector:ks}\n")
        try fails(["replay", plain, "--capture", "capture:mixed"], "mixed tensor shapes")
        let nan = try dir.write("nan.jsonl", "{\"a\":1,\"b\":2,\"c\":3,\"d\":4}\n{\"a\":null,\"b\":2,\"c\":3,\"d\":4}\n")
        try require(try assay(["capture", "import", nan, "--format", "jsonl", "--name", "capture:nan"]))
        try fails(["replay", plain, "--capture", "capture:nan"], "needs finite values")
        let byTime = try dir.write("time.yaml", "version: 1\nmodel: recorded\nwindow: {duration: 1m}\ndetectors:\n  - {name: d, detector: detector:ks}\n")
        try fails(["replay", byTime, "--capture", "capture:nan"], "line 2 (event 0): windows by time need a timestamp")

        try fails(["reproduce", "detector:ks"], "not an alert")
        let fitRun = try #require((try JSONSerialization.jsonObject(with: Data(try assay(["log", "--operation", "detector.fit", "--json"]).stdout.utf8)) as? [[String: Any]])?.first?["id"] as? String)
        try fails(["reproduce", fitRun], "reproduce rebuilds replay runs")
        try fails(["alerts", "--replay", fitRun], "not a replay run")
        #expect(try assay(["alerts"]).stdout.contains("no alerts"))
        #expect(try assay(["fsck"]).status == 0)
    }

    @Test func replayWithoutDetectorsAndWithRecordedOutputs() throws {
        _ = try setUpReplay()
        // Seldon events with recorded responses: `model: recorded`, drift on the outputs.
        var lines: [String] = []
        for i in 0..<40 {
            let p = i < 20 ? 0.85 + Double(i % 5) * 0.02 : 0.1 + Double(i % 5) * 0.02
            lines.append("{\"specversion\":\"1.0\",\"type\":\"io.seldon.serving.inference.request\",\"source\":\"s\",\"id\":\"q\(i)\",\"time\":\"2024-05-01T12:00:\(String(format: "%02d", i))Z\",\"requestid\":\"r\(i)\",\"modelid\":\"m\",\"data\":{\"data\":{\"ndarray\":[[\(i),1,2,3]]}}}")
            lines.append("{\"specversion\":\"1.0\",\"type\":\"io.seldon.serving.inference.response\",\"source\":\"s\",\"id\":\"s\(i)\",\"time\":\"2024-05-01T12:00:\(String(format: "%02d", i))Z\",\"requestid\":\"r\(i)\",\"modelid\":\"m\",\"data\":{\"data\":{\"ndarray\":[[\(p),\(1 - p)]]}}}")
        }
        let events = try dir.write("seldon.jsonl", lines.joined(separator: "\n") + "\n")
        try require(try assay(["capture", "import", events, "--format", "seldon", "--name", "capture:seldon"]))
        let ref = try dir.write("proba.csv", "p0,p1\n" + (0..<50).map { i in "\(0.85 + Double(i % 5) * 0.02),\(0.15 - Double(i % 5) * 0.02)" }.joined(separator: "\n") + "\n")
        try require(try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:proba"]))
        let spec = try dir.write("recorded.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: proba, detector: detector:proba, input: outputs}\n")
        let r = try json(try assay(["replay", spec, "--capture", "capture:seldon", "--json"]))
        #expect(r["model"] is NSNull)
        let windows = (r["alerts"] as? [[String: Any]])?.compactMap { $0["window"] as? Int }
        #expect(windows == [2, 3], "\(r)")
        let empty = try dir.write("empty.yaml", "version: 1\nmodel: recorded\nwindow: {size: 7}\n")
        let e = try assay(["replay", empty, "--capture", "capture:seldon"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("no detectors; 6 windows"))
    }
}
