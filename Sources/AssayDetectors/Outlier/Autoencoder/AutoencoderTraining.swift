import AssayNumerics

/// What ``AutoencoderOutlier`` and ``VAEOutlier`` share: checking parameters and data, and the
/// epoch loop (seeded shuffles, mini-batches, progress).
enum AutoencoderTraining {
    /// Checks the training parameters both detectors take.
    static func checkParameters(hidden: [Int], latent: Int, epochs: Int, batchSize: Int, learningRate: Double) throws(DetectorError) {
        if let bad = hidden.first(where: { $0 < 1 }) {
            throw .invalidParameter(name: "hidden", problem: "layer size \(bad) is below 1", valid: "Pass hidden layer sizes of at least 1, e.g. [32], or [] for none.")
        }
        guard latent >= 1 else {
            throw .invalidParameter(name: "latent_dim", problem: "\(latent) is below 1", valid: "Pass a latent dimension of at least 1, e.g. max(⌈features/4⌉, 2).")
        }
        guard epochs >= 1 else {
            throw .invalidParameter(name: "epochs", problem: "\(epochs) is below 1", valid: "Pass at least 1 epoch (Alibi Detect's default is 20).")
        }
        guard batchSize >= 1 else {
            throw .invalidParameter(name: "batch_size", problem: "\(batchSize) is below 1", valid: "Pass a batch size of at least 1 (Alibi Detect's default is 64).")
        }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidParameter(name: "learning_rate", problem: "\(learningRate) is not a positive number", valid: "Pass a learning rate such as 1e-3 (Keras' default for Adam).")
        }
    }

    /// Checks `outlier_perc`.
    static func checkOutlierPercent(_ perc: Double) throws(DetectorError) {
        guard perc > 0, perc <= 100 else {
            throw .invalidParameter(name: "outlier_perc", problem: "\(perc) is not in (0, 100]", valid: "Pass the percentage of features to average, e.g. 100 for all.")
        }
    }

    /// The rows of `x` (flattened, as Alibi Detect flattens) as `Float`, checked: at least one row
    /// and one feature, every value finite as a `Float`, and `features` per row when given.
    static func rows(_ x: Tensor<Double>, place: String, features: Int?) throws(DetectorError) -> (values: [Float], rows: Int, features: Int) {
        guard x.rank >= 2 else {
            throw .invalidData(place: place, problem: "has shape \(x.shape), not rows of features", fix: "Pass a tensor [rows, features…].")
        }
        let m = x.rowMatrix()
        let n = m.rowCount, f = m.rowWidth
        guard n >= 1, f >= 1 else {
            throw .invalidData(place: place, problem: "is empty (shape \(x.shape))", fix: n >= 1 ? "Pass rows with at least one feature." : "Pass at least one row.")
        }
        if let features, f != features {
            throw .invalidData(place: place, problem: "has \(f) features per row, the detector was trained on \(features)", fix: "Pass data with the training data's features, in the same order.")
        }
        var values = [Float]()
        values.reserveCapacity(n * f)
        for (i, v) in m.scalars.enumerated() {
            let s = Float(v)
            guard v.isFinite, s.isFinite else {
                throw .invalidData(place: "\(place) row \(i / f + 1), feature \(i % f)", problem: v.isFinite ? "\(v) is too large for float32" : "is \(v)", fix: "Remove or impute missing values, and scale the features, first.")
            }
            values.append(s)
        }
        return (values, n, f)
    }

    /// Runs `epochs` epochs of mini-batch training over `n` rows of `f` values.
    ///
    /// Epoch `e` (0-based) uses the generator `rng.child("epoch.e")`: it first shuffles the row
    /// indices `0..<n` (a full Fisher–Yates shuffle, ``SeededGenerator/shuffle(_:)``; Alibi Detect
    /// shuffles through a 1024-row buffer instead, a weaker mix of the same kind), then is handed
    /// to `step` for any further draws (the VAE's ε). Batches are consecutive runs of `batchSize`
    /// shuffled rows, the last one shorter when `batchSize` does not divide `n` (as a `tf.data`
    /// batch without `drop_remainder`). `step` gets the batch gathered into `batch`, its row
    /// count, the 0-based epoch and batch number, and returns the batch's mean loss; the epoch's loss, passed to `progress` with the
    /// 1-based epoch number, is the mean of the batch losses weighted by their rows.
    static func runEpochs<T: NetworkScalar>(
        data: [T], rows n: Int, features f: Int, epochs: Int, batchSize: Int,
        rng: SeededGenerator, progress: ((Int, Double) -> Void)?,
        step: (_ batch: [T], _ rows: Int, _ epoch: Int, _ batchIndex: Int) -> Double
    ) throws(DetectorError) {
        let capacity = min(batchSize, n)
        var batch = [T](repeating: 0, count: capacity * f)
        for epoch in 0..<epochs {
            var erng = rng.child("epoch.\(epoch)")
            var order = Array(0..<n)
            erng.shuffle(&order)
            var total = 0.0
            var start = 0
            var batchIndex = 0
            while start < n {
                let rows = min(capacity, n - start)
                data.withUnsafeBufferPointer { db in
                    batch.withUnsafeMutableBufferPointer { bb in
                        for r in 0..<rows {
                            let src = order[start + r] * f
                            for j in 0..<f { bb[r * f + j] = db[src + j] }
                        }
                    }
                }
                let loss = step(batch, rows, epoch, batchIndex)
                guard loss.isFinite else {
                    throw .invalidData(place: "training, epoch \(epoch + 1), batch \(batchIndex + 1)", problem: "the loss became \(loss)",
                                       fix: "Scale the features (for example to [0, 1]) or lower the learning rate.")
                }
                total += loss * Double(rows)
                start += rows
                batchIndex += 1
            }
            progress?(epoch + 1, total / Double(n))
        }
    }

    /// Checks that trained weights are finite.
    static func checkFinite<T: NetworkScalar>(_ networks: [DenseNetwork<T>]) throws(DetectorError) {
        for net in networks {
            for layer in net.layers where !(layer.kernel.allSatisfy(\.isFinite) && layer.bias.allSatisfy(\.isFinite)) {
                throw .invalidData(place: "training", problem: "a weight became infinite or NaN", fix: "Scale the features (for example to [0, 1]) or lower the learning rate.")
            }
        }
    }

    /// Checks that trained convolution weights (if any) are finite.
    static func checkFinite<T: NetworkScalar>(_ convolution: ConvolutionalNetwork<T>?) throws(DetectorError) {
        if let convolution, !convolution.isFinite {
            throw .invalidData(place: "training", problem: "a weight became infinite or NaN", fix: "Scale the features (for example to [0, 1]) or lower the learning rate.")
        }
    }

    /// Instances per block when scoring is spread over a pool.
    static let scoreBlockRows = 32

    /// The instance scores (mean of the top `outlierPercent`% of each row's feature scores).
    static func instanceScores(_ feature: [[Double]], outlierPercent: Double) -> [Double] {
        feature.map { OutlierThreshold.meanOfTop($0, percent: outlierPercent) }
    }

    /// Maps `body` over blocks of `count` instances, on `pool` if given, results in block order.
    static func mapBlocks<R: Sendable>(count: Int, size: Int, pool: BlockPool?, _ body: @escaping @Sendable (Range<Int>) -> R) -> [R] {
        let blocks = fixedBlocks(count: count, size: size)
        if let pool, pool.threadCount > 1, blocks.count > 1 { return pool.map(blocks: blocks, body) }
        return blocks.map(body)
    }
}
