/// What an outlier detector reports for a batch, with Alibi Detect's field names
/// (`predict(...)["data"]`): one score and one flag per instance, optionally a score per feature.
public struct OutlierResult: Sendable, Equatable, Codable {
    /// One score per instance; higher is more anomalous.
    public var instanceScore: [Double]
    /// One score per feature of each instance (rows × features), for detectors that have them
    /// (the autoencoders); `nil` otherwise.
    public var featureScore: [[Double]]?
    /// 1 where `instance_score > threshold` (strict, as Alibi Detect), else 0.
    public var isOutlier: [Int]
    /// The threshold the flags were computed with.
    public var threshold: Double

    public init(instanceScore: [Double], featureScore: [[Double]]? = nil, threshold: Double) {
        self.instanceScore = instanceScore
        self.featureScore = featureScore
        self.threshold = threshold
        self.isOutlier = instanceScore.map { $0 > threshold ? 1 : 0 }
    }

    enum CodingKeys: String, CodingKey {
        case instanceScore = "instance_score", featureScore = "feature_score", isOutlier = "is_outlier", threshold
    }

    /// The fraction of instances flagged (0 for an empty batch).
    public var outlierRate: Double { isOutlier.isEmpty ? 0 : Double(isOutlier.reduce(0, +)) / Double(isOutlier.count) }
}

/// Thresholds inferred from reference scores, as Alibi Detect infers them.
public enum OutlierThreshold {
    /// `numpy.percentile(scores, perc)` with NumPy's default linear method (type 7), including
    /// NumPy's two-sided interpolation (`a + (b−a)·t` for `t < ½`, `b − (b−a)·(1−t)` otherwise),
    /// so the result has the same bits as NumPy's.
    ///
    /// - Precondition: `scores` is not empty and holds no NaN; `0 ≤ perc ≤ 100`.
    public static func percentile(_ scores: [Double], _ perc: Double) -> Double {
        precondition(!scores.isEmpty, "percentile of no scores")
        let sorted = scores.sorted()
        let n = sorted.count
        // NumPy: virtual index = (n − 1)·q with q = perc/100.
        let index = Double(n - 1) * (perc / 100)
        let lower = Int(index.rounded(.down))
        let upperIndex = min(lower + 1, n - 1)
        let t = index - Double(lower)
        let a = sorted[lower], b = sorted[upperIndex]
        let diff = b - a
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t
    }

    /// The mean of the largest ⌈`perc`/100 · F⌉ values of `featureScores` (Alibi Detect's
    /// `instance_score` for the autoencoders, `outlier_perc` = `perc`), summed in descending order.
    public static func meanOfTop(_ featureScores: [Double], percent perc: Double) -> Double {
        let count = featureScores.count
        guard count > 0 else { return 0 }
        let k = max(1, min(count, Int((perc / 100 * Double(count)).rounded(.up))))
        if k == count {
            var s = 0.0
            for v in featureScores { s += v }
            return s / Double(count)
        }
        let top = featureScores.sorted(by: >).prefix(k)
        var s = 0.0
        for v in top { s += v }
        return s / Double(k)
    }
}
