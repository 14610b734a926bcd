import AssayNumerics

/// An isolation forest (Liu, Ting and Zhou, 2008) as scikit-learn defines it, with trees grown
/// from Assay's ``SeededGenerator``: Alibi Detect's `IForest` is a thin wrapper over scikit-learn's
/// `IsolationForest`, and ``score(_:pool:)`` is its `instance_score`.
///
/// ## Definition
///
/// Each of the ``treeCount`` trees is grown on ψ = ``maxSamples`` rows drawn without replacement
/// (scikit-learn's `max_samples='auto'` is `min(256, n)`). A node is split on a random feature at
/// a threshold drawn uniformly between the feature's minimum and maximum over the node's rows;
/// rows with `value ≤ threshold` go left. A node becomes a leaf when it holds one row, when it is
/// at the depth limit ``depthLimit`` = ⌈log₂ ψ⌉, or when every feature is constant over its rows.
/// The path length of a row in a tree is the depth of the leaf it reaches (edges from the root)
/// plus `c(size of the leaf)`, with ``averagePathLength(_:)``
/// `c(1) = 0`, `c(2) = 1`, `c(k) = 2(ln(k−1) + γ) − 2(k−1)/k`. With `E[h]` the mean path length
/// over the trees, the score is
///
///     s(x) − 0.5,   s(x) = 2^(−E[h] / c(ψ))
///
/// which is scikit-learn's `-decision_function(x)` (`contamination='auto'`, offset −0.5). Scores
/// lie in (−0.5, 0.5); higher is more anomalous.
///
/// ## Randomness (fixed; changing it changes recorded outputs)
///
/// All draws come from the `rng` passed to ``init(fitting:trees:maxSamples:rng:)``, in order: for
/// each tree, first `rng.sample(k: ψ, of: n)` (the rows), then the nodes depth first, left child
/// before right, and at each node that may split: features `rng.int(below: r)` from the `r`
/// candidates not yet found constant in this node (a constant one is dropped and another drawn,
/// so the chosen feature is uniform over the non-constant features), then one `rng.uniform()` `u`
/// for the threshold `min + (max − min)·u`, replaced by `min` if rounding makes it reach `max`.
/// The same generator state and data give the same forest and the same score bits on every
/// machine and for any thread count (rows are scored independently; ``DeterministicMath`` gives
/// the power of two).
///
/// ## Differences from scikit-learn
///
/// Parity is statistical, never bitwise: scikit-learn draws from NumPy's Mersenne Twister. Also:
/// scikit-learn converts the data to float32 and treats a feature as constant in a node when its
/// range is at most 1e-7; here values stay `Double` and a feature is constant only when its
/// minimum equals its maximum. scikit-learn also stops when the (random) regression targets it
/// fits are equal, which only happens for nodes that are leaves here too. `maxSamples` above the
/// row count is an error here rather than a warning.
public struct IsolationForest: Sendable, Codable, Equatable {
    /// The number of features per row.
    public let featureCount: Int
    /// ψ: the rows each tree is grown on.
    public let maxSamples: Int
    /// ⌈log₂ ψ⌉: the maximum depth of a leaf.
    public let depthLimit: Int

    /// The root node of each tree.
    public private(set) var roots: [Int]
    /// The split feature of each node; −1 for a leaf.
    public private(set) var feature: [Int]
    /// The split threshold of each node (`value ≤ threshold` goes left); 0 for a leaf.
    public private(set) var threshold: [Double]
    /// The left child of each node; −1 for a leaf.
    public private(set) var left: [Int]
    /// The right child of each node; −1 for a leaf.
    public private(set) var right: [Int]
    /// The number of training rows that reached each node.
    public private(set) var nodeSize: [Int]
    /// `c(nodeSize)` for leaves (0 for inner nodes); derived, not encoded.
    private var leafTail: [Double]

    /// The number of trees.
    public var treeCount: Int { roots.count }

    /// The Euler–Mascheroni constant, as scikit-learn's `np.euler_gamma`.
    public static let eulerGamma = 0.5772156649015329

    /// `c(k)`, the average path length of an unsuccessful search in a binary search tree of `k`
    /// nodes (scikit-learn's `_average_path_length`): 0 for `k ≤ 1`, 1 for `k = 2`, otherwise
    /// `2(ln(k−1) + γ) − 2(k−1)/k`.
    public static func averagePathLength(_ k: Int) -> Double {
        if k <= 1 { return 0 }
        if k == 2 { return 1 }
        let kd = Double(k)
        return 2 * (DeterministicMath.log(kd - 1) + eulerGamma) - 2 * (kd - 1) / kd
    }

    /// Grows `trees` isolation trees on the rows of `x` (rows × features).
    ///
    /// - Parameters:
    ///   - maxSamples: ψ, the rows per tree; `nil` for scikit-learn's `auto`, `min(256, n)`.
    ///   - rng: the source of every random draw (see "Randomness"); it is advanced.
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when `trees < 1` or
    ///   `maxSamples` is not in `2...n`; ``DetectorError/invalidData(place:problem:fix:)`` when `x`
    ///   has fewer than 2 rows, no features, or a NaN or infinite value.
    public init(fitting x: Tensor<Double>, trees: Int = 100, maxSamples: Int? = nil, rng: inout SeededGenerator) throws(DetectorError) {
        let n = x.rowCount, d = x.rowWidth
        guard trees >= 1 else {
            throw .invalidParameter(name: "n_estimators", problem: "\(trees) trees", valid: "Grow at least one tree (scikit-learn's default is 100).")
        }
        guard n >= 2 else {
            throw .invalidData(place: "training data", problem: "has \(n) row\(n == 1 ? "" : "s"); an isolation forest needs at least 2",
                               fix: "Fit on more rows (a few hundred for useful scores).")
        }
        guard d >= 1 else {
            throw .invalidData(place: "training data", problem: "has no features", fix: "Pass a matrix with at least one column.")
        }
        if let (i, v) = x.firstNonFinite() {
            throw .invalidData(place: "training row \(i / d + 1), feature \(i % d)", problem: "is \(v)", fix: "Remove or impute missing values before fitting.")
        }
        let psi = maxSamples ?? Swift.min(256, n)
        guard psi >= 2, psi <= n else {
            throw .invalidParameter(name: "max_samples", problem: "\(psi) rows per tree with \(n) training rows", valid: "Pass nil (min(256, n)) or a count from 2 to \(n).")
        }
        var limit = 0
        while (1 << limit) < psi { limit += 1 }

        featureCount = d
        self.maxSamples = psi
        depthLimit = limit
        roots = []
        feature = []
        threshold = []
        left = []
        right = []
        nodeSize = []
        leafTail = []

        let values = x.scalars
        var candidates = [Int](repeating: 0, count: d)
        struct Pending { var start: Int, end: Int, depth: Int, parent: Int, isLeft: Bool }
        for _ in 0..<trees {
            var rows = rng.sample(k: psi, of: n)
            var stack = [Pending(start: 0, end: psi, depth: 0, parent: -1, isLeft: false)]
            while let node = stack.popLast() {
                let id = feature.count
                feature.append(-1)
                threshold.append(0)
                left.append(-1)
                right.append(-1)
                nodeSize.append(node.end - node.start)
                if node.parent < 0 {
                    roots.append(id)
                } else if node.isLeft {
                    left[node.parent] = id
                } else {
                    right[node.parent] = id
                }
                guard node.end - node.start >= 2, node.depth < limit else { continue }

                // Draw features until one is not constant over the node's rows.
                for f in 0..<d { candidates[f] = f }
                var remaining = d
                var split: (feature: Int, low: Double, high: Double)?
                while remaining > 0 {
                    let j = Int(rng.int(below: UInt64(remaining)))
                    let f = candidates[j]
                    var low = values[rows[node.start] * d + f], high = low
                    for r in (node.start + 1)..<node.end {
                        let v = values[rows[r] * d + f]
                        if v < low { low = v } else if v > high { high = v }
                    }
                    if high > low {
                        split = (f, low, high)
                        break
                    }
                    candidates.swapAt(j, remaining - 1)
                    remaining -= 1
                }
                guard let split else { continue }
                let u = rng.uniform()
                let width = split.high - split.low
                var t = width.isFinite ? split.low + width * u : split.low * (1 - u) + split.high * u
                if t >= split.high { t = split.low }

                // Partition: value ≤ t to the front.
                var i = node.start, j = node.end - 1
                while i <= j {
                    if values[rows[i] * d + split.feature] <= t {
                        i += 1
                    } else {
                        rows.swapAt(i, j)
                        j -= 1
                    }
                }
                feature[id] = split.feature
                threshold[id] = t
                stack.append(Pending(start: i, end: node.end, depth: node.depth + 1, parent: id, isLeft: false))
                stack.append(Pending(start: node.start, end: i, depth: node.depth + 1, parent: id, isLeft: true))
            }
        }
        leafTail = Self.tails(feature: feature, nodeSize: nodeSize)
    }

    private static func tails(feature: [Int], nodeSize: [Int]) -> [Double] {
        zip(feature, nodeSize).map { f, size in f < 0 ? averagePathLength(size) : 0 }
    }

    /// The anomaly score of each row of `x`: `s(x) − 0.5` (scikit-learn's `-decision_function`),
    /// in (−0.5, 0.5), higher is more anomalous. Rows are scored in blocks on `pool` when given;
    /// the result is the same for any pool size.
    ///
    /// - Throws: ``DetectorError/invalidData(place:problem:fix:)`` when `x` has a different number
    ///   of features than the training data or a NaN or infinite value. No rows give no scores.
    public func score(_ x: Tensor<Double>, pool: BlockPool? = nil) throws(DetectorError) -> [Double] {
        let rows = x.rowCount, d = featureCount
        guard rows > 0 else { return [] }
        guard x.rowWidth == d else {
            throw .invalidData(place: "input", problem: "has \(x.rowWidth) features per row, the forest was fitted on \(d)",
                               fix: "Score data with the training columns.")
        }
        if let (i, v) = x.firstNonFinite() {
            throw .invalidData(place: "input row \(i / d + 1), feature \(i % d)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        let forest = self
        let values = x.scalars
        let layout = scoringLayout()
        let body: @Sendable (Range<Int>) -> [Double] = { block in forest.scoreRows(values, block, layout: layout) }
        let blocks = fixedBlocks(count: rows, size: 256)
        guard let pool, blocks.count > 1 else { return body(0..<rows) }
        return pool.map(blocks: blocks, body).flatMap { $0 }
    }

    /// Scores `x` and flags scores above `threshold` (Alibi's `predict`).
    ///
    /// - Throws: as ``score(_:pool:)``.
    public func predict(_ x: Tensor<Double>, threshold: Double, pool: BlockPool? = nil) throws(DetectorError) -> OutlierResult {
        OutlierResult(instanceScore: try score(x, pool: pool), threshold: threshold)
    }

    /// The forest laid out for scoring. A leaf is a node whose threshold is +∞ and whose
    /// children are itself, so every row can walk exactly ``depthLimit`` steps without a branch
    /// (finite values always stay at the leaf), and `leafValue` holds its path length
    /// `Double(depth) + c(size)`, the same operation, so the same bits, as adding them while
    /// walking.
    struct ScoringLayout: Sendable {
        var feature: [Int32]
        /// Left and right child of node `n` at `2n` and `2n + 1`.
        var children: [Int32]
        var threshold: [Double]
        var leafValue: [Double]
    }

    private func scoringLayout() -> ScoringLayout {
        let count = feature.count
        var layout = ScoringLayout(feature: [Int32](repeating: 0, count: count), children: [Int32](repeating: 0, count: 2 * count),
                                   threshold: [Double](repeating: .infinity, count: count), leafValue: [Double](repeating: 0, count: count))
        for root in roots {
            var stack = [(root, 0)]
            while let (node, depth) = stack.popLast() {
                if feature[node] < 0 {
                    layout.children[2 * node] = Int32(node)
                    layout.children[2 * node + 1] = Int32(node)
                    layout.leafValue[node] = Double(depth) + leafTail[node]
                } else {
                    layout.feature[node] = Int32(feature[node])
                    layout.threshold[node] = threshold[node]
                    layout.children[2 * node] = Int32(left[node])
                    layout.children[2 * node + 1] = Int32(right[node])
                    stack.append((left[node], depth + 1))
                    stack.append((right[node], depth + 1))
                }
            }
        }
        return layout
    }

    /// Scores a block of rows tree by tree: all rows of the block walk a tree together, step by
    /// step, without branches (independent walks overlap in the processor). Each row's path
    /// lengths are still added in tree order, from +0.
    private func scoreRows(_ values: [Double], _ block: Range<Int>, layout: ScoringLayout) -> [Double] {
        let d = featureCount
        let normalizer = Double(roots.count) * Self.averagePathLength(maxSamples)
        let ln2 = 0x1.62e42fefa39efp-1
        let n = block.count
        var totals = [Double](repeating: 0, count: n)
        var current = [Int32](repeating: 0, count: n)
        layout.feature.withUnsafeBufferPointer { f in
        layout.children.withUnsafeBufferPointer { child in
        layout.threshold.withUnsafeBufferPointer { t in
        layout.leafValue.withUnsafeBufferPointer { leaf in
        values.withUnsafeBufferPointer { x in
        totals.withUnsafeMutableBufferPointer { total in
        current.withUnsafeMutableBufferPointer { node in
            let first = block.lowerBound * d
            for root in roots {
                for k in 0..<n { node[k] = Int32(root) }
                for _ in 0..<depthLimit {
                    for k in 0..<n {
                        let m = Int(node[k])
                        let v = x[first + k * d + Int(f[m])]
                        node[k] = child[2 * m + (v > t[m] ? 1 : 0)]
                    }
                }
                for k in 0..<n { total[k] += leaf[Int(node[k])] }
            }
        }}}}}}}
        return totals.map { DeterministicMath.exp(-($0 / normalizer) * ln2) - 0.5 }
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey {
        case featureCount = "feature_count", maxSamples = "max_samples", depthLimit = "depth_limit"
        case roots, feature, threshold, left, right, nodeSize = "node_size"
    }

    /// Decodes a stored forest, checking that every tree is well formed (children after their
    /// parents, features in range), so that scoring cannot loop or index out of range.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        featureCount = try c.decode(Int.self, forKey: .featureCount)
        maxSamples = try c.decode(Int.self, forKey: .maxSamples)
        depthLimit = try c.decode(Int.self, forKey: .depthLimit)
        roots = try c.decode([Int].self, forKey: .roots)
        feature = try c.decode([Int].self, forKey: .feature)
        threshold = try c.decode([Double].self, forKey: .threshold)
        left = try c.decode([Int].self, forKey: .left)
        right = try c.decode([Int].self, forKey: .right)
        nodeSize = try c.decode([Int].self, forKey: .nodeSize)
        func corrupt(_ key: CodingKeys, _ what: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: what)
        }
        guard featureCount >= 1 else { throw corrupt(.featureCount, "feature_count must be at least 1") }
        guard maxSamples >= 2 else { throw corrupt(.maxSamples, "max_samples must be at least 2") }
        let count = feature.count
        guard threshold.count == count, left.count == count, right.count == count, nodeSize.count == count else {
            throw corrupt(.feature, "node arrays differ in length")
        }
        guard !roots.isEmpty, roots.allSatisfy({ (0..<count).contains($0) }) else { throw corrupt(.roots, "roots must be node indices, at least one") }
        for i in 0..<count {
            guard nodeSize[i] >= 1, threshold[i].isFinite else { throw corrupt(.nodeSize, "node \(i) has size \(nodeSize[i]) or a non-finite threshold") }
            if feature[i] < 0 {
                guard feature[i] == -1, left[i] == -1, right[i] == -1 else { throw corrupt(.feature, "leaf \(i) has children") }
            } else {
                guard feature[i] < featureCount, left[i] > i, right[i] > i, left[i] < count, right[i] < count else {
                    throw corrupt(.feature, "node \(i) has a feature or children out of range")
                }
            }
        }
        leafTail = Self.tails(feature: feature, nodeSize: nodeSize)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(featureCount, forKey: .featureCount)
        try c.encode(maxSamples, forKey: .maxSamples)
        try c.encode(depthLimit, forKey: .depthLimit)
        try c.encode(roots, forKey: .roots)
        try c.encode(feature, forKey: .feature)
        try c.encode(threshold, forKey: .threshold)
        try c.encode(left, forKey: .left)
        try c.encode(right, forKey: .right)
        try c.encode(nodeSize, forKey: .nodeSize)
    }
}
