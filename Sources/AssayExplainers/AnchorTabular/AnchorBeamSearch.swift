import AssayNumerics

/// Where an anchor search draws its samples: a fixed list of candidates (predicates, or
/// superpixels), samples that satisfy a given anchor, and each anchor's coverage.
protocol AnchorSampleSource {
    /// The number of candidates an anchor is built from.
    var candidateCount: Int { get }
    /// 64-bit words of candidate bits per sample.
    var words: Int { get }
    /// Values per sampled row sent to the model.
    var rowWidth: Int { get }
    /// `count` samples satisfying `anchor` (candidate indices in the order they were added):
    /// `count × rowWidth` values and `count × words` bits (bit p of sample s set when it
    /// satisfies candidate p).
    func draw(_ anchor: [Int], count: Int, rng: inout SeededGenerator) -> (rows: [Double], bits: [UInt64])
    /// The fraction of the coverage samples satisfying every candidate in `anchor` (sorted); 1
    /// for the empty anchor.
    func coverage(_ anchor: [Int]) -> Double
}

/// Alibi's beam search with KL-LUCB (v0.9.4 `anchor_beam`, documented on
/// ``AnchorTabular/explain(_:predictor:threshold:delta:tau:batchSize:coverageSamples:beamSize:maxAnchorSize:minSamplesStart:rng:)``)
/// over the candidates of a ``AnchorSampleSource``. The state of one search: every sample drawn (which candidates it satisfies, whether the
/// model kept the class) and, per anchor (sorted candidate indices), its samples.
struct AnchorBeamSearch<Source: AnchorSampleSource> {
    /// Examples kept per anchor for each outcome (Alibi's `n_covered_ex`).
    static var coveredExamples: Int { 10 }
    /// The margin around the threshold when refining and accepting anchors (Alibi's fixed
    /// `epsilon_stop`).
    static var epsilonStop: Double { 0.05 }

    struct Arm {
        /// The candidates in the order they were added.
        var order: [Int]
        /// Indices of the samples counted for this anchor.
        var samples: [Int]
        var positives: Int
        var coverage: Double
        var coveredTrue: [[Double]]? = nil
        var coveredFalse: [[Double]] = []
        var n: Int { samples.count }
        var mean: Double { Double(positives) / Double(samples.count) }
    }

    let source: Source
    let label: Int
    let predictor: Predictor
    /// Per sample, `source.words` words of candidate bits.
    var bits: [UInt64] = []
    var kept: [Bool] = []
    /// Looked up only, never iterated.
    var arms: [[Int]: Arm] = [:]

    init(source: Source, label: Int, predictor: Predictor) {
        self.source = source
        self.label = label
        self.predictor = predictor
        arms[[]] = Arm(order: [], samples: [], positives: 0, coverage: 1)
    }

    func satisfies(_ sample: Int, _ p: Int) -> Bool {
        bits[sample * source.words + p / 64] >> UInt64(p % 64) & 1 == 1
    }

    /// Draws `count` samples for each anchor, one model call each.
    mutating func draw(_ keys: [[Int]], count: Int, rng: inout SeededGenerator) throws(ExplainerError) {
        let m = source.rowWidth
        for key in keys {
            guard var arm = arms[key] else { continue }
            let batch = source.draw(arm.order, count: count, rng: &rng)
            let classes = try AnchorTabular.classes(batch.rows, count: count, width: m, predictor: predictor)
            var same: [[Double]] = [], other: [[Double]] = []
            for s in 0..<count {
                let ok = classes[s] == label
                arm.samples.append(kept.count)
                kept.append(ok)
                if ok { arm.positives += 1 }
                bits.append(contentsOf: batch.bits[(s * source.words)..<((s + 1) * source.words)])
                if ok, same.count < Self.coveredExamples { same.append(Array(batch.rows[(s * m)..<((s + 1) * m)])) }
                if !ok, other.count < Self.coveredExamples { other.append(Array(batch.rows[(s * m)..<((s + 1) * m)])) }
            }
            arm.coveredTrue = same
            arm.coveredFalse = other
            arms[key] = arm
        }
    }

    /// New anchors one predicate longer than those of `beam` (every single predicate when
    /// `beam` is nil), warm-started from their parents' samples.
    mutating func propose(_ beam: [[Int]]?) -> [[Int]] {
        let p = source.candidateCount
        guard let beam else {
            return (0..<p).map { f in
                let samples = (0..<kept.count).filter { satisfies($0, f) }
                arms[[f]] = Arm(order: [f], samples: samples, positives: samples.count { kept[$0] },
                                coverage: source.coverage([f]))
                return [f]
            }
        }
        var proposed: [[Int]] = []
        var seen: Set<[Int]> = []
        for f in 0..<p {
            for parentKey in beam where !parentKey.contains(f) {
                let key = (parentKey + [f]).sorted()
                guard seen.insert(key).inserted, let parent = arms[parentKey] else { continue }
                let samples = parent.samples.filter { satisfies($0, f) }
                arms[key] = Arm(order: parent.order + [f], samples: samples, positives: samples.count { kept[$0] },
                                coverage: source.coverage(key))
                proposed.append(key)
            }
        }
        return proposed
    }

    /// The indices of the `top` most precise anchors by KL-LUCB.
    mutating func klLUCB(_ keys: [[Int]], epsilon: Double, delta: Double, batchSize: Int, top: Int,
                         rng: inout SeededGenerator) throws(ExplainerError) -> [Int] {
        let unsampled = keys.filter { arms[$0]?.n == 0 }
        if !unsampled.isEmpty { try draw(unsampled, count: 1, rng: &rng) }
        if keys.count == top { return Array(keys.indices) }
        var t = 1
        while true {
            let means = keys.map { arms[$0]?.mean ?? 0 }
            let ns = keys.map { Double(arms[$0]?.n ?? 1) }
            let order = ascending(means)
            let best = Array(order.suffix(top)), rest = Array(order.prefix(keys.count - top))
            let beta = Self.beta(arms: keys.count, t: t, delta: delta)
            var ut = rest[0], ubMax = -Double.infinity
            for i in rest {
                let ub = Self.upperBound(means[i], level: beta / ns[i])
                if ub > ubMax { ubMax = ub; ut = i }
            }
            var lt = best[0], lbMin = Double.infinity
            for i in best {
                let lb = Self.lowerBound(means[i], level: beta / ns[i])
                if lb < lbMin { lbMin = lb; lt = i }
            }
            if ubMax - lbMin <= epsilon { return best }
            try draw([keys[ut], keys[lt]], count: batchSize, rng: &rng)
            t += 1
        }
    }

    /// Indices sorted by ascending value, ties by index (stable).
    func ascending(_ values: [Double]) -> [Int] {
        values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
    }

    struct Result {
        var anchor: [Int]
        var success: Bool
        var emptyPrecision: Double?
    }

    mutating func beam(threshold: Double, delta: Double, epsilon: Double, batchSize: Int, beamSize: Int,
                       maxAnchorSize: Int, minSamplesStart: Int, rng: inout SeededGenerator) throws(ExplainerError) -> Result {
        try draw([[]], count: minSamplesStart, rng: &rng)
        let startLevel = DeterministicMath.log(1 / delta)
        func emptyBounds() -> (mean: Double, lb: Double) {
            let arm = arms[[]]!
            return (arm.mean, Self.lowerBound(arm.mean, level: startLevel / Double(arm.n)))
        }
        var (mean, lb) = emptyBounds()
        while mean > threshold && lb < threshold - epsilon {
            try draw([[]], count: batchSize, rng: &rng)
            (mean, lb) = emptyBounds()
        }
        if lb > threshold { return Result(anchor: [], success: true, emptyPrecision: mean) }

        let p = source.candidateCount
        var bestCoverage = -1.0
        var bestAnchor: [Int]? = nil
        var beams: [[[Int]]] = []
        var size = 1
        let refineLevel = DeterministicMath.log(1 / (delta / (1 + Double(beamSize - 1) * Double(p))))
        while size <= maxAnchorSize {
            let proposed = propose(beams.last)
            let anchors = proposed.filter { (arms[$0]?.coverage ?? 0) > bestCoverage }
            if anchors.isEmpty { break }
            let chosen = try klLUCB(anchors, epsilon: epsilon, delta: delta, batchSize: batchSize,
                                    top: min(beamSize, anchors.count), rng: &rng)
            let beam = chosen.map { anchors[$0] }
            beams.append(beam)
            func bounds(_ key: [Int]) -> (mean: Double, lb: Double, ub: Double) {
                let arm = arms[key]!
                let level = refineLevel / Double(arm.n)
                return (arm.mean, Self.lowerBound(arm.mean, level: level), Self.upperBound(arm.mean, level: level))
            }
            func needsSamples(_ b: (mean: Double, lb: Double, ub: Double)) -> Bool {
                (b.mean >= threshold && b.lb < threshold - Self.epsilonStop)
                    || (b.mean < threshold && b.ub >= threshold + Self.epsilonStop)
            }
            var stats = beam.map(bounds)
            while true {
                let more = beam.indices.filter { needsSamples(stats[$0]) }
                if more.isEmpty { break }
                try draw(more.map { beam[$0] }, count: batchSize, rng: &rng)
                for i in more { stats[i] = bounds(beam[i]) }
            }
            var pick: Int? = nil
            for i in beam.indices {
                let s = stats[i], c = arms[beam[i]]!.coverage
                guard s.mean >= threshold && s.lb > threshold - Self.epsilonStop && c > bestCoverage else { continue }
                if let j = pick, arms[beam[j]]!.coverage >= c { continue }
                pick = i
            }
            if let pick {
                bestCoverage = arms[beam[pick]]!.coverage
                bestAnchor = beam[pick]
                if bestCoverage == 1 { break }
            }
            size += 1
        }
        if let bestAnchor { return Result(anchor: bestAnchor, success: true, emptyPrecision: nil) }
        let all = beams.flatMap { $0 }
        guard !all.isEmpty else { return Result(anchor: [], success: false, emptyPrecision: mean) }
        let chosen = try klLUCB(all, epsilon: epsilon, delta: delta, batchSize: batchSize, top: 1, rng: &rng)
        return Result(anchor: all[chosen[0]], success: false, emptyPrecision: nil)
    }

    /// The anchor `key`'s prefixes in the order its candidates were added: each one's precision
    /// and coverage, and the examples of the full anchor; prefixes never sampled directly get one
    /// batch for their examples.
    struct Prefixes {
        var order: [Int]
        var precisions: [Double]
        var coverages: [Double]
        var coveredTrue: [[Double]]
        var coveredFalse: [[Double]]
    }

    mutating func prefixes(_ key: [Int], batchSize: Int, rng: inout SeededGenerator) throws(ExplainerError) -> Prefixes {
        let order = arms[key]?.order ?? []
        var precisions: [Double] = [], coverages: [Double] = []
        var prefix: [Int] = []
        var examples: (true: [[Double]], false: [[Double]]) = ([], [])
        for f in order {
            prefix = (prefix + [f]).sorted()
            guard let arm = arms[prefix] else { continue }
            precisions.append(arm.n > 0 ? arm.mean : 0)
            coverages.append(arm.coverage)
            if arm.coveredTrue == nil { try draw([prefix], count: batchSize, rng: &rng) }
            if let done = arms[prefix] { examples = (done.coveredTrue ?? [], done.coveredFalse) }
        }
        if order.isEmpty, let empty = arms[[]] { examples = (empty.coveredTrue ?? [], empty.coveredFalse) }
        return Prefixes(order: order, precisions: precisions, coverages: coverages, coveredTrue: examples.true,
                        coveredFalse: examples.false)
    }

    // MARK: KL bounds

    /// `KL(p ‖ q)` for Bernoulli means, both clipped to `[1e-7, 1 − 2⁻⁵³]`.
    static func klBernoulli(_ p: Double, _ q: Double) -> Double {
        let p = min(max(p, 1e-7), 0.9999999999999999), q = min(max(q, 1e-7), 0.9999999999999999)
        return p * DeterministicMath.log(p / q) + (1 - p) * DeterministicMath.log((1 - p) / (1 - q))
    }

    /// The largest q with `KL(p ‖ q) ≤ level`, by 16 bisection steps from
    /// `[p, min(p + √(level/2), 1)]`.
    static func upperBound(_ p: Double, level: Double) -> Double {
        var lo = p, hi = min(p + (level / 2).squareRoot(), 1)
        for _ in 1..<17 {
            let q = (hi + lo) / 2
            if klBernoulli(p, q) > level { hi = q } else { lo = q }
        }
        return hi
    }

    /// The smallest q with `KL(p ‖ q) ≤ level`, by 16 bisection steps from
    /// `[max(p − √(level/2), 0), p]`.
    static func lowerBound(_ p: Double, level: Double) -> Double {
        var hi = p, lo = min(max(p - (level / 2).squareRoot(), 0), 1)
        for _ in 1..<17 {
            let q = (hi + lo) / 2
            if klBernoulli(p, q) > level { lo = q } else { hi = q }
        }
        return lo
    }

    /// KL-LUCB's exploration level for `arms` arms at round t: `b + ln b` with
    /// `b = ln(405.5·arms·t^1.1/δ)`.
    static func beta(arms: Int, t: Int, delta: Double) -> Double {
        let tPower = DeterministicMath.exp(1.1 * DeterministicMath.log(Double(t)))
        let b = DeterministicMath.log(405.5 * Double(arms) * tPower / delta)
        return b + DeterministicMath.log(b)
    }
}

/// Checks the search parameters both anchor explainers take (Alibi Explain's ranges).
/// - Throws: ``ExplainerError/invalidParameter(name:problem:valid:)`` for a threshold outside
///   (0, 1], a delta outside (0, 1), a tau outside (0, 1], or a size below 1.
func checkAnchorSearchParameters(threshold: Double, delta: Double, tau: Double, batchSize: Int, coverageSamples: Int, beamSize: Int,
                                 maxAnchorSize: Int?, minSamplesStart: Int) throws(ExplainerError) {
    guard threshold > 0 && threshold <= 1 else {
        throw .invalidParameter(name: "threshold", problem: "is \(threshold)", valid: "Use a precision in (0, 1], e.g. 0.95")
    }
    guard delta > 0 && delta < 1 else {
        throw .invalidParameter(name: "delta", problem: "is \(delta)", valid: "Use a confidence level in (0, 1), e.g. 0.1")
    }
    guard tau > 0 && tau <= 1 else {
        throw .invalidParameter(name: "tau", problem: "is \(tau)", valid: "Use a tolerance in (0, 1], e.g. 0.15")
    }
    for (name, value) in [("batchSize", batchSize), ("coverageSamples", coverageSamples), ("beamSize", beamSize),
                          ("maxAnchorSize", maxAnchorSize ?? 1), ("minSamplesStart", minSamplesStart)] where value < 1 {
        throw .invalidParameter(name: name, problem: "is \(value)", valid: "Use at least 1")
    }
}
