import AssayNumerics

extension AnchorTabular {
    /// Alibi's conditional sampler D(A, k) for one instance: rows of the reference data that
    /// satisfy anchor A, the features A leaves free coming from other reference rows.
    ///
    /// 1. Draw k reference rows uniformly with replacement (also when A is not empty).
    /// 2. For each feature A constrains (in order of first appearance), its *allowed rows*: the
    ///    reference rows whose bin lies in the intersection of its predicates' bins. A feature
    ///    with none is *unknown*: a categorical one takes the instance's category, a numerical
    ///    one a uniform value between the column's minimum and maximum.
    /// 3. Cumulative intersections `R_1 = rows(f1)`, `R_l = R_{l−1} ∩ rows(f_l)`. If
    ///    `|R_L| ≥ k`, k rows drawn from `R_L` with replacement give all constrained features.
    ///    Otherwise blocks are filled from `R_L` down to `R_1`: every row of a block while k
    ///    allows (the last block a draw with replacement of what is left), a block from `R_l`
    ///    copying `f1…f_l` jointly and drawing each later feature from its own allowed rows. What
    ///    the blocks cannot fill draws every constrained feature independently.
    struct Sampler {
        let fit: AnchorTabular
        /// The predicates whose satisfaction each sample records.
        let candidates: [AnchorPredicate]
        /// 64-bit words per sample in ``Batch/bits``.
        let words: Int
        let instance: [Double]

        /// Samples with their bins and which candidates they satisfy.
        struct Batch {
            /// k × M values.
            var rows: [Double]
            /// k × M bins.
            var bins: [Int]
            /// k × ``words``: bit p of sample s is set when it satisfies candidate p.
            var bits: [UInt64]
            var count: Int
        }

        init(fit: AnchorTabular, candidates: [AnchorPredicate], instance: [Double]) {
            self.fit = fit
            self.candidates = candidates
            self.words = max(1, (candidates.count + 63) / 64)
            self.instance = instance
        }

        func draw(_ anchor: [AnchorPredicate], count k: Int, rng: inout SeededGenerator) -> Batch {
            let n = fit.reference.rowCount, m = fit.featureCount
            let ref = fit.reference.scalars
            var rows = [Double](repeating: 0, count: k * m)
            var bins = [Int](repeating: 0, count: k * m)
            func copy(_ slot: Int, from r: Int, feature j: Int) {
                rows[slot * m + j] = ref[r * m + j]
                bins[slot * m + j] = fit.binned[r * m + j]
            }
            for s in 0..<k {
                let r = rng.int(in: 0..<n)
                for j in 0..<m { copy(s, from: r, feature: j) }
            }
            if !anchor.isEmpty {
                var known: [(feature: Int, rows: [Int])] = []
                var unknown: [Int] = []
                for (j, allowed) in fit.allowedBins(anchor) {
                    let r = allowed.map { b in b.flatMap { fit.rowsByBin[j][$0] } } ?? []
                    if r.isEmpty { unknown.append(j) } else { known.append((j, r)) }
                }
                if !known.isEmpty { fillKnown(known, k: k, copy: copy, rng: &rng) }
                for j in unknown {
                    for s in 0..<k {
                        let v = fit.isCategorical(j) ? instance[j] : uniform(fit.minimum[j], fit.maximum[j], &rng)
                        rows[s * m + j] = v
                        bins[s * m + j] = fit.bin(v, feature: j)
                    }
                }
            }
            var bits = [UInt64](repeating: 0, count: k * words)
            for s in 0..<k {
                for (p, c) in candidates.enumerated() where c.bins.contains(bins[s * m + c.feature]) {
                    bits[s * words + p / 64] |= 1 << UInt64(p % 64)
                }
            }
            return Batch(rows: rows, bins: bins, bits: bits, count: k)
        }

        /// A uniform value in `[lo, hi]`, also when `hi − lo` overflows.
        private func uniform(_ lo: Double, _ hi: Double, _ rng: inout SeededGenerator) -> Double {
            if (hi - lo).isFinite { return rng.uniform(in: lo...hi) }
            let u = rng.uniform()
            return min(max(lo * (1 - u) + hi * u, lo), hi)
        }

        private func fillKnown(
            _ known: [(feature: Int, rows: [Int])], k: Int, copy: (Int, Int, Int) -> Void,
            rng: inout SeededGenerator
        ) {
            let levels = known.count
            var cumulative: [[Int]] = [known[0].rows.sorted()]
            for l in 1..<levels {
                let next = Set(known[l].rows)
                cumulative.append(cumulative[l - 1].filter { next.contains($0) })
            }
            func pick(_ rows: [Int]) -> Int { rows[rng.int(in: 0..<rows.count)] }
            let all = cumulative[levels - 1]
            if all.count >= k {
                for s in 0..<k {
                    let r = pick(all)
                    for f in known { copy(s, r, f.feature) }
                }
                return
            }
            var start = 0
            for level in stride(from: levels, through: 1, by: -1) where start < k {
                let block = cumulative[level - 1]
                if block.isEmpty { continue }
                let remaining = k - start
                let take = remaining >= block.count ? block : (0..<remaining).map { _ in pick(block) }
                for (o, r) in take.enumerated() {
                    for f in known[0..<level] { copy(start + o, r, f.feature) }
                    for f in known[level...] { copy(start + o, pick(f.rows), f.feature) }
                }
                start += take.count
            }
            for s in start..<k {
                for f in known { copy(s, pick(f.rows), f.feature) }
            }
        }
    }

    /// The class a model output row stands for: the first largest output, or for a single
    /// output 1 when it exceeds 0.5, else 0.
    static func label(_ out: Tensor<Double>, row i: Int) -> Int {
        let w = out.rowWidth
        let s = out.scalars
        if w == 1 { return s[i] > 0.5 ? 1 : 0 }
        var best = 0
        for c in 1..<w where s[i * w + c] > s[i * w + best] { best = c }
        return best
    }

    /// The model's classes for k × M rows, in one call.
    static func classes(_ rows: [Double], count k: Int, width m: Int, predictor: Predictor) throws(ExplainerError) -> [Int] {
        guard let x = try? Tensor<Double>(shape: [k, m], scalars: rows) else {
            throw .invalidData(place: "anchor sampler", problem: "built \(rows.count) values for \(k) rows of \(m)",
                               fix: "This is a bug in Assay; please report it")
        }
        let out = try predictor(x)
        return (0..<k).map { label(out, row: $0) }
    }
}
