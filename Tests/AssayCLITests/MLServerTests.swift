import Foundation
import Testing
import _AssayTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Remote models against a real Open Inference Protocol server: MLServer with mlserver-sklearn,
/// installed into a virtual environment outside git (`scripts/mlserver/setup-venv.sh`; set
/// `ASSAY_MLSERVER_VENV` to reuse one) and started on loopback. A logistic regression on iris is
/// served from joblib (scikit-learn computes in float64) and exported to ONNX (Assay computes in
/// float32): the probabilities must agree within 1e-5 absolute, the labels exactly.
@Suite(.serialized) struct MLServerTests {
    static func freePort() throws -> Int {
        let server = try CannedHTTPServer(response: nil)
        let port = server.port
        server.stop()
        return port
    }

    static func get(_ url: String) -> Int? {
        guard let r = try? ChildProcess.run("/usr/bin/env", ["python3", "-c", "import urllib.request,sys\ntry:\n  print(urllib.request.urlopen(sys.argv[1], timeout=2).status)\nexcept Exception as e:\n  print(0)", url]) else { return nil }
        return Int(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func remotePredictionsMatchInProcessONNX() throws {
        let dir = try TemporaryDirectory()
        let venv = ProcessInfo.processInfo.environment["ASSAY_MLSERVER_VENV"] ?? (NSTemporaryDirectory() + "assay-mlserver-venv")
        let setup = try ChildProcess.run("/bin/bash", [AssayBinary.packageRoot + "/scripts/mlserver/setup-venv.sh", venv])
        try #require(setup.status == 0, "venv setup failed: \(setup.stderr)")
        let python = setup.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let repo = dir.file("repo")
        let made = try ChildProcess.run(python, [AssayBinary.packageRoot + "/scripts/mlserver/make_iris_model.py", repo])
        try #require(made.status == 0, "\(made.stderr)")

        let http = try Self.freePort(), grpc = try Self.freePort(), metrics = try Self.freePort()
        var env = ProcessInfo.processInfo.environment
        env["MLSERVER_HTTP_PORT"] = "\(http)"
        env["MLSERVER_GRPC_PORT"] = "\(grpc)"
        env["MLSERVER_METRICS_PORT"] = "\(metrics)"
        env["MLSERVER_PARALLEL_WORKERS"] = "0"
        env["MLSERVER_HOST"] = "127.0.0.1"
        let server = try ChildProcess.spawn((python as NSString).deletingLastPathComponent + "/mlserver", ["start", repo], environment: env)
        defer { server.kill(SIGKILL); _ = server.wait() }
        let base = "http://127.0.0.1:\(http)"
        var ready = false
        for _ in 0..<120 where !ready {
            if Self.get(base + "/v2/models/iris/ready") == 200 { ready = true } else { usleep(500_000) }
        }
        try #require(ready, "MLServer did not become ready")

        let ws = dir.file("ws")
        #expect(try AssayBinary.run(["init", ws]).status == 0)
        func assay(_ args: [String]) throws -> ProcessResult { try AssayBinary.run(args + ["--workspace", ws]) }
        let addRemote = try assay(["model", "add", base + "/v2/models/iris", "--name", "model:iris@remote", "--json"])
        #expect(addRemote.status == 0, "\(addRemote.stderr)")
        #expect(addRemote.stdout.contains("\"predict_proba\""))
        #expect(try assay(["model", "add", repo + "/iris.onnx", "--name", "model:iris@onnx"]).status == 0)

        func outputs(_ model: String) throws -> [String: Any] {
            let r = try assay(["predict", model, "--input", repo + "/iris_X.csv", "--json"])
            try #require(r.status == 0, "\(r.stderr)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            if model.hasSuffix("remote") { #expect(doc["model_version"] as? String == "v1") }
            return try #require(doc["outputs"] as? [String: Any])
        }
        let remote = try #require(try outputs("model:iris@remote")["predict_proba"] as? [String: Any])
        let local = try outputs("model:iris@onnx")
        let probabilities = try #require(local["probabilities"] as? [String: Any])
        let p1 = try #require(remote["data"] as? [Double]), p2 = try #require(probabilities["data"] as? [Double])
        #expect(remote["shape"] as? [Int] == [30, 3] && probabilities["shape"] as? [Int] == [30, 3])
        try #require(p1.count == 90 && p2.count == 90)
        let worst = zip(p1, p2).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 1e-5, "largest probability difference \(worst)")
        let labels = try #require((local["label"] as? [String: Any])?["data"] as? [Int])
        for row in 0..<30 {
            let best = (0..<3).max { p1[row * 3 + $0] < p1[row * 3 + $1] }
            #expect(best == labels[row], "row \(row)")
        }
        print("MLServer vs in-process ONNX: largest probability difference \(worst)")

        // A replay through the endpoint: the spec names the URL; the windows' predicted-label
        // counts equal those of the same replay through the ONNX export.
        #expect(try assay(["capture", "import", repo + "/iris_X.csv", "--format", "csv", "--name", "capture:iris"]).status == 0)
        func replayCounts(_ model: String) throws -> [[Int]] {
            let spec = try dir.write("spec-\(model.hasPrefix("http") ? "remote" : "onnx").yaml", "version: 1\nmodel: \(model)\nwindow: {size: 10}\n")
            let r = try assay(["replay", spec, "--capture", "capture:iris", "--json"])
            try #require(r.status == 0, "\(r.stdout)\(r.stderr)")
            let replay = try #require((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["replay"] as? String)
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(try assay(["cat", replay]).stdout.utf8)) as? [String: Any])
            let windows = try #require(((summary["series"] as? [[String: Any]])?.first?["windows"]) as? [String])
            return try windows.map { id in
                let doc = try JSONSerialization.jsonObject(with: Data(try assay(["cat", id]).stdout.utf8)) as? [String: Any]
                return try #require(doc?["label_counts"] as? [Int])
            }
        }
        let remoteCounts = try replayCounts(base + "/v2/models/iris")
        #expect(remoteCounts.count == 3)
        #expect(remoteCounts == (try replayCounts("model:iris@onnx")))

        // The lineage records the URL, and a stopped server is a clear error.
        server.kill(SIGKILL)
        _ = server.wait()
        let down = try assay(["predict", "model:iris@remote", "--input", repo + "/iris_X.csv"])
        #expect(down.status == 2)
        #expect(down.stderr.contains("connection refused"), "\(down.stderr)")
    }
}
