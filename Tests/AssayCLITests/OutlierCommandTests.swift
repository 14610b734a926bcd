import Foundation
import Testing
import _AssayTestSupport

/// Outlier detectors through the binary: `assay detector fit mahalanobis|iforest|knn|ae|vae`,
/// `assay detect` with Alibi Detect's fields, outlier alerts in a replay with chaining on
/// instance scores, reproduction, byte-identical training, the seed's noise experiment, and bad
/// input.
@Suite struct OutlierCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    /// Gaussian-ish rows of four features (sum of uniforms); rows where `outlier(i)` have the
    /// first feature shifted by 8.
    func rows(_ n: Int, seed: UInt64, outlier: (Int) -> Bool = { _ in false }) -> [[Double]] {
        var x = seed
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        func g() -> Double { (0..<6).reduce(0) { s, _ in s + u() } - 3 }
        return (0..<n).map { i in [g() + (outlier(i) ? 8 : 0), g() * 0.5 + 1, g() * 2, g() + 0.3 * Double(i % 3)] }
    }

    func csv(_ rows: [[Double]], header: String = "a,b,c,d", prefix: (Int) -> String = { _ in "" }) -> String {
        header + "\n" + rows.enumerated().map { i, r in prefix(i) + r.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    @Test func everyKindFitsAndFlagsTheShiftedRows() throws {
        let ref = try dir.write("ref.csv", csv(rows(400, seed: 1)))
        let batch = try dir.write("batch.csv", csv(rows(100, seed: 2, outlier: { $0 % 10 == 0 })))
        for (kind, extra) in [("mahalanobis", [String]()), ("iforest", []), ("knn", ["--param", "k=3"]),
                              ("ae", ["--param", "epochs=30", "--param", "hidden=[8]", "--param", "latent_dim=2"]),
                              ("vae", ["--param", "epochs=30", "--param", "hidden=[8]", "--param", "latent_dim=2", "--param", "samples=4"])] {
            let fit = try json(try assay(["detector", "fit", kind, "--reference", ref, "--name", "detector:\(kind)", "--seed", "3", "--json"] + extra))
            #expect(fit["kind"] as? String == "outlier.\(kind)")
            let threshold = try #require(fit["threshold"] as? Double)
            let r = try json(try assay(["detect", "detector:\(kind)", "--input", batch, "--json"]))
            let scores = try #require(r["instance_score"] as? [Double], "\(kind): \(r)")
            let flags = try #require(r["is_outlier"] as? [Int])
            #expect(scores.count == 100 && flags.count == 100)
            #expect(abs((r["threshold"] as? Double ?? .nan) - threshold) <= 1e-12 * max(1, abs(threshold)))
            #expect(zip(scores, flags).allSatisfy { ($0.0 > threshold) == ($0.1 == 1) }, "\(kind): strict >")
            // The shifted rows score above every clean row, and are flagged.
            let shifted = stride(from: 0, to: 100, by: 10).map { scores[$0] }
            let clean = scores.indices.filter { $0 % 10 != 0 }.map { scores[$0] }
            if kind == "iforest" {
                // One shifted feature of four: scikit-learn's forest (random_state 0, 1, 2) flags 8,
                // 10 and 6 of these ten rows and scores their mean 0.06–0.08 against −0.04 for the
                // clean rows; the same loose expectations here.
                let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
                #expect(mean(shifted) > mean(clean) + 0.05, "\(shifted) vs \(mean(clean))")
                #expect(stride(from: 0, to: 100, by: 10).filter { flags[$0] == 1 }.count >= 5)
            } else {
                #expect(shifted.min()! > clean.max()!, "\(kind): shifted \(shifted.min()!) vs clean max \(clean.max()!)")
                #expect(stride(from: 0, to: 100, by: 10).allSatisfy { flags[$0] == 1 }, "\(kind)")
            }
            #expect(flags.reduce(0, +) < 25, "\(kind): \(flags.reduce(0, +)) flagged")
            let meta = try #require(r["meta"] as? [String: Any])
            #expect(meta["detector_type"] as? String == "outlier")
            if kind == "ae" || kind == "vae" {
                let features = try #require(r["feature_score"] as? [[Double]])
                #expect(features.count == 100 && features.allSatisfy { $0.count == 4 })
            } else {
                #expect(r["feature_score"] is NSNull)
            }
        }
        // The text output names the count and the highest rows.
        let text = try assay(["detect", "detector:knn", "--input", batch])
        #expect(text.stdout.contains("outliers:") && text.stdout.contains("highest: row"), "\(text.stdout)")
    }

    @Test func trainingIsByteIdenticalAcrossThreadsAndProcesses() throws {
        let ref = try dir.write("ref.csv", csv(rows(300, seed: 5)))
        var ids: Set<String> = []
        for threads in ["1", "4", "1"] {
            let fit = try json(try assay(["detector", "fit", "vae", "--reference", ref, "--seed", "9", "--param", "epochs=5", "--json"],
                                         environment: ["ASSAY_THREADS": threads]))
            ids.insert(fit["detector"] as! String)
            ids.insert(fit["state"] as! String)
        }
        #expect(ids.count == 2, "\(ids)")
        let other = try json(try assay(["detector", "fit", "vae", "--reference", ref, "--seed", "10", "--param", "epochs=5", "--json"]))
        #expect(!ids.contains(other["state"] as! String))
    }

    @Test func replayRaisesOutlierAlertsChainsAndReproduces() throws {
        let ref = try dir.write("ref.csv", csv(rows(400, seed: 1)))
        try require(try assay(["detector", "fit", "mahalanobis", "--reference", ref, "--name", "detector:maha"]))
        try require(try assay(["detector", "fit", "knn", "--reference", ref, "--name", "detector:knn"]))
        // KS on kNN scores: the reference is the kNN scores of clean rows.
        let knnRef = try json(try assay(["detect", "detector:knn", "--input", try dir.write("clean.csv", csv(rows(300, seed: 7))), "--json"]))
        let knnScores = try #require(knnRef["instance_score"] as? [Double])
        try require(try assay(["detector", "fit", "ks", "--reference", try dir.write("scores.csv", "s\n" + knnScores.map { String($0) }.joined(separator: "\n") + "\n"), "--name", "detector:ks-scores"]))
        // 500 events; from event 300 on, a third of the rows are shifted.
        let traffic = try dir.write("traffic.csv", csv(rows(500, seed: 3, outlier: { $0 >= 300 && $0 % 3 == 0 }), header: "request_id,timestamp,a,b,c,d",
                                                       prefix: { "req-\($0),\(1_700_000_000 + $0)," }))
        try require(try assay(["capture", "import", traffic, "--format", "csv", "--name", "capture:traffic"]))
        let spec = try dir.write("spec.yaml", """
            version: 1
            model: recorded
            window: {size: 100}
            detectors:
              - name: maha
                detector: detector:maha
                max_outlier_rate: 0.2
              - name: knn
                detector: detector:knn
              - name: knn-drift
                detector: detector:ks-scores
                input: knn.output
            """)
        let r = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--json"]))
        let alerts = try #require(r["alerts"] as? [[String: Any]])
        func windows(_ c: String) -> [Int] { alerts.filter { $0["component"] as? String == c }.compactMap { $0["window"] as? Int } }
        #expect(windows("maha") == [3, 4], "\(alerts)")
        #expect(windows("knn") == [3, 4], "\(alerts)")
        #expect(windows("knn-drift") == [3, 4], "\(alerts)")
        let maha = try #require(alerts.first { $0["component"] as? String == "maha" })
        #expect((maha["statistic"] as? Double ?? 0) > 0.2)
        #expect(maha["threshold"] as? Double == 0.2)

        // The window document: top rows are the shifted events, with their request ids.
        let summary = try json(try assay(["cat", r["replay"] as! String]))
        let windowIDs = try #require((summary["series"] as? [[String: Any]])?.first?["windows"] as? [String])
        let doc = try json(try assay(["cat", windowIDs[3]]))
        let knn = try #require((doc["components"] as? [String: Any])?["knn"] as? [String: Any])
        let top = try #require(knn["top"] as? [[String: Any]])
        #expect(top.count == 10)
        #expect(top.allSatisfy { (($0["event"] as? Int) ?? 1) % 3 == 0 }, "\(top)")
        #expect(top.first?["request_id"] as? String == "req-\(top.first?["event"] as? Int ?? -1)")

        // Alerts reproduce bit for bit, including the Mahalanobis state carried over windows.
        let alert = maha["id"] as! String
        let again = try assay(["reproduce", alert])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let whole = try assay(["reproduce", r["run"] as! String])
        #expect(whole.status == 0, "\(whole.stdout)\(whole.stderr)")
        // Thread counts do not change a byte.
        let one = try json(try assay(["replay", spec, "--capture", "capture:traffic", "--json"], environment: ["ASSAY_THREADS": "1"]))
        #expect(one["replay"] as? String == r["replay"] as? String)
        // The exposition has the outlier families.
        let prom = try assay(["metrics", r["run"] as! String])
        #expect(prom.stdout.contains("assay_outlier_rate_ratio{run=\"\(r["run"] as! String)\",component=\"maha\"}"), "\(prom.stdout)")
    }

    /// A convolutional encoder on the 8×8 digits: images with salt noise score above clean ones
    /// (AUC above 0.9; 1.0 measured for both kinds), and the
    /// shape parameters are checked.
    @Test func convolutionalAutoencoderOnDigits() throws {
        let lines = try String(contentsOfFile: AssayBinary.packageRoot + "/notebooks/data/digits.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        let header = lines[0].prefix(64).joined(separator: ",")
        let images = lines.dropFirst().map { $0.prefix(64).map { Double($0)! / 16 } }
        let ref = try dir.write("digits.csv", header + "\n" + images.prefix(400).map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        var state: UInt64 = 9
        func uniform() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / 9007199254740992.0 }
        let held = Array(images[400..<420])
        // Salt noise: a quarter of the pixels set to full ink.
        let batch = held + held.map { $0.map { uniform() < 0.25 ? 1 : $0 } }
        let input = try dir.write("batch.csv", header + "\n" + batch.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        for kind in ["ae", "vae"] {
            let fit = try json(try assay(["detector", "fit", kind, "--reference", ref, "--seed", "1", "--json", "--param", "image_shape=8x8x1",
                                          "--param", "conv_filters=[8,16]", "--param", "hidden=[16]", "--param", "latent_dim=4", "--param", "epochs=10",
                                          "--param", "output_activation=sigmoid", "--name", "detector:conv-\(kind)"]))
            let conv = try #require((fit["parameters"] as? [String: Any])?["conv"] as? [String: Any])
            #expect(conv["filters"] as? [Int] == [8, 16] && conv["kernel"] as? Int == 4 && conv["stride"] as? Int == 2)
            let r = try json(try assay(["detect", "detector:conv-\(kind)", "--input", input, "--json"]))
            let scores = try #require(r["instance_score"] as? [Double])
            let clean = scores.prefix(20), noisy = scores.suffix(20)
            let pairs = clean.flatMap { c in noisy.map { $0 > c ? 1.0 : 0.0 } }
            #expect(pairs.reduce(0, +) / Double(pairs.count) > 0.9, "\(kind): AUC of noisy over clean")
        }
        func fails(_ params: [String], _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try assay(["detector", "fit", "ae", "--reference", ref] + params.flatMap { ["--param", $0] })
            #expect(r.status != 0, sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "\(r.stderr)", sourceLocation: sourceLocation)
        }
        try fails(["image_shape=8x8x1"], "needs both")
        try fails(["image_shape=8x8x2", "conv_filters=[4]"], "is 128 values; the rows have 64")
        try fails(["image_shape=8by8", "conv_filters=[4]"], "expected HxWxC")
        try fails(["image_shape=8x8x1", "conv_filters=[0]"], "filter counts")
        try fails(["image_shape=8x8x1", "conv_filters=[4]", "conv_kernel=9"], "does not fit 8×8 images")
    }

    @Test func badInputIsAClearError() throws {
        let ref = try dir.write("ref.csv", csv(rows(50, seed: 1)))
        func fails(_ args: [String], _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try assay(args)
            #expect(r.status != 0, "\(args)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "\(r.stderr)", sourceLocation: sourceLocation)
        }
        try fails(["detector", "fit", "outlierz", "--reference", ref], "unknown detector kind")
        try fails(["detector", "fit", "knn", "--reference", ref, "--param", "kk=3"], "not a parameter of knn")
        try fails(["detector", "fit", "knn", "--reference", ref, "--param", "k=0"], "less than 1")
        try fails(["detector", "fit", "knn", "--reference", ref, "--param", "k=50"], "ref.csv (sha256:")
        try fails(["detector", "fit", "knn", "--reference", ref, "--param", "k=50"], "parameter k: 50 with 50 reference rows")
        try fails(["detector", "fit", "ae", "--reference", ref, "--param", "epochs=0"], "less than 1")
        try fails(["detector", "fit", "ae", "--reference", ref, "--param", "hidden=[0]"], "layer widths")
        try fails(["detector", "fit", "iforest", "--reference", ref, "--param", "n_estimators=0"], "less than 1")
        try fails(["detector", "fit", "mahalanobis", "--reference", ref, "--param", "threshold=abc"], "not a finite number")
        try fails(["detector", "fit", "mahalanobis", "--reference", ref, "--param", "threshold_perc=120"], "outside")
        try fails(["detector", "fit", "vae", "--reference", ref, "--preprocess", "pca:dim=2"], "--preprocess applies to drift detectors")
        try fails(["detector", "fit", "knn", "--reference", try dir.write("one.csv", "a,b\n1,2\n")], "at least two reference rows")
        try fails(["detector", "fit", "knn", "--reference", try dir.write("nan.csv", "a,b\n1,2\nnan,3\n3,4\n")], "row 2, column 1")
        try fails(["detector", "fit", "knn", "--reference", try dir.write("empty.csv", "")], "empty")
        try require(try assay(["detector", "fit", "knn", "--reference", ref, "--name", "detector:knn"]))
        try fails(["detect", "detector:knn", "--input", try dir.write("narrow.csv", "a,b\n1,2\n")], "fitted on 4")
        try fails(["detect", "detector:knn", "--input", try dir.write("bad.csv", "a,b,c,d\n1,2,inf,4\n")], "row 1, column 3")
        // Values an autoencoder cannot score (float32 overflow) are named, in detect and in a replay.
        try require(try assay(["detector", "fit", "ae", "--reference", ref, "--param", "epochs=2", "--name", "detector:ae"]))
        try fails(["detect", "detector:ae", "--input", try dir.write("huge.csv", "a,b,c,d\n1,2,3,4\n1e39,0,0,0\n")], "input row 2, feature 0: 1e+39 is too large for float32")
        let hugeCapture = try dir.write("hugecap.csv", "request_id,a,b,c,d\nr1,1,2,3,4\nr2,1e39,0,0,0\n")
        try require(try assay(["capture", "import", hugeCapture, "--format", "csv", "--name", "capture:huge"]))
        let aeSpec = try dir.write("ae.yaml", "version: 1\nmodel: recorded\nwindow: {size: 2}\ndetectors:\n  - {name: ae, detector: detector:ae}\n")
        try fails(["replay", aeSpec, "--capture", "capture:huge"], "detectors.ae, window 0, input row 2, feature 0")
        // max_outlier_rate on a drift detector, and chaining on a drift detector.
        try require(try assay(["detector", "fit", "ks", "--reference", ref, "--name", "detector:ks"]))
        let traffic = try dir.write("traffic.csv", csv(rows(20, seed: 3), header: "request_id,a,b,c,d", prefix: { "r\($0)," }))
        try require(try assay(["capture", "import", traffic, "--format", "csv", "--name", "capture:t"]))
        let wrongRate = try dir.write("rate.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: d, detector: detector:ks, max_outlier_rate: 0.1}\n")
        try fails(["replay", wrongRate, "--capture", "capture:t"], "applies to outlier detectors")
        let badRate = try dir.write("rate2.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: d, detector: detector:knn, max_outlier_rate: 1.5}\n")
        try fails(["replay", badRate, "--capture", "capture:t"], "is not in [0, 1)")
        let otherWindows = try dir.write("chain.yaml", "version: 1\nmodel: recorded\nwindow: {size: 10}\ndetectors:\n  - {name: o, detector: detector:knn}\n  - {name: d, detector: detector:ks, input: o.output, window: {size: 5}}\n")
        try fails(["replay", otherWindows, "--capture", "capture:t"], "has other windows than o")
    }
}
