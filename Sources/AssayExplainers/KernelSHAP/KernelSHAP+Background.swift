import AssayNumerics

extension KernelSHAP {
    /// How the background data are reduced before explaining (Alibi's `summarise_background`).
    /// Every model evaluation costs one row per background row, so a few dozen rows are usual.
    public enum BackgroundSummary: Sendable, Equatable {
        /// Use every background row.
        case none
        /// At most `k` weighted k-means centres, as `shap.kmeans(data, k)`: see
        /// ``KernelSHAP/summarizeByKMeans(_:weights:k:rng:)``.
        case kmeans(Int)
        /// `k` rows drawn without replacement (as `shap.sample(data, k)`), keeping their weights.
        case sample(Int)
    }

    /// Restarts of k-means; the one with the smallest inertia is kept (scikit-learn's `n_init`,
    /// which `shap.kmeans` sets to 10).
    public static let kMeansRestarts = 10
    /// Lloyd iterations per restart at most (scikit-learn's `max_iter`).
    public static let kMeansMaxIterations = 300

    /// Summarises `data` (rows × M, row weights `weights` summing to 1) by weighted k-means, as
    /// `shap.kmeans` does with scikit-learn's `KMeans`, on Assay's generator.
    ///
    /// ## Algorithm (fixed)
    ///
    /// For each of ``kMeansRestarts`` restarts, in order, drawing from `rng`:
    /// 1. k-means++ seeding: the first centre is row `i` with probability `w_i`; each next centre
    ///    is row `i` with probability ∝ `w_i·D_i²` (`D_i` the distance to the nearest centre so
    ///    far). A draw is `u = uniform() · total`, taking the first row whose running sum
    ///    exceeds `u` (among rows with a positive term). When every remaining `w_i·D_i²` is 0
    ///    (fewer distinct rows than `k`) seeding stops early: fewer centres.
    /// 2. Lloyd's iterations: assign each row to its nearest centre (squared Euclidean distance
    ///    summed in feature order; ties to the lower centre index), move each centre to the
    ///    weighted mean of its rows (summed in row order; a centre left without rows stays
    ///    where it is), until no assignment changes or after ``kMeansMaxIterations`` steps.
    /// 3. The inertia `Σ w_i·D_i²` of the final assignment; the first restart with the smallest
    ///    inertia wins.
    ///
    /// Then, as `shap.kmeans(round_values=True)`, each centre's value of feature j is replaced by
    /// the nearest value in column j of `data` (the first row on ties), so discrete features keep
    /// valid values; a centre's weight is the total weight of its rows (shap: the cluster
    /// sizes, `bincount(labels)`, from the assignment to the unrounded centres).
    ///
    /// scikit-learn's `KMeans` uses NumPy's stream and its greedy k-means++ variant, so the
    /// centres are not shap's; the procedure is the same.
    ///
    /// - Returns: the centres (rows × M) and their weights, summing to 1.
    public static func summarizeByKMeans(
        _ data: Tensor<Double>, weights: [Double], k: Int, rng: inout SeededGenerator
    ) -> (centres: Tensor<Double>, weights: [Double]) {
        let n = data.rowCount, m = data.rowWidth
        precondition(k >= 1 && n >= 1 && weights.count == n, "k-means needs k ≥ 1 and weighted rows")
        let x = data.scalars
        func distance2(_ row: Int, _ centres: [Double], _ c: Int) -> Double {
            var s = 0.0
            for j in 0..<m {
                let d = x[row * m + j] - centres[c * m + j]
                s += d * d
            }
            return s
        }
        var bestCentres: [Double] = []
        var bestLabels: [Int] = []
        var bestInertia = Double.infinity
        for _ in 0..<kMeansRestarts {
            // k-means++ seeding.
            var centres: [Double] = []
            var nearest = [Double](repeating: .infinity, count: n)
            var next = pick(weights, rng: &rng)
            while let row = next {
                centres.append(contentsOf: x[(row * m)..<(row * m + m)])
                let c = centres.count / m - 1
                for i in 0..<n { nearest[i] = Swift.min(nearest[i], distance2(i, centres, c)) }
                if c + 1 == k { break }
                next = pick((0..<n).map { weights[$0] * nearest[$0] }, rng: &rng)
            }
            let count = centres.count / m
            // Lloyd's iterations.
            var labels = [Int](repeating: -1, count: n)
            var inertia = 0.0
            for _ in 0..<kMeansMaxIterations {
                var changed = false
                inertia = 0
                for i in 0..<n {
                    var best = 0
                    var bestD = distance2(i, centres, 0)
                    for c in 1..<count {
                        let d = distance2(i, centres, c)
                        if d < bestD { best = c; bestD = d }
                    }
                    if labels[i] != best { labels[i] = best; changed = true }
                    inertia += weights[i] * bestD
                }
                guard changed else { break }
                var sums = [Double](repeating: 0, count: count * m)
                var mass = [Double](repeating: 0, count: count)
                for i in 0..<n {
                    let c = labels[i]
                    mass[c] += weights[i]
                    for j in 0..<m { sums[c * m + j] += weights[i] * x[i * m + j] }
                }
                for c in 0..<count where mass[c] > 0 {
                    for j in 0..<m { centres[c * m + j] = sums[c * m + j] / mass[c] }
                }
            }
            if inertia < bestInertia {
                bestInertia = inertia
                bestCentres = centres
                bestLabels = labels
            }
        }
        let count = bestCentres.count / m
        var clusterWeights = [Double](repeating: 0, count: count)
        for i in 0..<n { clusterWeights[bestLabels[i]] += weights[i] }
        // Keep the centres that hold weight (a centre can lose all its rows), in order.
        let kept = (0..<count).filter { clusterWeights[$0] > 0 }
        var out: [Double] = []
        out.reserveCapacity(kept.count * m)
        for c in kept {
            for j in 0..<m {
                let v = bestCentres[c * m + j]
                var nearestValue = x[j]
                var nearestGap = abs(x[j] - v)
                for i in 1..<n {
                    let gap = abs(x[i * m + j] - v)
                    if gap < nearestGap { nearestGap = gap; nearestValue = x[i * m + j] }
                }
                out.append(nearestValue)
            }
        }
        let keptWeights = kept.map { clusterWeights[$0] }
        let total = keptWeights.reduce(0, +)
        let centres = (try? Tensor(shape: [kept.count, m], scalars: out)) ?? data
        return (centres, keptWeights.map { $0 / total })
    }

    /// A row index with probability ∝ `mass` (nil when every mass is 0): `u = uniform() · total`,
    /// the first index with a positive mass whose running sum exceeds `u`.
    private static func pick(_ mass: [Double], rng: inout SeededGenerator) -> Int? {
        var total = 0.0
        for v in mass { total += v }
        guard total > 0 else { return nil }
        let u = rng.uniform() * total
        var running = 0.0
        var lastPositive: Int?
        for (i, v) in mass.enumerated() where v > 0 {
            running += v
            lastPositive = i
            if running > u { return i }
        }
        return lastPositive  // rounding left u at the total
    }

    /// `k` rows of `data` drawn without replacement with ``SeededGenerator/sample(k:of:)``,
    /// kept in their original order, with their weights renormalised to sum to 1.
    public static func summarizeBySampling(
        _ data: Tensor<Double>, weights: [Double], k: Int, rng: inout SeededGenerator
    ) -> (rows: Tensor<Double>, weights: [Double]) {
        let chosen = rng.sample(k: Swift.min(k, data.rowCount), of: data.rowCount).sorted()
        let w = chosen.map { weights[$0] }
        let total = w.reduce(0, +)
        return (data.rows(chosen), w.map { $0 / total })
    }
}
