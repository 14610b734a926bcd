/// The Cholesky factorization `A = L Lᵀ` of a symmetric positive-definite matrix, for solving
/// `A x = b` (LSDD's `(H + λI)⁻¹ h`) and inverting covariance matrices (Mahalanobis).
///
/// ## Algorithm (fixed)
///
/// Cholesky–Banachiewicz, row by row: for `i` in order, for `j ≤ i`,
/// `s = a_ij − l_i0·l_j0 − l_i1·l_j1 − … − l_i,j−1·l_j,j−1` (subtracted in index order), then
/// `l_ii = √s` or `l_ij = s / l_jj`. Solves are forward then back substitution, each sum in
/// index order. Only IEEE arithmetic and `squareRoot()`, so results are bit-identical everywhere.
///
/// ```swift
/// let a = try Tensor<Double>(rows: [[4, 2], [2, 3]])
/// let chol = try CholeskyFactorization(a)
/// let x = try chol.solve([2, 1])     // a · x == [2, 1]
/// ```
public struct CholeskyFactorization: Sendable, Equatable {
    /// The lower-triangular factor `L` (`n × n`, zeros above the diagonal).
    public let lower: Tensor<Double>

    /// The order `n` of the matrix.
    public var order: Int { lower.shape[0] }

    /// Factors the symmetric positive-definite matrix `a`. Only its lower triangle (diagonal
    /// included) is read.
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `a` is not square;
    ///   ``NumericsError/nonFinite(where:)`` when an entry of the lower triangle is NaN or
    ///   infinite; ``NumericsError/notComputable(_:)`` when a pivot is not positive (the matrix is
    ///   not positive definite, or is too ill-conditioned to tell), naming the row.
    /// - Complexity: O(*n³*/3) time, O(*n²*) memory.
    public init(_ a: Tensor<Double>) throws(NumericsError) {
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            throw .shapeMismatch("Cholesky factorization needs a square matrix, got shape \(a.shape)")
        }
        let n = a.shape[0]
        let x = a.scalars
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = x[i * n + j]
                guard s.isFinite else { throw .nonFinite(where: "matrix entry (\(i), \(j))") }
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0, s.isFinite else {
                        throw .notComputable("matrix is not positive definite (pivot \(i) is \(s))")
                    }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        self.lower = Tensor(uncheckedShape: [n, n], scalars: l)
    }

    /// Solves `A x = b` by forward substitution with `L` then back substitution with `Lᵀ`.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `b.count` is not ``order``.
    /// - Complexity: O(*n²*).
    public func solve(_ b: [Double]) throws(NumericsError) -> [Double] {
        let n = order
        guard b.count == n else {
            throw .shapeMismatch("right-hand side has \(b.count) entries, the matrix has order \(n)")
        }
        return solveUnchecked(b)
    }

    /// ``solve(_:)-([Double])`` for a `b` already known to have ``order`` entries.
    private func solveUnchecked(_ b: [Double]) -> [Double] {
        let n = order
        let l = lower.scalars
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        var i = n - 1
        while i >= 0 {
            var s = y[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
            i -= 1
        }
        return y
    }

    /// Solves `A X = B` for every column of `b` (`n × m`), as ``solve(_:)-([Double])`` does for one.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `b` is not a matrix with ``order`` rows.
    /// - Complexity: O(*n²·m*).
    public func solve(_ b: Tensor<Double>) throws(NumericsError) -> Tensor<Double> {
        let n = order
        guard b.rank == 2, b.shape[0] == n else {
            throw .shapeMismatch("right-hand sides of shape \(b.shape) for a matrix of order \(n)")
        }
        let m = b.shape[1]
        var out = [Double](repeating: 0, count: n * m)
        for j in 0..<m {
            let x = solveUnchecked(b.column(j))
            for i in 0..<n { out[i * m + j] = x[i] }
        }
        return Tensor(uncheckedShape: [n, m], scalars: out)
    }

    /// The inverse `A⁻¹`, column `j` being ``solve(_:)-([Double])`` of the `j`-th unit vector.
    /// - Complexity: O(*n³*).
    public func inverse() -> Tensor<Double> {
        let n = order
        var out = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var unit = [Double](repeating: 0, count: n)
            unit[j] = 1
            let x = solveUnchecked(unit)
            for i in 0..<n { out[i * n + j] = x[i] }
        }
        return Tensor(uncheckedShape: [n, n], scalars: out)
    }

    /// `log det A = 2 Σ log l_ii`, the logarithm through ``DeterministicMath/log(_:)``, summed in
    /// index order.
    /// - Complexity: O(*n*).
    public var logDeterminant: Double {
        let n = order
        var s = 0.0
        for i in 0..<n { s += DeterministicMath.log(lower.scalars[i * n + i]) }
        return 2 * s
    }
}
