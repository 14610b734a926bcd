/// Principal component analysis, fitted on a reference sample and stored in a detector artifact
/// to reduce every later batch the same way (drift preprocessing).
///
/// It matches scikit-learn's `PCA(n_components=k)` without whitening: the same mean, the same
/// components up to sign, the same explained variance (divided by *n − 1*) and the same
/// transformed data up to the sign of each component.
///
/// ## Algorithm (fixed; changing it changes recorded outputs)
///
/// All arithmetic is in `Double`, whatever the input scalar. Rows are flattened (a batch of
/// images `[n, 8, 8, 1]` has 64 features).
/// 1. `mean_j = (Σᵢ x_ij) / n`, summed over rows in order.
/// 2. `C = (X − mean)ᵀ (X − mean) / (n − 1)` with ``Tensor/matmul(_:pool:)`` (each entry summed
///    over rows in order, so `C` is exactly symmetric).
/// 3. ``SymmetricEigendecomposition`` of `C` (cyclic Jacobi); the first `k` eigenvectors, in
///    descending order of eigenvalue, are the components, each signed so that its
///    largest-magnitude entry is positive (scikit-learn ≥ 1.5 flips signs the same way, but
///    compare up to sign).
/// 4. `explained_variance` are those `k` eigenvalues; `explained_variance_ratio` divides them by
///    the trace of `C` (the total variance).
///
/// ``transform(_:pool:)`` computes `(x − mean) · componentsᵀ` in `Double`, each entry summed in
/// feature order, and rounds the result once to the input's scalar type. Everything is
/// deterministic and independent of the pool size.
///
/// ```swift
/// let pca = try PCA.fit(reference, components: 2)
/// let z = try pca.transform(batch)          // [m, 2]
/// let json = try JSONEncoder().encode(pca)  // into the detector artifact
/// ```
public struct PCA: Sendable, Equatable, Codable {
    /// The per-feature mean of the reference sample (`d` values), `mean_` in scikit-learn.
    public let mean: [Double]
    /// The principal axes as the rows of a `k × d` matrix, `components_` in scikit-learn.
    public let components: Tensor<Double>
    /// The variance along each component (eigenvalues of the covariance with divisor *n − 1*),
    /// in descending order; `explained_variance_` in scikit-learn.
    public let explainedVariance: [Double]
    /// ``explainedVariance`` divided by the total variance; `explained_variance_ratio_`.
    public let explainedVarianceRatio: [Double]
    /// The number of reference rows the model was fitted on.
    public let sampleCount: Int

    /// The number of input features `d`.
    public var featureCount: Int { mean.count }
    /// The number of components `k`, the width of ``transform(_:pool:)``'s output.
    public var componentCount: Int { components.shape[0] }

    /// Makes a PCA model from stored parts, checking that they fit together.
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `components` is not `k × d` for
    ///   `d = mean.count`, `k ≥ 1`, or the variance arrays do not have `k` entries;
    ///   ``NumericsError/domain(_:)`` when `sampleCount < 2`; ``NumericsError/nonFinite(where:)``
    ///   when a value is NaN or infinite.
    public init(
        mean: [Double], components: Tensor<Double>, explainedVariance: [Double],
        explainedVarianceRatio: [Double], sampleCount: Int
    ) throws(NumericsError) {
        let d = mean.count
        guard components.rank == 2, components.shape[1] == d, components.shape[0] >= 1, d >= 1 else {
            throw .shapeMismatch("PCA components of shape \(components.shape) for \(d) features")
        }
        let k = components.shape[0]
        guard explainedVariance.count == k, explainedVarianceRatio.count == k else {
            throw .shapeMismatch("PCA with \(k) components has \(explainedVariance.count) explained variances and \(explainedVarianceRatio.count) ratios")
        }
        guard sampleCount >= 2 else { throw .domain("PCA fitted on \(sampleCount) samples; at least 2 are needed") }
        if let i = mean.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(where: "PCA mean[\(i)]") }
        if let (i, _) = components.firstNonFinite() { throw .nonFinite(where: "PCA components[\(i / d)][\(i % d)]") }
        if let i = explainedVariance.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(where: "PCA explained_variance[\(i)]") }
        if let i = explainedVarianceRatio.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(where: "PCA explained_variance_ratio[\(i)]") }
        self.mean = mean
        self.components = components
        self.explainedVariance = explainedVariance
        self.explainedVarianceRatio = explainedVarianceRatio
        self.sampleCount = sampleCount
    }

    /// Fits `k` principal components to the rows of `x`.
    ///
    /// - Parameters:
    ///   - x: `n` reference rows of `d` features (trailing dimensions are flattened).
    ///   - k: the number of components, `1 ≤ k ≤ min(n, d)` (scikit-learn's limit).
    ///   - pool: a running pool for the covariance product; the result does not depend on it.
    /// - Throws: ``NumericsError/domain(_:)`` when `n < 2` or `k` is out of range;
    ///   ``NumericsError/nonFinite(where:)`` naming the first NaN or infinity in `x` by row and
    ///   feature; ``NumericsError/notComputable(_:)`` if the eigendecomposition fails to converge.
    /// - Complexity: O(*n·d²*) for the covariance plus O(*d³*) per Jacobi sweep; O(*n·d + d²*)
    ///   memory.
    public static func fit<Scalar>(
        _ x: Tensor<Scalar>, components k: Int, pool: BlockPool? = nil
    ) throws(NumericsError) -> PCA {
        let n = x.rowCount, d = x.rowWidth
        guard n >= 2 else { throw .domain("PCA needs at least 2 reference rows, got \(n)") }
        guard k >= 1, k <= min(n, d) else {
            throw .domain("PCA components must be between 1 and min(rows, features) = \(min(n, d)), got \(k)")
        }
        if let (i, _) = x.firstNonFinite() { throw .nonFinite(where: "reference row \(i / d), feature \(i % d)") }
        let xs = x.scalars.map { Double($0) }

        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { mean[j] += xs[i * d + j] }
        }
        for j in 0..<d { mean[j] /= Double(n) }

        var centred = xs
        for i in 0..<n {
            for j in 0..<d { centred[i * d + j] -= mean[j] }
        }
        let ct = MatrixKernels.transpose(centred, rows: n, columns: d)
        var cov = MatrixKernels.multiply(ct, centred, rows: d, inner: n, columns: d, pool: pool)
        let divisor = Double(n - 1)
        for i in 0..<cov.count { cov[i] /= divisor }
        var total = 0.0
        for j in 0..<d { total += cov[j * d + j] }

        let eigen = try SymmetricEigendecomposition(Tensor(uncheckedShape: [d, d], scalars: cov))
        let variance = Array(eigen.eigenvalues.prefix(k))
        let ratio = variance.map { total > 0 ? $0 / total : 0 }
        return try PCA(
            mean: mean,
            components: Tensor(uncheckedShape: [k, d], scalars: Array(eigen.eigenvectors.scalars.prefix(k * d))),
            explainedVariance: variance,
            explainedVarianceRatio: ratio,
            sampleCount: n)
    }

    /// Projects the rows of `x` on the components: `(x − mean) · componentsᵀ`, an `m × k` tensor
    /// of the input's scalar type.
    ///
    /// Computed in `Double` (each entry summed over features in order) and rounded once to
    /// `Scalar`. NaN or infinity in `x` propagates to the affected rows.
    ///
    /// - Parameters:
    ///   - x: `m` rows of ``featureCount`` features (trailing dimensions are flattened).
    ///   - pool: a running pool to spread blocks of rows over; the result does not depend on it.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the rows do not have ``featureCount``
    ///   features.
    /// - Complexity: O(*m·d·k*).
    public func transform<Scalar>(_ x: Tensor<Scalar>, pool: BlockPool? = nil) throws(NumericsError) -> Tensor<Scalar> {
        let m = x.rowCount, d = featureCount, k = componentCount
        guard x.rowWidth == d else {
            throw .shapeMismatch("PCA fitted on \(d) features, got rows of \(x.rowWidth)")
        }
        var centred = x.scalars.map { Double($0) }
        for i in 0..<m {
            for j in 0..<d { centred[i * d + j] -= mean[j] }
        }
        let ct = MatrixKernels.transpose(components.scalars, rows: k, columns: d)
        let z = MatrixKernels.multiply(centred, ct, rows: m, inner: d, columns: k, pool: pool)
        return Tensor<Scalar>(uncheckedShape: [m, k], scalars: z.map { Scalar($0) })
    }

    enum CodingKeys: String, CodingKey {
        case mean
        case components
        case explainedVariance = "explained_variance"
        case explainedVarianceRatio = "explained_variance_ratio"
        case sampleCount = "n_samples"
    }

    /// Decodes a stored model and checks it as ``init(mean:components:explainedVariance:explainedVarianceRatio:sampleCount:)``
    /// does; a stored model is untrusted input.
    /// - Throws: `DecodingError.dataCorrupted` naming the problem when the parts do not fit.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                mean: c.decode([Double].self, forKey: .mean),
                components: c.decode(Tensor<Double>.self, forKey: .components),
                explainedVariance: c.decode([Double].self, forKey: .explainedVariance),
                explainedVarianceRatio: c.decode([Double].self, forKey: .explainedVarianceRatio),
                sampleCount: c.decode(Int.self, forKey: .sampleCount))
        } catch let error as NumericsError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }
}
