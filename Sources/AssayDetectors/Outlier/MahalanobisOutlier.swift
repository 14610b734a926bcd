import AssayNumerics

/// Alibi Detect's legacy online Mahalanobis outlier detector (`alibi_detect.od.Mahalanobis`):
/// each instance is scored by its Mahalanobis distance from a running mean, measured in the
/// space of the leading principal components of a running covariance, and every batch scored
/// updates the mean and covariance.
///
/// ## Algorithm (as Alibi Detect 0.13.0 computes it; checked to 1e-9 relative on its outputs)
///
/// The state is the running mean, the running covariance `C`, the number of rows seen `n` and,
/// once more than ``startClip`` rows have been seen, per-feature clip bounds. For a batch of `B`
/// rows and `p` features, with `k = min(nComponents, p)` and `nₑ = min(n, maxN)` (or `n`):
///
/// 1. If `n > startClip`, each column is clipped to its bounds (`Xc`); otherwise `Xc = X`.
/// 2. Running means `mᵢ = mean + (i+1)/(i+1+nₑ)·(cumsum(Xc)ᵢ/(i+1) − mean)`; `oᵢ` is the mean
///    before row `i` (`o₀ = mean`).
/// 3. `C' = (nₑ−1)/(nₑ+max(1,B−1))·C + 1/(nₑ+max(1,B−1))·Σᵢ (nₑ+i)/(nₑ+i+1)·(Xcᵢ−oᵢ)(Xcᵢ−oᵢ)ᵀ`.
/// 4. `V` = the unit eigenvectors of `C'` for its `k` largest eigenvalues
///    (``SymmetricEigendecomposition``).
/// 5. The projected *previous* covariance `P = VᵀCV` (zero on a fresh detector) is inverted
///    row by row: until `|det P| > 1e-8`, `P ← (nₑ+i−1)/(nₑ+i)·P + bᵢ` (skipped when
///    `nₑ+i = 0`) and the row's inverse is zero; once `P` is invertible the row's inverse is
///    `A = P⁻¹`, and each later row takes `c = (nₑ+i−1)/(nₑ+i−2)·A_{i−1}` and the
///    Sherman–Morrison update `Aᵢ = c − c·b_{i−1}·c/(1 + tr(b_{i−1}·c))`, where
///    `bᵢ = (Xcᵢ−oᵢ)ᵀV ⊗ (Xcᵢ−oᵢ)ᵀV / (nₑ+i+1)`.
/// 6. `scoreᵢ = dᵢᵀAᵢdᵢ` with `dᵢ = (Xᵢ − oᵢ)V` (the **unclipped** row).
/// 7. The state becomes `mean = m_{B−1}`, `C = C'`, `n += B`; when `n > startClip` the clip
///    bounds become `mean ± stdClip·√diag(C')`.
///
/// So the first rows a fresh detector sees score **0** (four with `k = 3`: the projected
/// covariance is singular until then), and scores depend on the order and boundaries of the
/// batches: a replay must feed the same batches in the same order. ``inferThreshold(_:thresholdPercent:)``
/// and ``predict(_:threshold:)`` score, and so update the state, exactly as ``score(_:)`` does.
///
/// ## Differences from Alibi Detect
///
/// - Eigenvectors come from Jacobi (``SymmetricEigendecomposition``) rather than LAPACK, and the
///   determinant is the product of the LU pivots rather than NumPy's `sign·exp(logdet)`; both
///   differ from Alibi's in the last bits only. Scores are invariant to the order and signs of
///   the eigenvectors but not to the chosen subspace, so they match only where the `k`-th and
///   `(k+1)`-th eigenvalues of `C'` are well apart.
/// - Alibi's categorical-variable support (`cat_vars`, `fit` with ABDM/MVDM distances and MDS)
///   is not implemented: inputs are numeric.
/// - The threshold is not part of the state: pass it to ``predict(_:threshold:)``.
/// - Alibi accepts `max_n = 1` and then usually fails with a `ZeroDivisionError` on the second
///   row of a batch; here ``maxN`` must be at least 2, and the division by zero, if another
///   state ever led to it, is reported as a ``DetectorError``.
/// - Non-finite inputs, an empty batch and a batch whose width differs from the state's are
///   rejected before the state changes; Alibi would carry NaN into its state or raise.
public struct MahalanobisOutlier: Sendable, Codable, Equatable {
    /// The number of principal components scores are computed in (`n_components`).
    public let nComponents: Int
    /// How many standard deviations from the mean values are clipped at (`std_clip`).
    public let stdClip: Double
    /// Clipping starts once more than this many rows have been seen (`start_clip`).
    public let startClip: Int
    /// The detector behaves as if it had seen at most this many rows (`max_n`); `nil` for no limit.
    public let maxN: Int?

    /// The running mean per feature; empty until the first batch.
    public private(set) var mean: [Double]
    /// The running covariance, `p × p` row-major; empty until the first batch.
    public private(set) var covariance: [Double]
    /// The number of rows scored so far.
    public private(set) var n: Int
    /// The lower clip bound per feature, once more than ``startClip`` rows have been seen.
    public private(set) var clipLower: [Double]?
    /// The upper clip bound per feature, once more than ``startClip`` rows have been seen.
    public private(set) var clipUpper: [Double]?

    /// Alibi's `EPSILON`: the projected covariance is inverted once `|det| > 1e-8`.
    public static let determinantThreshold = 1e-8

    /// The number of features the state is for, or `nil` before the first batch.
    public var featureCount: Int? { mean.isEmpty ? nil : mean.count }

    /// A fresh detector with Alibi Detect's defaults.
    ///
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when `nComponents < 1`,
    ///   `stdClip` is negative or not finite, `startClip < 0` or `maxN < 2`.
    public init(nComponents: Int = 3, stdClip: Double = 3, startClip: Int = 100, maxN: Int? = nil) throws(DetectorError) {
        try Self.validate(nComponents: nComponents, stdClip: stdClip, startClip: startClip, maxN: maxN)
        self.nComponents = nComponents
        self.stdClip = stdClip
        self.startClip = startClip
        self.maxN = maxN
        self.mean = []
        self.covariance = []
        self.n = 0
        self.clipLower = nil
        self.clipUpper = nil
    }

    private static func validate(nComponents: Int, stdClip: Double, startClip: Int, maxN: Int?) throws(DetectorError) {
        guard nComponents >= 1 else {
            throw .invalidParameter(name: "n_components", problem: "\(nComponents) is less than 1", valid: "Use at least one principal component (Alibi's default is 3).")
        }
        guard stdClip.isFinite, stdClip >= 0 else {
            throw .invalidParameter(name: "std_clip", problem: "\(stdClip) is not a finite number ≥ 0", valid: "Pass a number of standard deviations such as 3.")
        }
        guard startClip >= 0 else {
            throw .invalidParameter(name: "start_clip", problem: "\(startClip) is negative", valid: "Pass a row count ≥ 0 (Alibi's default is 100).")
        }
        if let maxN, maxN < 2 {
            throw .invalidParameter(name: "max_n", problem: "\(maxN) is less than 2 (Alibi divides by max_n − 1 and fails for 1)", valid: "Pass nil for no limit or a row count ≥ 2.")
        }
    }

    // MARK: Scoring

    /// Scores each row of `x` (rows × features) and updates the state, as Alibi's `score`.
    ///
    /// - Throws: ``DetectorError/invalidData(place:problem:fix:)`` when `x` has no rows or no
    ///   features, has a NaN or infinite value, or has a different number of features than the
    ///   batches before it; also when the covariance cannot be decomposed. The state is unchanged
    ///   when it throws.
    public mutating func score(_ x: Tensor<Double>) throws(DetectorError) -> [Double] {
        let rows = x.rowCount, p = x.rowWidth
        guard rows > 0 else {
            throw .invalidData(place: "input", problem: "has no rows", fix: "Pass a batch with at least one row.")
        }
        guard p > 0 else {
            throw .invalidData(place: "input", problem: "has no features", fix: "Pass a matrix with at least one column.")
        }
        if let count = featureCount, count != p {
            throw .invalidData(place: "input", problem: "has \(p) features per row, the detector's state has \(count)",
                               fix: "Score batches with the same columns as before, or start a new detector.")
        }
        if let (i, v) = x.firstNonFinite() {
            throw .invalidData(place: "input row \(i / p + 1), feature \(i % p)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        let X = x.scalars
        let k = min(nComponents, p)
        let nEff = maxN.map { min(n, $0) } ?? n
        let fresh = mean.isEmpty
        let oldMean = fresh ? [Double](repeating: 0, count: p) : mean

        // 1. Clip.
        var Xc = X
        if n > startClip, let lo = clipLower, let hi = clipUpper {
            for i in 0..<rows {
                for j in 0..<p { Xc[i * p + j] = Swift.min(Swift.max(X[i * p + j], lo[j]), hi[j]) }
            }
        }

        // 2. Running means; offsets[i] is the mean before row i.
        var offsets = [Double](repeating: 0, count: rows * p)
        var lastMean = oldMean
        var cumsum = [Double](repeating: 0, count: p)
        let nD = Double(nEff)
        for i in 0..<rows {
            for j in 0..<p { offsets[i * p + j] = lastMean[j] }
            let coef = Double(i + 1) / (Double(i) + nD + 1)
            for j in 0..<p {
                cumsum[j] = i == 0 ? Xc[j] : cumsum[j] + Xc[i * p + j]
                let partial = cumsum[j] / Double(i + 1)
                lastMean[j] = oldMean[j] + coef * (partial - oldMean[j])
            }
        }

        // 3. Covariance update.
        var increments = [Double](repeating: 0, count: p * p)
        var diff = [Double](repeating: 0, count: p)
        for i in 0..<rows {
            let coef = (nD + Double(i)) / (nD + Double(i) + 1)
            for j in 0..<p { diff[j] = Xc[i * p + j] - offsets[i * p + j] }
            for a in 0..<p {
                for b in 0..<p { increments[a * p + b] += coef * (diff[a] * diff[b]) }
            }
        }
        let denominator = nD + Swift.max(1, Double(rows) - 1)
        let oldWeight = (nD - 1) / denominator
        let newWeight = 1 / denominator
        var newC = [Double](repeating: 0, count: p * p)
        for e in 0..<(p * p) {
            newC[e] = (fresh ? 0 : oldWeight * covariance[e]) + newWeight * increments[e]
        }

        // 4. Leading eigenvectors of C' (V is p × k, column c = eigenvector c).
        let eigen: SymmetricEigendecomposition
        do {
            eigen = try SymmetricEigendecomposition(Tensor(shape: [p, p], scalars: newC))
        } catch {
            throw .invalidData(place: "input", problem: "the updated covariance cannot be decomposed (\(error.description))",
                               fix: "Check the batch for extreme values.")
        }
        var V = [Double](repeating: 0, count: p * k)
        for c in 0..<k {
            for r in 0..<p { V[r * k + c] = eigen.eigenvectors[c, r] }
        }

        // 5. Projections.
        let projX = Self.multiply(X, rows, p, V, k)
        let projXc = Self.multiply(Xc, rows, p, V, k)
        let projMeans = Self.multiply(offsets, rows, p, V, k)
        var projCov = [Double](repeating: 0, count: k * k)
        if !fresh {
            let cv = Self.multiply(covariance, p, p, V, k)
            for a in 0..<k {
                for b in 0..<k {
                    var s = 0.0
                    for r in 0..<p { s += V[r * k + a] * cv[r * k + b] }
                    projCov[a * k + b] = s
                }
            }
        }

        // 6. The inverse for each row: zero until the projected covariance is invertible, then
        // Sherman–Morrison updates with the previous row's increment.
        var rankOne = [Double](repeating: 0, count: rows * k * k)
        var e = [Double](repeating: 0, count: k)
        for i in 0..<rows {
            let coef = 1 / (nD + Double(i) + 1)
            for a in 0..<k { e[a] = projXc[i * k + a] - projMeans[i * k + a] }
            for a in 0..<k {
                for b in 0..<k { rankOne[(i * k + a) * k + b] = coef * (e[a] * e[b]) }
            }
        }
        var inverses = [Double](repeating: 0, count: rows * k * k)
        var haveInverse = false
        for i in 0..<rows {
            let kk = k * k
            if !haveInverse {
                let lu = LUFactorization(projCov, k)
                if abs(lu.determinant) > Self.determinantThreshold {
                    let inv = lu.inverse()
                    for t in 0..<kk { inverses[i * kk + t] = inv[t] }
                    haveInverse = true
                } else if nEff + i != 0 {
                    let w = (nD + Double(i) - 1) / (nD + Double(i))
                    for t in 0..<kk { projCov[t] = w * projCov[t] + rankOne[i * kk + t] }
                }
                continue
            }
            guard nEff + i - 2 != 0 else {
                throw .invalidData(place: "input row \(i + 1)", problem: "the running inverse needs a division by n − 2 = 0 (Alibi raises ZeroDivisionError here)",
                                   fix: "Use max_n ≥ 3 or score more rows first.")
            }
            let scale = (nD + Double(i) - 1) / (nD + Double(i) - 2)
            var c = [Double](repeating: 0, count: kk)
            for t in 0..<kk { c[t] = scale * inverses[(i - 1) * kk + t] }
            // BC1 = b_{i−1} · c
            var bc = [Double](repeating: 0, count: kk)
            for a in 0..<k {
                for b in 0..<k {
                    var s = 0.0
                    for t in 0..<k { s += rankOne[(i - 1) * kk + a * k + t] * c[t * k + b] }
                    bc[a * k + b] = s
                }
            }
            var trace = 0.0
            for a in 0..<k { trace += bc[a * k + a] }
            let factor = 1 / (1 + trace)
            for a in 0..<k {
                for b in 0..<k {
                    var s = 0.0
                    for t in 0..<k { s += c[a * k + t] * bc[t * k + b] }
                    inverses[i * kk + a * k + b] = c[a * k + b] - factor * s
                }
            }
        }

        // 8. Scores dᵀ(A d) with the unclipped projection.
        var scores = [Double](repeating: 0, count: rows)
        var ad = [Double](repeating: 0, count: k)
        for i in 0..<rows {
            for a in 0..<k { e[a] = projX[i * k + a] - projMeans[i * k + a] }
            for a in 0..<k {
                var s = 0.0
                for b in 0..<k { s += inverses[(i * k + a) * k + b] * e[b] }
                ad[a] = s
            }
            var s = 0.0
            for a in 0..<k { s += e[a] * ad[a] }
            scores[i] = s
        }

        // 7. State update (only now, so a throw above leaves the state as it was).
        mean = lastMean
        covariance = newC
        n += rows
        if n > startClip {
            var lo = [Double](repeating: 0, count: p), hi = lo
            for j in 0..<p {
                let sd = newC[j * p + j].squareRoot()
                lo[j] = lastMean[j] - stdClip * sd
                hi[j] = lastMean[j] + stdClip * sd
            }
            clipLower = lo
            clipUpper = hi
        }
        return scores
    }

    /// Scores `x` (updating the state) and returns the `thresholdPercent` percentile of the
    /// scores, NumPy's linear percentile, as Alibi's `infer_threshold`.
    ///
    /// - Throws: as ``score(_:)``; ``DetectorError/invalidParameter(name:problem:valid:)`` when
    ///   `thresholdPercent` is not in `[0, 100]` (checked before the state changes).
    public mutating func inferThreshold(_ x: Tensor<Double>, thresholdPercent: Double = 95) throws(DetectorError) -> Double {
        guard thresholdPercent >= 0, thresholdPercent <= 100 else {
            throw .invalidParameter(name: "threshold_perc", problem: "\(thresholdPercent) is not in [0, 100]", valid: "Pass a percentage such as 95.")
        }
        let scores = try score(x)
        return OutlierThreshold.percentile(scores, thresholdPercent)
    }

    /// Scores `x` (updating the state) and flags scores above `threshold`, as Alibi's `predict`.
    ///
    /// - Throws: as ``score(_:)``; ``DetectorError/invalidParameter(name:problem:valid:)`` when
    ///   `threshold` is NaN (checked before the state changes).
    public mutating func predict(_ x: Tensor<Double>, threshold: Double) throws(DetectorError) -> OutlierResult {
        guard !threshold.isNaN else {
            throw .invalidParameter(name: "threshold", problem: "is NaN", valid: "Pass a number, for example from inferThreshold.")
        }
        return OutlierResult(instanceScore: try score(x), threshold: threshold)
    }

    /// `a` (`rows × inner`) times `b` (`inner × cols`), row-major, each entry summed in index order.
    private static func multiply(_ a: [Double], _ rows: Int, _ inner: Int, _ b: [Double], _ cols: Int) -> [Double] {
        var out = [Double](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for c in 0..<cols {
                var s = 0.0
                for t in 0..<inner { s += a[i * inner + t] * b[t * cols + c] }
                out[i * cols + c] = s
            }
        }
        return out
    }

    // MARK: Codable

    enum CodingKeys: String, CodingKey {
        case nComponents = "n_components", stdClip = "std_clip", startClip = "start_clip", maxN = "max_n"
        case mean, covariance = "C", n, clipLower = "clip_lower", clipUpper = "clip_upper"
    }

    /// Decodes a stored state, checking that its parts fit together.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        nComponents = try c.decode(Int.self, forKey: .nComponents)
        stdClip = try c.decode(Double.self, forKey: .stdClip)
        startClip = try c.decode(Int.self, forKey: .startClip)
        maxN = try c.decodeIfPresent(Int.self, forKey: .maxN)
        mean = try c.decode([Double].self, forKey: .mean)
        covariance = try c.decode([Double].self, forKey: .covariance)
        n = try c.decode(Int.self, forKey: .n)
        clipLower = try c.decodeIfPresent([Double].self, forKey: .clipLower)
        clipUpper = try c.decodeIfPresent([Double].self, forKey: .clipUpper)
        do {
            try Self.validate(nComponents: nComponents, stdClip: stdClip, startClip: startClip, maxN: maxN)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
        let p = mean.count
        func corrupt(_ key: CodingKeys, _ what: String) -> DecodingError {
            DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: what)
        }
        guard n >= 0 else { throw corrupt(.n, "n is negative") }
        guard covariance.count == p * p else { throw corrupt(.covariance, "C has \(covariance.count) entries, mean has \(p) (expected \(p * p))") }
        guard (p == 0) == (n == 0) else { throw corrupt(.mean, "mean is \(p == 0 ? "empty" : "set") but n is \(n)") }
        guard (clipLower == nil) == (clipUpper == nil), clipLower.map({ $0.count == p }) ?? true, clipUpper.map({ $0.count == p }) ?? true else {
            throw corrupt(.clipLower, "clip bounds do not both have \(p) entries")
        }
        guard (clipLower != nil) == (n > startClip) else { throw corrupt(.clipLower, "clip bounds must be present exactly when n > start_clip") }
        let all = mean + covariance + (clipLower ?? []) + (clipUpper ?? [])
        guard all.allSatisfy(\.isFinite) else { throw corrupt(.covariance, "the state holds NaN or infinite values") }
    }

    /// Encodes the parameters and the state; absent values are written as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(nComponents, forKey: .nComponents)
        try c.encode(stdClip, forKey: .stdClip)
        try c.encode(startClip, forKey: .startClip)
        try c.encode(maxN, forKey: .maxN)
        try c.encode(mean, forKey: .mean)
        try c.encode(covariance, forKey: .covariance)
        try c.encode(n, forKey: .n)
        try c.encode(clipLower, forKey: .clipLower)
        try c.encode(clipUpper, forKey: .clipUpper)
    }
}

/// An LU factorization with partial pivoting (LAPACK `getrf`'s choice of pivot: the first entry
/// of largest magnitude in the column), for the small projected covariances above.
private struct LUFactorization {
    let k: Int
    var lu: [Double]
    var pivots: [Int]
    var determinant: Double

    init(_ a: [Double], _ k: Int) {
        self.k = k
        lu = a
        pivots = Array(0..<k)
        var det = 1.0
        for col in 0..<k {
            var best = col
            for r in (col + 1)..<k where abs(lu[r * k + col]) > abs(lu[best * k + col]) { best = r }
            if best != col {
                for t in 0..<k { lu.swapAt(col * k + t, best * k + t) }
                pivots.swapAt(col, best)
                det = -det
            }
            let pivot = lu[col * k + col]
            det *= pivot
            guard pivot != 0 else { continue }
            for r in (col + 1)..<k {
                let f = lu[r * k + col] / pivot
                lu[r * k + col] = f
                for t in (col + 1)..<k { lu[r * k + t] -= f * lu[col * k + t] }
            }
        }
        determinant = det
    }

    /// The inverse, column by column by forward and back substitution. Precondition: no zero pivot.
    func inverse() -> [Double] {
        var inv = [Double](repeating: 0, count: k * k)
        var y = [Double](repeating: 0, count: k)
        for col in 0..<k {
            for r in 0..<k {
                var s = pivots[r] == col ? 1.0 : 0.0
                for t in 0..<r { s -= lu[r * k + t] * y[t] }
                y[r] = s
            }
            for r in stride(from: k - 1, through: 0, by: -1) {
                var s = y[r]
                for t in (r + 1)..<k { s -= lu[r * k + t] * y[t] }
                y[r] = s / lu[r * k + r]
            }
            for r in 0..<k { inv[r * k + col] = y[r] }
        }
        return inv
    }
}
