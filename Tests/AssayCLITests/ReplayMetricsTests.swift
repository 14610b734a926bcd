import Foundation
import Testing
import _AssayTestSupport

/// Metrics servers in a replay: truth joined by request id (CSV and JSON lines, one-hot or
/// labels, arriving in any order), figures per window checked by hand, accuracy-drop alerts,
/// unknown request ids and labels reported, reproduction, and the Prometheus exposition checked
/// by promtool.
@Suite struct ReplayMetricsTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    /// The class predicted for event `i` (recorded outputs), three classes.
    func predicted(_ i: Int) -> Int { (i * 7) % 3 }

    /// 300 Seldon request/response pairs with recorded 3-class probabilities; windows of 100.
    func setUp() throws -> String {
        var lines: [String] = []
        for i in 0..<300 {
            var p = [0.1, 0.1, 0.1]
            p[predicted(i)] = 0.8
            let time = "2024-05-01T12:\(String(format: "%02d", i / 60)):\(String(format: "%02d", i % 60))Z"
            lines.append("{\"specversion\":\"1.0\",\"type\":\"io.seldon.serving.inference.request\",\"source\":\"s\",\"id\":\"q\(i)\",\"time\":\"\(time)\",\"requestid\":\"r\(i)\",\"modelid\":\"m\",\"data\":{\"data\":{\"ndarray\":[[\(i),1,2,3]]}}}")
            lines.append("{\"specversion\":\"1.0\",\"type\":\"io.seldon.serving.inference.response\",\"source\":\"s\",\"id\":\"s\(i)\",\"time\":\"\(time)\",\"requestid\":\"r\(i)\",\"modelid\":\"m\",\"data\":{\"data\":{\"ndarray\":[[\(p[0]),\(p[1]),\(p[2])]]}}}")
        }
        let events = try dir.write("seldon.jsonl", lines.joined(separator: "\n") + "\n")
        try require(try assay(["capture", "import", events, "--format", "seldon", "--name", "capture:traffic"]))
        return try dir.write("metrics.yaml", """
            version: 1
            model: recorded
            window: {size: 100}
            metrics:
              - name: quality
                type: multiclass
                alert_below: {accuracy: 0.9}
              - name: class-1
                type: binary
                positive: 1
              - name: labels
                type: kl
                reference: [1, 1, 1]
                alert_above: {kl: 0.5}
            """)
    }

    /// Truth: right for windows 0 and 1 except one label 7 (outside the classes) at event 150;
    /// wrong for 40 of the 100 events of window 2; r299 has no truth; one id unknown to the capture.
    func truth(_ i: Int) -> Int? {
        if i == 299 { return nil }
        if i == 150 { return 7 }
        if i >= 200 && i < 240 { return (predicted(i) + 1) % 3 }
        return predicted(i)
    }

    @Test func truthJoinsByRequestIDAndAccuracyDropsAlert() throws {
        let spec = try setUp()
        // Feedback arrives in another order than the traffic.
        let order = (0..<300).reversed()
        let csv = "request_id,truth\n" + order.compactMap { i in truth(i).map { "r\(i),\($0)" } }.joined(separator: "\n") + "\nghost-1,2\n"
        let truthFile = try dir.write("truth.csv", csv)
        let r = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--truth", truthFile, "--json"]))
        let alerts = try #require(r["alerts"] as? [[String: Any]])
        #expect(alerts.map { "\($0["component"]!)/\($0["window"]!)" } == ["quality/2"], "\(alerts)")
        // 59 right of the 99 events with truth (r299 has none). Foundation's JSON parser on Linux
        // is not correctly rounded, hence the 1e-12 tolerances on parsed figures.
        #expect(abs((alerts.first?["statistic"] as? Double ?? 0) - 59.0 / 99.0) < 1e-12)
        #expect(alerts.first?["threshold"] as? Double == 0.9)
        let t = try #require(r["truth"] as? [String: Any])
        #expect(t["entries"] as? Int == 300)
        #expect(t["matched"] as? Int == 299)
        #expect(t["unmatched"] as? Int == 1)
        #expect(t["unmatched_examples"] as? [String] == ["ghost-1"])

        // The window documents, checked against a direct computation.
        let run = r["run"] as! String
        let summary = try json(try assay(["cat", r["replay"] as! String]))
        let windowIDs = try #require(((summary["series"] as? [[String: Any]])?.first?["windows"]) as? [String])
        #expect(windowIDs.count == 3)
        for (w, id) in windowIDs.enumerated() {
            let doc = try json(try assay(["cat", id]))
            let components = try #require(doc["components"] as? [String: Any])
            let quality = try #require(components["quality"] as? [String: Any])
            let data = try #require(quality["data"] as? [String: Any])
            var confusion = [[Int]](repeating: [0, 0, 0], count: 3)
            var unknown = 0, missing = 0
            for i in (w * 100)..<(w * 100 + 100) {
                guard let t = truth(i) else { missing += 1; continue }
                guard t < 3 else { unknown += 1; continue }
                confusion[t][predicted(i)] += 1
            }
            let total = confusion.joined().reduce(0, +)
            let correct = (0..<3).reduce(0) { $0 + confusion[$1][$1] }
            #expect(data["confusion"] as? [[Int]] == confusion, "window \(w)")
            #expect(abs((data["accuracy"] as? Double ?? -1) - Double(correct) / Double(total)) < 1e-12, "window \(w)")
            #expect(quality["with_truth"] as? Int == total)
            #expect((quality["unknown_labels"] as? [String: Any])?["count"] as? Int == unknown)
            #expect((quality["without_truth"] as? [String: Any])?["count"] as? Int == missing)
            if w == 1 { #expect((quality["unknown_labels"] as? [String: Any])?["examples"] as? [String] == ["r150"]) }
            // Binary, class 1 against the rest.
            let binary = try #require((components["class-1"] as? [String: Any])?["data"] as? [String: Any])
            var tp = 0, fp = 0, fn = 0, tn = 0
            for i in (w * 100)..<(w * 100 + 100) {
                guard let t = truth(i), t == 0 || t == 1 else { continue }
                let p = predicted(i)
                switch (t == 1, p == 1) { case (true, true): tp += 1; case (false, true): fp += 1; case (true, false): fn += 1; case (false, false): tn += 1 }
            }
            #expect([binary["tp"], binary["fp"], binary["fn"], binary["tn"]].map { $0 as? Int } == [tp, fp, fn, tn], "window \(w): \(binary)")
            // KL of the predicted labels from uniform: the labels cycle, so near zero.
            let kl = try #require(((components["labels"] as? [String: Any])?["data"] as? [String: Any])?["kl"] as? Double)
            #expect(kl >= 0 && kl < 0.01)
        }

        // The alert reproduces bit for bit; JSON-lines one-hot truth gives the same documents.
        let alert = alerts[0]["id"] as! String
        let again = try assay(["reproduce", alert])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        var lines: [String] = []
        for i in 0..<300 {
            guard let t = truth(i) else { continue }
            if t < 3 {
                var hot = [0, 0, 0]
                hot[t] = 1
                lines.append("{\"request_id\": \"r\(i)\", \"truth\": {\"data\": {\"ndarray\": [\(hot)]}}}")
            } else {
                lines.append("{\"request_id\": \"r\(i)\", \"truth\": \(t)}")
            }
        }
        lines.append("{\"request_id\": \"ghost-1\", \"truth\": 2}")
        let jsonl = try dir.write("truth.jsonl", lines.joined(separator: "\n") + "\n")
        let r2 = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--truth", jsonl, "--json"]))
        let summary2 = try json(try assay(["cat", r2["replay"] as! String]))
        #expect((summary2["series"] as? [[String: Any]])?.first?["windows"] as? [String] == windowIDs)

        // Prometheus exposition, validated by promtool.
        let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }
        let file = dir.path + "/assay.prom"
        let m = try assay(["metrics", run, "--format", "prometheus", "-o", file])
        try require(m)
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.contains("assay_alerts_total{run=\"\(run)\",component=\"quality\"} 1"), "\(text)")
        #expect(text.contains("assay_classification_accuracy_ratio{run=\"\(run)\",component=\"quality\"} \(59.0 / 99.0)\n"), "\(text)")
        #expect(text.contains("assay_classification_true_positives_total{run=\"\(run)\",component=\"quality\",class=\"1\"}"))
        #expect(text.contains("assay_truth_unmatched_total{run=\"\(run)\"} 1"))
        #expect(text.contains("# TYPE assay_run_duration_seconds gauge"))
        let tool = try #require(promtool, "promtool is missing: install the Debian package prometheus (make test does)")
        let check = try ChildProcess.run(tool, ["check", "metrics"], stdin: text)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let asJSON = try json(try assay(["metrics", run, "--format", "json"]))
        #expect((asJSON["measurements"] as? [String: Any])?["format"] as? String == "assay.measurements.v1")
    }

    /// Regression figures read the first output column against numeric truth; checked against a
    /// direct computation, and an RMSE bound raises alerts.
    @Test func regressionAgainstNumericTruth() throws {
        _ = try setUp()
        let spec = try dir.write("regression.yaml", """
            version: 1
            model: recorded
            window: {size: 100}
            metrics:
              - {name: err, type: regression, alert_above: {rmse: 0.5}}
            """)
        // Truth 0.5 for every request; the first output is 0.8 where class 0 is predicted, else 0.1.
        let truth = try dir.write("values.csv", "request_id,truth\n" + (0..<300).map { "r\($0),0.5" }.joined(separator: "\n") + "\n")
        let r = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--truth", truth, "--json"]))
        let summary = try json(try assay(["cat", r["replay"] as! String]))
        let first = try #require(((summary["series"] as? [[String: Any]])?.first?["windows"] as? [String])?.first)
        let err = try #require((try json(try assay(["cat", first]))["components"] as? [String: Any])?["err"] as? [String: Any])
        let data = try #require(err["data"] as? [String: Any])
        let errors = (0..<100).map { (predicted($0) == 0 ? 0.8 : 0.1) - 0.5 }
        let rmse = (errors.map { $0 * $0 }.reduce(0, +) / 100).squareRoot()
        let mae = errors.map { abs($0) }.reduce(0, +) / 100
        #expect(abs((data["rmse"] as? Double ?? -1) - rmse) < 1e-12)
        #expect(abs((data["mae"] as? Double ?? -1) - mae) < 1e-12)
        #expect(data["r2"] as? Double == 0, "constant truth, imperfect fit: scikit-learn's force_finite gives 0")
        #expect(err["with_truth"] as? Int == 100)
        // rmse ≈ 0.36 < 0.5: no alert; a tighter bound alerts on every window.
        #expect((r["alerts"] as? [[String: Any]])?.isEmpty == true)
        let tight = try dir.write("tight.yaml", "version: 1\nmodel: recorded\nwindow: {size: 100}\nmetrics:\n  - {name: err, type: regression, alert_above: {rmse: 0.3}}\n")
        let t = try json(try assay(["replay", tight, "--capture", "capture:traffic", "--truth", truth, "--json"]))
        #expect((t["alerts"] as? [[String: Any]])?.compactMap { $0["window"] as? Int } == [0, 1, 2])
    }

    @Test func badTruthAndMissingTruthAreClearErrors() throws {
        let spec = try setUp()
        func fails(_ truthText: String?, _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            var args = ["replay", spec, "--capture", "capture:traffic"]
            if let truthText { args += ["--truth", try dir.write("bad-\(abs(truthText.hashValue)).txt", truthText)] }
            let r = try assay(args)
            #expect(r.status != 0, sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "\(r.stderr)", sourceLocation: sourceLocation)
        }
        try fails(nil, "needs the truth")
        try fails("", "empty")
        try fails("id,value\nr1,2\n", "no request_id and truth columns")
        try fails("request_id,truth\nr1,two\n", "line 2 (request r1): truth \"two\" is not a finite number")
        try fails("request_id,truth\nr1,NaN\n", "not a finite number")
        try fails("request_id,truth\nr1,1,3\n", "3 fields, the header has 2")
        try fails("{\"request_id\": \"r1\"}\n", "no truth")
        try fails("{\"truth\": 1}\n", "line 1: no request_id")
        try fails("{\"request_id\": \"r1\", \"truth\": [1, \"x\"]}\n", "non-number")
        try fails("{\"request_id\": \"r1\", \"truth\": 1\n", "not a JSON object")
        try fails(String(repeating: "\u{0}", count: 10), "NUL byte")
        // A metric bound on a figure the metric does not have.
        let wrong = try dir.write("wrong.yaml", "version: 1\nmodel: recorded\nwindow: {size: 100}\nmetrics:\n  - {name: q, type: regression, alert_below: {accuracy: 0.9}}\n")
        let w = try assay(["replay", wrong, "--capture", "capture:traffic"])
        #expect(w.stderr.contains("unknown key 'accuracy'"), "\(w.stderr)")
        let kl = try dir.write("kl.yaml", "version: 1\nmodel: recorded\nwindow: {size: 100}\nmetrics:\n  - {name: q, type: kl}\n")
        #expect(try assay(["replay", kl, "--capture", "capture:traffic"]).stderr.contains("needs 'reference'"))
        let dup = try dir.write("dup.yaml", "version: 1\nmodel: recorded\nwindow: {size: 100}\nmetrics:\n  - {name: q, type: kl, reference: [1]}\n  - {name: q, type: kl, reference: [1]}\n")
        #expect(try assay(["replay", dup, "--capture", "capture:traffic"]).stderr.contains("already taken"))
    }

    @Test func duplicateTruthKeepsTheLastAndASingleClassWindowWorks() throws {
        let spec = try setUp()
        // Every event labelled 0: windows hold a single true class; r0 is corrected twice.
        let csv = "request_id,truth\n" + (0..<300).map { "r\($0),0" }.joined(separator: "\n") + "\nr0,1\nr0,0\n"
        let r = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--truth", try dir.write("t.csv", csv), "--json"]))
        let t = try #require(r["truth"] as? [String: Any])
        #expect(t["duplicates"] as? Int == 2)
        #expect(t["entries"] as? Int == 302)
        let summary = try json(try assay(["cat", r["replay"] as! String]))
        let first = try #require(((summary["series"] as? [[String: Any]])?.first?["windows"] as? [String])?.first)
        let quality = try #require((try json(try assay(["cat", first]))["components"] as? [String: Any])?["quality"] as? [String: Any])
        let data = try #require(quality["data"] as? [String: Any])
        let perClass = try #require(data["per_class"] as? [[String: Any]])
        // Classes 1 and 2 never occur in the truth: recall 0 (no positives), precision 0.
        #expect(perClass[1]["recall"] as? Double == 0)
        #expect(perClass[0]["precision"] as? Double == 1)
        let expected = Double((0..<100).filter { predicted($0) == 0 }.count) / 100
        #expect(abs((data["accuracy"] as? Double ?? -1) - expected) < 1e-12)
    }
}
