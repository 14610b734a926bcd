import AssayExplainers
import AssayNumerics
import AssayPipeline
import Foundation

/// Times explainers in-process against a cheap closure model (the same logistic regression the
/// Python side evaluates with NumPy), so the comparison is of the explainers, not the models.
/// Prints `median_ms total_model_calls` over `runs`.
///
/// - `anchor REF.npy X.npy COEF.npy`: AnchorTabular (fit on REF, explain every row of X).
/// - `shap REF.npy X.npy COEF.npy NSAMPLES BACKGROUND`: Kernel SHAP (k-means background of
///   BACKGROUND rows, NSAMPLES coalitions), every row of X.
///
/// COEF.npy is (M + 1) × K: the coefficients and, last row, the intercepts; the model is the
/// softmax of `x·W + b`.
@main
enum ExplainerBench {
    static func load(_ path: String) throws -> Tensor<Double> {
        try NPYFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), place: path).rowMatrix()
    }

    static func main() throws {
        let a = CommandLine.arguments
        guard a.count >= 5 else { FileHandle.standardError.write(Data("usage: explainer-bench anchor|shap REF X COEF …\n".utf8)); exit(2) }
        let ref = try load(a[2]), x = try load(a[3]), coef = try load(a[4])
        let m = ref.rowWidth, k = coef.rowWidth
        let model: (Tensor<Double>) throws -> Tensor<Double> = { rows in
            var out = [Double](repeating: 0, count: rows.rowCount * k)
            var z = [Double](repeating: 0, count: k)
            for r in 0..<rows.rowCount {
                let row = rows.row(r)
                var top = -Double.infinity
                for c in 0..<k {
                    var s = coef.scalars[m * k + c]
                    for j in 0..<m { s += row[row.startIndex + j] * coef.scalars[j * k + c] }
                    z[c] = s
                    top = max(top, s)
                }
                var total = 0.0
                for c in 0..<k { z[c] = DeterministicMath.exp(z[c] - top); total += z[c] }
                for c in 0..<k { out[r * k + c] = z[c] / total }
            }
            return try Tensor(shape: [rows.rowCount, k], scalars: out)
        }
        let runs = 5
        var times: [Double] = []
        var calls = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            calls = 0
            switch a[1] {
            case "anchor":
                let names = (0..<m).map { "f\($0)" }
                let anchors = try AnchorTabular(reference: ref, featureNames: names)
                var rng = SeededGenerator(seed: 1)
                for r in 0..<x.rowCount {
                    let p = Predictor(inputWidth: m, model)
                    _ = try anchors.explain(Array(x.row(r)), predictor: p, rng: &rng)
                    calls += p.calls
                }
            case "shap":
                let nsamples = Int(a[5])!, background = Int(a[6])!
                let shap = try KernelSHAP(background: ref, summary: .kmeans(background), nsamples: .count(nsamples), seed: 1)
                var rng = SeededGenerator(seed: 1)
                let p = Predictor(inputWidth: m, model)
                _ = try shap.explain(x, predictor: p, rng: &rng)
                calls = p.calls
            default:
                exit(2)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        print(String(format: "%.3f %d", times[runs / 2], calls))
    }
}
