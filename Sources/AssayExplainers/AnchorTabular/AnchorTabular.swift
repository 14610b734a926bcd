import AssayNumerics

/// Anchors (Ribeiro, Singh & Guestrin 2018) for tabular data, following Alibi Explain's
/// `AnchorTabular` (v0.9.4): an *anchor* is a conjunction of predicates on an instance's
/// features such that, when samples of the reference data are drawn conditioned on the anchor,
/// the model keeps its prediction with high probability (the *precision*), while the anchor
/// covers as much of the data as it can (the *coverage*).
///
/// ## Fitting, as Alibi's `fit`
///
/// Every numerical feature is cut at the percentiles ``discPerc`` of its reference column
/// (NumPy's linear `np.percentile`), duplicates removed (`np.unique`), giving ``edges``: B cuts
/// make B + 1 bins, and a value `v` falls in bin `#{q_j < v}` (`np.searchsorted`, left side), so
/// `v ≤ q_0` is bin 0. Categorical features (``categoricalNames``) hold ordinal codes
/// `0…k−1` and are their own bins.
///
/// ## Explaining
///
/// ``explain(_:predictor:threshold:delta:tau:batchSize:coverageSamples:beamSize:maxAnchorSize:minSamplesStart:rng:)``
/// runs Alibi's beam search with KL-LUCB (`AnchorBeamSearch.swift`, shared with ``AnchorImage``)
/// over the instance's candidate predicates (``predicates(for:)``), drawing conditional samples from the reference
/// rows (`AnchorTabular.Sampler.swift`) and estimating coverage on reference rows
/// (``coverage(of:samples:rng:)``, no model calls).
///
/// ```swift
/// let anchors = try AnchorTabular(reference: train, featureNames: names)
/// var rng = SeededGenerator(seed: 7).child("explainers.anchor_tabular")
/// let e = try anchors.explain(x, predictor: Predictor(inputWidth: 4) { try model($0) }, rng: &rng)
/// e.anchor      // ["petal width (cm) <= 0.30"]
/// ```
///
/// ## Differences from Alibi
///
/// - **Random numbers** come from ``SeededGenerator``, not NumPy's global stream: precision and
///   coverage agree with Alibi's statistically, anchors agree where the choice is clear.
/// - **Ties** between equally precise candidates go to the later one, as NumPy's `argsort`
///   returns them for up to 16 candidates; anchors of a size are proposed in a fixed order (by
///   added predicate, then parent) where Alibi iterates a Python set.
/// - **Unknown features** (allowed bins holding no reference row) are filled on every sampling
///   path; Alibi skips them when the whole anchor has enough rows.
/// - **A prefix** of the answer that was never sampled is sampled in the order its predicates
///   were added (Alibi re-sorts it); only its examples come from that batch.
/// - **A single model output** is read as class 1 above 0.5 (Alibi takes labels as given).
///   One-hot inputs (`ohe=True`) are not supported: pass ordinal categorical codes.
public struct AnchorTabular: Sendable {
    /// The reference rows (rows × M), Alibi's training data.
    public let reference: Tensor<Double>
    /// One name per feature, used in the predicates.
    public let featureNames: [String]
    /// The categorical features: feature index → the names of its categories (codes `0…k−1`).
    /// Every other feature is numerical.
    public let categoricalNames: [Int: [String]]
    /// The percentiles that cut the numerical features (Alibi's `disc_perc`).
    public let discPerc: [Double]
    /// Per feature, the sorted distinct cut points (empty for a categorical feature).
    public let edges: [[Double]]
    /// The reference rows discretised: `binned[i * M + j]` is row i's bin (or category) of feature j.
    let binned: [Int]
    /// `rowsByBin[j][b]`: the reference rows whose feature j is in bin b, ascending.
    let rowsByBin: [[[Int]]]
    /// Per feature, the smallest and largest reference value.
    let minimum: [Double], maximum: [Double]

    /// The number of features, M.
    public var featureCount: Int { featureNames.count }

    /// Fits the discretisation to `reference`.
    ///
    /// - Parameters:
    ///   - reference: rows × M reference data (the training data), finite.
    ///   - featureNames: M names.
    ///   - categoricalNames: feature index → category names, for the categorical features; their
    ///     reference values must be integer codes `0…k−1`.
    ///   - discPerc: percentiles in [0, 100] cutting the numerical features.
    /// - Throws: ``ExplainerError/invalidData(place:problem:fix:)`` for a reference that is not a
    ///   non-empty finite matrix, a name count that differs from M, or a categorical column that
    ///   does not hold codes; ``ExplainerError/invalidParameter(name:problem:valid:)`` for
    ///   percentiles outside [0, 100] or none at all.
    public init(
        reference: Tensor<Double>, featureNames: [String], categoricalNames: [Int: [String]] = [:],
        discPerc: [Double] = [25, 50, 75]
    ) throws(ExplainerError) {
        guard reference.rank == 2 else {
            throw .invalidData(place: "reference", problem: "has shape \(reference.shape), not rows × features",
                               fix: "Pass a matrix with one row per reference sample")
        }
        guard reference.rowCount >= 1 else {
            throw .invalidData(place: "reference", problem: "has no rows",
                               fix: "Pass at least one reference row (the training data)")
        }
        let m = reference.rowWidth
        guard m >= 1 else {
            throw .invalidData(place: "reference", problem: "has no features", fix: "Pass rows with at least one feature")
        }
        guard featureNames.count == m else {
            throw .invalidData(place: "feature names", problem: "has \(featureNames.count) names for \(m) features",
                               fix: "Pass one name per reference column")
        }
        if let (i, v) = reference.firstNonFinite() {
            throw .invalidData(place: "reference row \(i / m) feature \(i % m)", problem: "is \(v)",
                               fix: "Impute or drop rows with missing values first")
        }
        guard !discPerc.isEmpty else {
            throw .invalidParameter(name: "discPerc", problem: "is empty", valid: "Give at least one percentile, e.g. [25, 50, 75]")
        }
        if let p = discPerc.first(where: { !($0 >= 0 && $0 <= 100) }) {
            throw .invalidParameter(name: "discPerc", problem: "holds \(p)", valid: "Percentiles lie in [0, 100]")
        }
        let n = reference.rowCount
        var edges: [[Double]] = []
        var binned = [Int](repeating: 0, count: n * m)
        for j in 0..<m {
            let column = reference.column(j)
            if let names = categoricalNames[j] {
                guard !names.isEmpty else {
                    throw .invalidData(place: "categorical feature \(j) (\(featureNames[j]))", problem: "has no category names",
                                       fix: "Name every category, or leave the feature numerical")
                }
                for (i, v) in column.enumerated() {
                    guard v >= 0, v < Double(names.count), v == v.rounded() else {
                        throw .invalidData(place: "reference row \(i) feature \(j) (\(featureNames[j]))",
                                           problem: "is \(v), not a category code 0…\(names.count - 1)",
                                           fix: "Encode categories as ordinal codes, as Alibi expects")
                    }
                    binned[i * m + j] = Int(v)
                }
                edges.append([])
            } else {
                let sorted = column.sorted()
                var q = discPerc.map { Self.percentile(sorted: sorted, $0) }
                q.sort()
                var unique: [Double] = []
                for v in q where unique.last != v { unique.append(v) }
                edges.append(unique)
                for (i, v) in column.enumerated() { binned[i * m + j] = Self.bin(v, edges: unique) }
            }
        }
        for key in categoricalNames.keys where !(0..<m).contains(key) {
            throw .invalidData(place: "categorical names", problem: "name feature \(key), outside 0…\(m - 1)",
                               fix: "Key categorical names by column index")
        }
        self.reference = reference
        self.featureNames = featureNames
        self.categoricalNames = categoricalNames
        self.discPerc = discPerc
        self.edges = edges
        self.binned = binned
        var rowsByBin: [[[Int]]] = []
        var minimum: [Double] = [], maximum: [Double] = []
        for j in 0..<m {
            var rows = [[Int]](repeating: [], count: categoricalNames[j]?.count ?? edges[j].count + 1)
            for i in 0..<n { rows[binned[i * m + j]].append(i) }
            rowsByBin.append(rows)
            let column = reference.column(j)
            minimum.append(column.min() ?? 0)
            maximum.append(column.max() ?? 0)
        }
        self.rowsByBin = rowsByBin
        self.minimum = minimum
        self.maximum = maximum
    }

    /// Whether feature `j` is categorical.
    public func isCategorical(_ j: Int) -> Bool { categoricalNames[j] != nil }

    /// The number of bins (or categories) of feature `j`.
    public func binCount(_ j: Int) -> Int { categoricalNames[j]?.count ?? edges[j].count + 1 }

    /// The bin of `value` for feature `j`: its category code for a categorical feature, else
    /// `#{q ∈ edges[j] : q < value}`.
    public func bin(_ value: Double, feature j: Int) -> Int {
        if isCategorical(j) { return Int(value) }
        return Self.bin(value, edges: edges[j])
    }

    /// Alibi's names of feature `j`'s bins: `name <= q0`, `q_i < name <= q_{i+1}`,
    /// `name > q_last` (numbers with two decimals), or the category names.
    public func binNames(feature j: Int) -> [String] {
        if let names = categoricalNames[j] { return names }
        let q = edges[j], name = featureNames[j]
        var out = ["\(name) <= \(Self.formatTwoDecimals(q[0]))"]
        for i in 0..<(q.count - 1) {
            out.append("\(Self.formatTwoDecimals(q[i])) < \(name) <= \(Self.formatTwoDecimals(q[i + 1]))")
        }
        out.append("\(name) > \(Self.formatTwoDecimals(q[q.count - 1]))")
        return out
    }

    /// `#{q ∈ edges : q < value}` for sorted `edges` (NumPy's left `searchsorted`).
    static func bin(_ value: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// NumPy's `np.percentile(a, p)` with the default linear method, on sorted values:
    /// index `h = (n − 1)·(p / 100)`, `g = h − ⌊h⌋`, and NumPy's `_lerp` of the neighbours
    /// (`a + (b − a)·g`, or `b − (b − a)·(1 − g)` when `g ≥ 0.5`).
    public static func percentile(sorted a: [Double], _ p: Double) -> Double {
        precondition(!a.isEmpty, "percentile of no values")
        let n = a.count
        let h = Double(n - 1) * (p / 100)
        let lower = h.rounded(.down)
        var i = Int(lower), k = i + 1
        if h >= Double(n - 1) { i = n - 1; k = n - 1 }
        if h < 0 { i = 0; k = 0 }
        let g = h - Double(i)
        let lo = a[i], hi = a[k]
        let diff = hi - lo
        return g >= 0.5 ? hi - diff * (1 - g) : lo + diff * g
    }

    /// `value` with two decimals as C's and Python's `%.2f` write it: the exact binary value
    /// rounded half to even, a minus sign kept on negative values that round to zero.
    public static func formatTwoDecimals(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
        let sign = value.sign == .minus ? "-" : ""
        let v = value.magnitude
        let p = v * 100
        // The product's rounding error is exact (a fused multiply-add), so p + err is v·100 exactly.
        let err = (-p).addingProduct(v, 100)
        let units: Double
        if p >= 0x1p52 {
            units = p
        } else {
            let f = p.rounded(.down)
            let frac = p - f
            if frac > 0.5 || (frac == 0.5 && (err > 0 || (err == 0 && f.truncatingRemainder(dividingBy: 2) == 1))) {
                units = f + 1
            } else {
                units = f
            }
        }
        guard units < 9.0e18 else { return sign + "\(v)" }
        let u = UInt64(units)
        let cents = u % 100
        return "\(sign)\(u / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
