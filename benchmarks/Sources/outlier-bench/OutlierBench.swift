import AssayDetectors
import AssayNumerics
import AssayPipeline
import Foundation

/// Times outlier detectors in-process on .npy inputs; prints the median of `runs`, in ms, of the
/// span the Python side times for the peer.
///
/// - `mahalanobis X.npy`: a fresh detector's `score` of X (Alibi's `Mahalanobis.score`).
/// - `iforest X.npy`: fit 100 trees on X, then score X (Alibi's `IForest.fit` + `score`).
/// - `knn REF.npy X.npy`: kNN (k=5) distances of X to REF.
/// - `ae X.npy EPOCHS` / `vae X.npy EPOCHS`: training for EPOCHS epochs (batch 64) of the
///   64→32→8→32→64 networks; prints ms per epoch.
///
/// Usage: outlier-bench CASE FILES… [runs=5] [threads=all]
@main
enum OutlierBench {
    static func load(_ path: String) throws -> Tensor<Double> {
        try NPYFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))), place: path).rowMatrix()
    }

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            FileHandle.standardError.write(Data("usage: outlier-bench mahalanobis|iforest|knn|ae|vae FILES… [runs] [threads]\n".utf8))
            exit(2)
        }
        let kind = args[1]
        let fileCount = kind == "knn" || kind == "ae" || kind == "vae" ? 2 : 1
        let x = try load(args[2])
        let second = fileCount == 2 ? args[3] : nil
        let rest = Array(args.dropFirst(2 + fileCount))
        let runs = rest.first.flatMap(Int.init) ?? 5
        let threads = rest.dropFirst().first.flatMap(Int.init) ?? BlockPool.defaultThreadCount
        let pool = BlockPool(threadCount: threads)
        pool.start()
        defer { pool.shutdown() }
        var times: [Double] = []
        var note = ""
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            var divisor = 1.0
            switch kind {
            case "mahalanobis":
                var d = try MahalanobisOutlier()
                let s = try d.score(x)
                note = "max score \(s.max() ?? 0)"
            case "iforest":
                var rng = SeededGenerator(seed: 0)
                let forest = try IsolationForest(fitting: x, trees: 100, rng: &rng)
                let s = try forest.score(x, pool: pool)
                note = "max score \(s.max() ?? 0)"
            case "knn":
                let knn = try KNNOutlier(reference: x, k: 5)
                let s = try knn.score(try load(second!), pool: pool)
                note = "max score \(s.max() ?? 0)"
            case "ae", "vae":
                let epochs = Int(second!) ?? 5
                divisor = Double(epochs)
                var rng = SeededGenerator(seed: 0)
                if kind == "ae" {
                    _ = try AutoencoderOutlier.train(x: x, hidden: [32], latent: 8, epochs: epochs, batchSize: 64, rng: &rng, pool: pool)
                } else {
                    _ = try VAEOutlier.train(x: x, hidden: [32], latent: 8, epochs: epochs, batchSize: 64, rng: &rng, pool: pool)
                }
            default:
                exit(2)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / divisor)
        }
        times.sort()
        print(String(format: "%.3f", times[times.count / 2]))
        if !note.isEmpty { FileHandle.standardError.write(Data("\(note)\n".utf8)) }
    }
}
