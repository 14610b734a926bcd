import AssayNumerics

extension KernelSHAP {
    /// The coalitions evaluated for one instance and their kernel weights, chosen as shap's
    /// `KernelExplainer.explain` chooses them (shap 0.51, `_kernel.py`).
    ///
    /// ## Algorithm
    ///
    /// With `m` varying features and a budget of `n` coalitions (`min(n, 2^m − 2)` when m ≤ 30):
    ///
    /// 1. Subset sizes `s = 1 … ⌈(m−1)/2⌉`; the first `⌊(m−1)/2⌋` are *paired* with their
    ///    complements (size `m − s`). Size `s` gets the Shapley kernel weight `(m−1)/(s(m−s))`,
    ///    doubled when paired, the vector normalised to sum 1.
    /// 2. In increasing size, while `left · remaining[s] / count(s) ≥ 1 − 1e-8` (`count(s)` =
    ///    C(m, s), doubled when paired; `left` the budget not yet used; `remaining` the weights
    ///    renormalised after each full size): add every coalition of size `s` in lexicographic
    ///    order (`itertools.combinations`), each followed by its complement when paired, all with
    ///    weight `w_s / C(m, s)` (halved when paired). Stop at the first size that does not fit.
    /// 3. If sizes remain, spend the rest of the budget on random coalitions: the sampling
    ///    weights are `w_s` (halved when paired) over the remaining sizes, normalised. Each draw
    ///    picks a size by inversion (`u = uniform()`, the first index whose normalised cumulative
    ///    weight exceeds `u`, as NumPy's `choice(p=)`), then the coalition's members with
    ///    ``SeededGenerator/sample(k:of:)`` (shap: `permutation(m)[:s]`). A new coalition is added
    ///    with weight 1, followed by its complement (weight 1) when paired and budget is left; a
    ///    coalition seen before increments its weight and its complement's instead. At most
    ///    `4 × left` draws are made (shap draws its sizes in one batch of that length). Finally
    ///    the random coalitions' weights are scaled to sum to the weight of the sizes not
    ///    enumerated.
    ///
    /// Only the random draws differ from shap (Assay's generator instead of NumPy's global
    /// stream), so plans that enumerate every size are identical to shap's.
    struct CoalitionPlan: Sendable {
        /// Varying features of the instance (m).
        let features: Int
        /// Coalition membership, row-major `count × features`, 1 for a member.
        private(set) var masks: [UInt8] = []
        /// Kernel weight of each coalition.
        private(set) var weights: [Double] = []

        var count: Int { weights.count }

        func isMember(_ coalition: Int, _ feature: Int) -> Bool {
            masks[coalition * features + feature] != 0
        }

        /// The budget shap uses for `m` varying features: `2m + 2048` for ``SampleCount/auto``,
        /// capped at `2^m − 2` when m ≤ 30.
        static func budget(_ requested: SampleCount, features m: Int) -> Int {
            var n: Int
            switch requested {
            case .auto: n = 2 * m + 2048
            case .count(let c): n = c
            }
            if m <= 30 { n = Swift.min(n, (1 << m) - 2) }
            return n
        }

        /// C(n, k) in floating point, as SciPy's `binom` for these arguments (exact while the
        /// value stays below 2⁵³).
        static func binomial(_ n: Int, _ k: Int) -> Double {
            var c = 1.0
            if k == 0 { return c }
            for i in 1...k { c = c * Double(n - k + i) / Double(i) }
            return c
        }

        /// The plan for `m ≥ 2` varying features and `budget` coalitions, drawing from `rng` only
        /// when some size cannot be enumerated.
        init(features m: Int, budget nsamples: Int, rng: inout SeededGenerator) {
            precondition(m >= 2 && nsamples >= 1, "a coalition plan needs two features and a budget")
            features = m
            masks.reserveCapacity(nsamples * m)
            weights.reserveCapacity(nsamples)

            let sizes = m / 2  // ⌈(m−1)/2⌉
            let pairedSizes = (m - 1) / 2
            var weightVector = (1...sizes).map { s in Double(m - 1) / (Double(s) * Double(m - s)) }
            for s in 0..<pairedSizes { weightVector[s] *= 2 }
            let weightTotal = weightVector.reduce(0, +)
            for s in weightVector.indices { weightVector[s] /= weightTotal }

            // Enumerate the sizes that fit.
            var fullSizes = 0
            var samplesLeft = nsamples
            var remaining = weightVector
            var mask = [UInt8](repeating: 0, count: m)
            for size in 1...sizes {
                let paired = size <= pairedSizes
                var subsets = Self.binomial(m, size)
                if paired { subsets *= 2 }
                guard Double(samplesLeft) * remaining[size - 1] / subsets >= 1.0 - 1e-8 else { break }
                fullSizes += 1
                samplesLeft -= Int(subsets)
                if remaining[size - 1] < 1.0 {
                    let scale = 1 - remaining[size - 1]
                    for s in remaining.indices { remaining[s] /= scale }
                }
                var w = weightVector[size - 1] / Self.binomial(m, size)
                if paired { w /= 2.0 }
                var members = Array(0..<size)
                while true {
                    for j in 0..<m { mask[j] = 0 }
                    for j in members { mask[j] = 1 }
                    append(mask, weight: w)
                    if paired {
                        append(mask.map { 1 - $0 }, weight: w)
                    }
                    guard Self.advance(&members, upTo: m) else { break }
                }
            }

            // Sample the remaining sizes.
            let fixedCount = weights.count
            samplesLeft = nsamples - fixedCount
            guard fullSizes != sizes, samplesLeft > 0 else { return }
            var drawWeights = weightVector
            for s in 0..<pairedSizes { drawWeights[s] /= 2 }
            drawWeights = Array(drawWeights[fullSizes...])
            var cumulative = [Double]()
            var running = 0.0
            for p in drawWeights {
                running += p
                cumulative.append(running)
            }
            let last = running
            for i in cumulative.indices { cumulative[i] /= last }

            var seen: [[UInt64]: Int] = [:]
            let maxDraws = 4 * samplesLeft
            var draws = 0
            while samplesLeft > 0 && draws < maxDraws {
                draws += 1
                let u = rng.uniform()
                var index = 0
                while index < cumulative.count - 1 && cumulative[index] <= u { index += 1 }
                let size = index + fullSizes + 1
                for j in 0..<m { mask[j] = 0 }
                for j in rng.sample(k: size, of: m) { mask[j] = 1 }
                let key = Self.packed(mask)
                let paired = size <= pairedSizes
                if let at = seen[key] {
                    weights[at] += 1
                    if paired { weights[at + 1] += 1 }
                } else {
                    seen[key] = weights.count
                    samplesLeft -= 1
                    append(mask, weight: 1)
                    if samplesLeft > 0 && paired {
                        samplesLeft -= 1
                        append(mask.map { 1 - $0 }, weight: 1)
                    }
                }
            }
            let weightLeft = weightVector[fullSizes...].reduce(0, +)
            let drawn = weights[fixedCount...].reduce(0, +)
            for i in fixedCount..<weights.count { weights[i] *= weightLeft / drawn }
        }

        private mutating func append(_ mask: [UInt8], weight: Double) {
            masks.append(contentsOf: mask)
            weights.append(weight)
        }

        /// The next k-combination of `0..<n` in lexicographic order; false after the last.
        private static func advance(_ c: inout [Int], upTo n: Int) -> Bool {
            let k = c.count
            var i = k - 1
            while i >= 0 && c[i] == n - k + i { i -= 1 }
            if i < 0 { return false }
            c[i] += 1
            for j in (i + 1)..<k { c[j] = c[j - 1] + 1 }
            return true
        }

        private static func packed(_ mask: [UInt8]) -> [UInt64] {
            var words = [UInt64](repeating: 0, count: (mask.count + 63) / 64)
            for (j, bit) in mask.enumerated() where bit != 0 { words[j >> 6] |= 1 << UInt64(j & 63) }
            return words
        }
    }
}
