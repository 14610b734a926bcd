/// The eigendecomposition `A = Vᵀ Λ V` of a real symmetric matrix by the cyclic Jacobi method,
/// with eigenvalues sorted in descending order and a fixed sign for every eigenvector.
///
/// ## Algorithm (fixed; changing it changes recorded outputs)
///
/// Cyclic Jacobi with Rutishauser's refinements, as in *Numerical Recipes* (`jacobi`): each
/// sweep visits the pairs `(p, q)`, `p < q`, row by row (`(0,1), (0,2), …, (0,n−1), (1,2), …`)
/// and annihilates `a_pq` with a plane rotation. In the first three sweeps a pair is rotated only
/// when `|a_pq|` exceeds `0.2·S/n²` (`S` = the sum of `|a_pq|` over the upper triangle at the
/// start of the sweep); after the fourth sweep an element negligible beside both diagonal
/// entries (`|a_pp| + 100|a_pq| == |a_pp|` and likewise for `q`) is set to zero instead.
/// Diagonal updates are accumulated separately and folded in at the end of each sweep. The
/// iteration stops when `S` is exactly zero; 100 sweeps without that throw. Only IEEE
/// `+ − × ÷` and `squareRoot()` are used, so the result is bit-identical on every machine and
/// build. Jacobi is slower than LAPACK's tridiagonal methods but accurate to high relative
/// precision and simple to pin down.
///
/// ## Order and signs
///
/// Eigenvalues are sorted descending; equal eigenvalues keep the order in which Jacobi left
/// them (a stable sort). Each eigenvector is then scaled by ±1 so that its component of largest
/// magnitude (the first such, on ties) is positive — the convention scikit-learn's `svd_flip`
/// applies to PCA components.
///
/// ```swift
/// let a = try Tensor<Double>(rows: [[2, 1], [1, 2]])
/// let e = try SymmetricEigendecomposition(a)
/// e.eigenvalues              // [3, 1]
/// e.eigenvectors.row(0)      // [0.7071…, 0.7071…]
/// ```
public struct SymmetricEigendecomposition: Sendable, Equatable {
    /// The eigenvalues, in descending order.
    public let eigenvalues: [Double]
    /// The unit eigenvectors as the **rows** of an `n × n` matrix: row `i` belongs to
    /// `eigenvalues[i]`. (NumPy's `eigh` returns them as columns.)
    public let eigenvectors: Tensor<Double>
    /// The number of Jacobi sweeps that were run.
    public let sweeps: Int

    /// The maximum number of sweeps before giving up.
    public static let maximumSweeps = 100

    /// Decomposes the symmetric `n × n` matrix `a`. Only its upper triangle (diagonal included)
    /// is read; the lower triangle is assumed to mirror it.
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `a` is not square;
    ///   ``NumericsError/nonFinite(where:)`` when an entry of the upper triangle is NaN or
    ///   infinite; ``NumericsError/notComputable(_:)`` when Jacobi has not converged after
    ///   ``maximumSweeps`` sweeps.
    /// - Complexity: O(*n³*) per sweep; typically 6–12 sweeps. O(*n²*) memory.
    public init(_ a: Tensor<Double>) throws(NumericsError) {
        guard a.rank == 2, a.shape[0] == a.shape[1] else {
            throw .shapeMismatch("eigendecomposition needs a square matrix, got shape \(a.shape)")
        }
        let n = a.shape[0]
        var m = a.scalars
        for i in 0..<n {
            for j in i..<n where !m[i * n + j].isFinite {
                throw .nonFinite(where: "matrix entry (\(i), \(j))")
            }
        }
        // v holds the eigenvectors as columns while iterating.
        var v = [Double](repeating: 0, count: n * n)
        for i in 0..<n { v[i * n + i] = 1 }
        var d = (0..<n).map { m[$0 * n + $0] }
        var b = d
        var z = [Double](repeating: 0, count: n)
        var sweepsRun = 0
        var converged = n <= 1

        @inline(__always)
        func rotate(_ x: inout [Double], _ i: Int, _ j: Int, _ s: Double, _ tau: Double) {
            let g = x[i], h = x[j]
            x[i] = g - s * (h + g * tau)
            x[j] = h + s * (g - h * tau)
        }

        sweep: while !converged {
            var offSum = 0.0
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n { offSum += abs(m[p * n + q]) }
            }
            if offSum == 0 {
                converged = true
                break sweep
            }
            if sweepsRun == Self.maximumSweeps { break sweep }
            sweepsRun += 1
            let threshold = sweepsRun < 4 ? 0.2 * offSum / Double(n * n) : 0
            for p in 0..<(n - 1) {
                for q in (p + 1)..<n {
                    let apq = m[p * n + q]
                    let g = 100 * abs(apq)
                    if sweepsRun > 4 && abs(d[p]) + g == abs(d[p]) && abs(d[q]) + g == abs(d[q]) {
                        m[p * n + q] = 0
                        continue
                    }
                    guard abs(apq) > threshold else { continue }
                    var h = d[q] - d[p]
                    let t: Double
                    if abs(h) + g == abs(h) {
                        t = apq / h
                    } else {
                        let theta = 0.5 * h / apq
                        let r = 1 / (abs(theta) + (1 + theta * theta).squareRoot())
                        t = theta < 0 ? -r : r
                    }
                    let c = 1 / (1 + t * t).squareRoot()
                    let s = t * c
                    let tau = s / (1 + c)
                    h = t * apq
                    z[p] -= h
                    z[q] += h
                    d[p] -= h
                    d[q] += h
                    m[p * n + q] = 0
                    for j in 0..<p { rotate(&m, j * n + p, j * n + q, s, tau) }
                    for j in (p + 1)..<q { rotate(&m, p * n + j, j * n + q, s, tau) }
                    for j in (q + 1)..<n { rotate(&m, p * n + j, q * n + j, s, tau) }
                    for j in 0..<n { rotate(&v, j * n + p, j * n + q, s, tau) }
                }
            }
            for p in 0..<n {
                b[p] += z[p]
                d[p] = b[p]
                z[p] = 0
            }
        }
        guard converged else {
            throw .notComputable("Jacobi eigendecomposition did not converge in \(Self.maximumSweeps) sweeps")
        }

        // Stable sort by descending eigenvalue, then fix each vector's sign.
        let order = (0..<n).sorted { d[$0] > d[$1] || (d[$0] == d[$1] && $0 < $1) }
        var vectors = [Double](repeating: 0, count: n * n)
        for (row, col) in order.enumerated() {
            var best = 0
            var bestMagnitude = -1.0
            for i in 0..<n where abs(v[i * n + col]) > bestMagnitude {
                bestMagnitude = abs(v[i * n + col])
                best = i
            }
            let sign: Double = v[best * n + col] < 0 ? -1 : 1
            for i in 0..<n { vectors[row * n + i] = sign * v[i * n + col] }
        }
        self.eigenvalues = order.map { d[$0] }
        self.eigenvectors = Tensor(uncheckedShape: [n, n], scalars: vectors)
        self.sweeps = sweepsRun
    }
}
