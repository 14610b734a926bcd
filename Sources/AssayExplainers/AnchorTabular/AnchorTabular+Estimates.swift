import AssayNumerics

extension AnchorTabular {
    /// Which of a fixed set of reference rows (drawn with replacement, as Alibi's coverage
    /// samples) satisfy each predicate, as one bit set per predicate.
    struct CoverageSet {
        let count: Int
        let words: Int
        /// `columns[p]`: bit s set when coverage row s satisfies predicate p.
        let columns: [[UInt64]]

        init(sampler: Sampler, count: Int, rng: inout SeededGenerator) {
            let batch = sampler.draw([], count: count, rng: &rng)
            self.count = count
            self.words = (count + 63) / 64
            var columns = [[UInt64]](repeating: [UInt64](repeating: 0, count: (count + 63) / 64),
                                     count: sampler.candidates.count)
            for s in 0..<count {
                for p in 0..<sampler.candidates.count where batch.bits[s * sampler.words + p / 64] >> UInt64(p % 64) & 1 == 1 {
                    columns[p][s / 64] |= 1 << UInt64(s % 64)
                }
            }
            self.columns = columns
        }

        /// The fraction of coverage rows satisfying every predicate in `anchor` (indices into the
        /// candidates); 1 for the empty anchor.
        func coverage(_ anchor: [Int]) -> Double {
            guard let first = anchor.first, count > 0 else { return 1 }
            var hits = 0
            for w in 0..<words {
                var word = columns[first][w]
                for p in anchor.dropFirst() { word &= columns[p][w] }
                hits += word.nonzeroBitCount
            }
            return Double(hits) / Double(count)
        }
    }

    /// The coverage of `anchor`, estimated as Alibi does: the fraction of `samples` reference
    /// rows, drawn uniformly with replacement, that satisfy every predicate. No model calls.
    public func coverage(of anchor: [AnchorPredicate], samples: Int = 10_000, rng: inout SeededGenerator) -> Double {
        let sampler = Sampler(fit: self, candidates: anchor, instance: [Double](repeating: 0, count: featureCount))
        return CoverageSet(sampler: sampler, count: max(samples, 0), rng: &rng).coverage(Array(anchor.indices))
    }

    /// The class the model gives `x` (one call): the first largest output, or for a single output
    /// 1 when it exceeds 0.5.
    public func predictedClass(_ x: [Double], predictor: Predictor) throws(ExplainerError) -> Int {
        _ = try instanceBins(x)
        return try Self.classes(x, count: 1, width: featureCount, predictor: predictor)[0]
    }

    /// The precision of `anchor` for `x`: the fraction of `samples` rows drawn by Alibi's
    /// conditional sampler (``AnchorTabular`` docs) on which the model keeps `x`'s class. Calls
    /// the model once for `x` and once per `batchSize` samples.
    /// - Throws: as ``predicates(for:)`` for a bad `x`; the predictor's errors;
    ///   ``ExplainerError/invalidParameter(name:problem:valid:)`` for `samples` or `batchSize`
    ///   below 1.
    public func precision(
        of anchor: [AnchorPredicate], for x: [Double], predictor: Predictor, samples: Int = 1000,
        batchSize: Int = 100, rng: inout SeededGenerator
    ) throws(ExplainerError) -> Double {
        guard samples >= 1 else { throw .invalidParameter(name: "samples", problem: "is \(samples)", valid: "Use at least 1") }
        guard batchSize >= 1 else { throw .invalidParameter(name: "batchSize", problem: "is \(batchSize)", valid: "Use at least 1") }
        try checkPredictor(predictor)
        let label = try predictedClass(x, predictor: predictor)
        let sampler = Sampler(fit: self, candidates: [], instance: x)
        var positives = 0, drawn = 0
        while drawn < samples {
            let k = min(batchSize, samples - drawn)
            let batch = sampler.draw(anchor, count: k, rng: &rng)
            let classes = try Self.classes(batch.rows, count: k, width: featureCount, predictor: predictor)
            positives += classes.count { $0 == label }
            drawn += k
        }
        return Double(positives) / Double(drawn)
    }

    func checkPredictor(_ predictor: Predictor) throws(ExplainerError) {
        guard predictor.inputWidth == featureCount else {
            throw .invalidData(place: "predictor", problem: "takes \(predictor.inputWidth) features, the reference has \(featureCount)",
                               fix: "Explain with the model the reference data was made for")
        }
    }
}
