import Foundation
import Testing
import _AssayTestSupport

/// `assay explainer fit kernel-shap` and `assay explain` through the binary, on the iris
/// logistic-regression ONNX model: efficiency of the attributions, exactness when every
/// coalition is enumerated (against a direct computation of Shapley values), determinism across
/// threads, the model-call budget, and bad input.
@Suite struct ExplainCommandTests: CLIWorkspaceSuite {
    let workspace: CLIWorkspace

    init() throws {
        workspace = try CLIWorkspace()
    }

    func require(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try #require(r.status == 0, "\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
    }

    static let header = "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)"

    var referenceRows: [[Double]] {
        var x: UInt64 = 3
        func u() -> Double { x = x &* 6364136223846793005 &+ 1442695040888963407; return Double(x >> 11) / 9007199254740992.0 }
        return (0..<40).map { _ in [4 + 4 * u(), 2 + 2.5 * u(), 1 + 6 * u(), 0.1 + 2.4 * u()] }
    }

    func setUp() throws -> (reference: String, rows: String) {
        try require(try assay(["model", "add", AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/sklearn/logreg_iris.onnx", "--name", "model:iris"]))
        let rows = referenceRows
        let reference = try dir.write("iris.csv", Self.header + "\n" + rows.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        let explain = try dir.write("x.csv", Self.header + "\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,2.8,4.3,1.3\n")
        return (reference, explain)
    }

    @Test func attributionsAreExactAndSumToThePredictionMinusTheExpectation() throws {
        let (reference, rows) = try setUp()
        // Every reference row is background (weights 1), so the exact values can be recomputed below.
        let fit = try json(try assay(["explainer", "fit", "kernel-shap", "--model", "model:iris", "--reference", reference,
                                      "--seed", "2", "--name", "explainer:shap", "--json"]))
        #expect(fit["background_rows"] as? Int == 40)
        let r = try json(try assay(["explain", "explainer:shap", "--input", rows, "--json"]))
        let values = try #require(r["shap_values"] as? [[[Double]]])
        let expected = try #require(r["expected_value"] as? [Double])
        let raw = try #require(r["raw_prediction"] as? [[Double]])
        #expect(values.count == 3 && values.allSatisfy { $0.count == 3 && $0.allSatisfy { $0.count == 4 } })
        #expect(r["feature_names"] as? [String] == Self.header.split(separator: ",").map(String.init))
        #expect((r["model_calls"] as? Int ?? 0) >= 2)
        // Efficiency: Σφ = f(x) − E f, per output and row (1e-9: the solve's rounding; Foundation's parser).
        for o in 0..<3 {
            for i in 0..<3 {
                #expect(abs(values[o][i].reduce(0, +) - (raw[i][o] - expected[o])) < 1e-9, "output \(o), row \(i)")
            }
        }
        // Exactness: with M = 4 every coalition is enumerated, so the values are the Shapley
        // values of v(S) = Σ_b w_b f(x_S, b_{−S}). Compute them directly from model outputs: the
        // background and its weights come from the fit, the model from `assay predict`.
        let x0 = [5.1, 3.5, 1.4, 0.2]
        let bgRows = referenceRows
        var synthetic: [[Double]] = []
        for mask in 0..<16 { for b in bgRows { synthetic.append((0..<4).map { (mask >> $0) & 1 == 1 ? x0[$0] : b[$0] }) } }
        let n = bgRows.count
        let synth = try dir.write("synthetic.csv", Self.header + "\n" + synthetic.map { $0.map { String($0) }.joined(separator: ",") }.joined(separator: "\n") + "\n")
        let p = try json(try assay(["predict", "model:iris", "--input", synth, "--json"]))
        let outputs = try #require(p["outputs"] as? [String: Any])
        let flat = try #require((outputs["output_probability"] as? [String: Any])?["data"] as? [Double])
        let probabilities = stride(from: 0, to: flat.count, by: 3).map { Array(flat[$0..<($0 + 3)]) }
        func value(_ mask: Int, _ o: Int) -> Double {
            (0..<n).reduce(0) { $0 + probabilities[mask * n + $1][o] } / Double(n)
        }
        func factorial(_ n: Int) -> Double { n <= 1 ? 1 : Double(n) * factorial(n - 1) }
        for o in 0..<3 {
            for j in 0..<4 {
                var phi = 0.0
                for mask in 0..<16 where (mask >> j) & 1 == 0 {
                    let s = mask.nonzeroBitCount
                    phi += factorial(s) * factorial(4 - s - 1) / factorial(4) * (value(mask | (1 << j), o) - value(mask, o))
                }
                // 1e-6: float32 model outputs, summed in other orders.
                #expect(abs(phi - values[o][0][j]) < 1e-6, "output \(o), feature \(j): \(phi) vs \(values[o][0][j])")
            }
        }
        // Same bytes with one thread and in another process.
        let again = try json(try assay(["explain", "explainer:shap", "--input", rows, "--json"], environment: ["ASSAY_THREADS": "1"]))
        #expect(again["explanation"] as? String == r["explanation"] as? String)
        // The text output ranks features.
        let text = try assay(["explain", "explainer:shap", "--input", rows])
        #expect(text.stdout.contains("row 1, output 0") && text.stdout.contains("petal"), "\(text.stdout)")
        // --out writes the document.
        try require(try assay(["explain", "explainer:shap", "--input", rows, "--out", dir.path + "/out"]))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/out/explanation.json"))
    }

    /// AnchorTabular on the iris data and the iris model: the setosa flower is explained by
    /// `petal length (cm) <= 1.60`, the example, with precision ≥ 0.95.
    @Test func anchorsOnIris() throws {
        try require(try assay(["model", "add", AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/sklearn/logreg_iris.onnx", "--name", "model:iris"]))
        let iris = try String(contentsOfFile: AssayBinary.packageRoot + "/notebooks/data/iris.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").prefix(4).joined(separator: ",") }.joined(separator: "\n") + "\n"
        let reference = try dir.write("iris4.csv", iris)
        try require(try assay(["explainer", "fit", "anchor-tabular", "--model", "model:iris", "--reference", reference, "--name", "explainer:anchors"]))
        let one = try dir.write("setosa.csv", Self.header + "\n5.1,3.5,1.4,0.2\n")
        let r = try json(try assay(["explain", "explainer:anchors", "--input", one, "--json"]))
        #expect(r["anchor"] as? [String] == ["petal length (cm) <= 1.60"], "\(r)")
        #expect((r["precision"] as? Double ?? 0) >= 0.95)
        let coverage = try #require(r["coverage"] as? Double)
        #expect(coverage > 0.2 && coverage < 0.4, "about a third of the flowers have petal length ≤ 1.6: \(coverage)")
        #expect((r["model_calls"] as? Int ?? 0) >= 1)
        let again = try json(try assay(["explain", "explainer:anchors", "--input", one, "--json"], environment: ["ASSAY_THREADS": "1"]))
        #expect(again["explanation"] as? String == r["explanation"] as? String)
        // The discretiser's edges, as NumPy's quartiles of the iris columns.
        let shown = try json(try assay(["show", "explainer:anchors", "--json"]))
        let edges = try #require((shown["document"] as? [String: Any])?["edges"] as? [[Double]])
        #expect(edges[2] == [1.6, 4.35, 5.1], "\(edges)")
        let text = try assay(["explain", "explainer:anchors", "--input", one])
        #expect(text.stdout.contains("IF petal length (cm) <= 1.60 THEN class 0"), "\(text.stdout)")
        let budget = try assay(["explain", "explainer:anchors", "--input", one, "--max-calls", "1"])
        #expect(budget.status == 2 && budget.stderr.contains("after 1 model call"), "\(budget.stderr)")
    }

    /// AnchorImage on the digits CNN: an anchor of superpixels, its mask as a PNG artifact whose
    /// pixels are the anchor's superpixels, the budget, and bad image parameters.
    @Test func imageAnchorsOnDigits() throws {
        try require(try assay(["model", "add", AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/nn/cnn_digits.onnx", "--name", "model:cnn"]))
        let lines = try String(contentsOfFile: AssayBinary.packageRoot + "/notebooks/data/digits.csv", encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: ",").prefix(64).joined(separator: ",") }
        let reference = try dir.write("digits.csv", lines.prefix(51).joined(separator: "\n") + "\n")
        let digit = try dir.write("digit.csv", lines[0] + "\n" + lines[101] + "\n")
        try require(try assay(["explainer", "fit", "anchor-image", "--model", "model:cnn", "--reference", reference, "--param", "image_shape=8x8x1",
                               "--param", "fudge=0", "--name", "explainer:pixels"]))
        let r = try json(try assay(["explain", "explainer:pixels", "--input", digit, "--json", "--out", dir.path + "/masks"]))
        let anchor = try #require(r["anchor"] as? [Int])
        let explanation = try #require((r["explanations"] as? [[String: Any]])?.first)
        let segments = try #require(explanation["segments"] as? [Int])
        let mask = try #require(explanation["mask"] as? [Int])
        #expect(segments.count == 64 && mask.count == 64)
        #expect(mask == segments.map { anchor.contains($0) ? 1 : 0 })
        #expect((r["precision"] as? Double ?? 0) >= 0.95 || r["success"] as? Bool == false)
        // The PNG: signature, 8×8 greyscale header, written by --out too.
        let png = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/masks/mask-1.png"))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(Array(png[16..<26]) == [0, 0, 0, 8, 0, 0, 0, 8, 8, 0])
        let shown = try json(try assay(["show", r["mask_png"] as! String, "--json"]))
        #expect((shown["artifact"] as? [String: Any])?["kind"] as? String == "image-png")
        // Same bytes again with one thread.
        let again = try json(try assay(["explain", "explainer:pixels", "--input", digit, "--json"], environment: ["ASSAY_THREADS": "1"]))
        #expect(again["explanation"] as? String == r["explanation"] as? String)
        func fails(_ args: [String], _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let f = try assay(args)
            #expect(f.status != 0, sourceLocation: sourceLocation)
            #expect(f.stderr.contains(needle), "\(f.stderr)", sourceLocation: sourceLocation)
        }
        try fails(["explain", "explainer:pixels", "--input", digit, "--max-calls", "1"], "model calls allowed")
        try fails(["explainer", "fit", "anchor-image", "--model", "model:cnn", "--reference", reference], "image_shape")
        try fails(["explainer", "fit", "anchor-image", "--model", "model:cnn", "--reference", reference, "--param", "image_shape=4x4x2"], "H·W·C = 64")
        try require(try assay(["model", "add", AssayBinary.packageRoot + "/Tests/AssayModelsTests/Fixtures/sklearn/logreg_iris.onnx", "--name", "model:iris"]))
        let tiny = try dir.write("tiny.csv", "a,b,c,d\n0,1,0,1\n1,0,1,0\n")
        try fails(["explainer", "fit", "anchor-image", "--model", "model:iris", "--reference", tiny, "--param", "image_shape=2x2x1", "--param", "n_segments=10"], "anchor-image")
    }

    @Test func budgetAndBadInputAreClearErrors() throws {
        let (reference, rows) = try setUp()
        try require(try assay(["explainer", "fit", "kernel-shap", "--model", "model:iris", "--reference", reference, "--param", "background=5", "--name", "explainer:shap"]))
        func fails(_ args: [String], _ needle: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try assay(args)
            #expect(r.status != 0, "\(args)", sourceLocation: sourceLocation)
            #expect(r.stderr.contains(needle), "\(r.stderr)", sourceLocation: sourceLocation)
        }
        try fails(["explain", "explainer:shap", "--input", rows, "--max-calls", "1"], "needs more than the 1 model calls allowed")
        try fails(["explain", "explainer:shap", "--input", rows, "--max-calls", "0"], "at least 1")
        try fails(["explain", "explainer:shap", "--input", try dir.write("narrow.csv", "a,b\n1,2\n")], "the explainer was fitted on 4")
        try fails(["explain", "explainer:shap", "--input", try dir.write("nan.csv", Self.header + "\n1,nan,3,4\n")], "row 1, column 2")
        try fails(["explain", "model:iris", "--input", rows], "not an explainer")
        try fails(["explainer", "fit", "anchors", "--model", "model:iris", "--reference", reference], "unknown explainer kind")
        try fails(["explainer", "fit", "kernel-shap", "--model", "model:iris", "--reference", reference, "--param", "nsample=10"], "not a parameter of kernel-shap")
        try fails(["explainer", "fit", "kernel-shap", "--model", "model:iris", "--reference", reference, "--param", "link=probit"], "is not one of identity, logit")
        try fails(["explainer", "fit", "kernel-shap", "--model", "model:iris", "--reference", try dir.write("narrow2.csv", "a,b\n1,2\n3,4\n")], "the model takes 4")
        try fails(["explainer", "fit", "kernel-shap", "--model", "model:nope", "--reference", reference], "model:nope")
    }
}
