import AssayNumerics

extension KernelSHAP {
    /// The weighted least-squares step of shap's `KernelExplainer.solve` with `l1_reg=False`,
    /// for one output.
    ///
    /// With coalition masks `z` (count × m), kernel weights `w`, linked coalition values
    /// `y_k = link(E f(coalition k)) − link(f_null)` and `Δ = link(f(x)) − link(f_null)`, the
    /// last feature absorbs the efficiency constraint `Σφ = Δ`: with `e_kj = z_kj − z_k,m−1` and
    /// `t_k = y_k − z_k,m−1·Δ`, solve `(EᵀWE) φ' = EᵀW t` for the first m − 1 values, then
    /// `φ_{m−1} = Δ − Σφ'` (summed in index order). Values with |φ| < 1e-10 are set to 0, as
    /// shap does.
    ///
    /// `EᵀWE` and `EᵀWt` are accumulated coalition by coalition in plan order and solved by
    /// ``CholeskyFactorization`` (fixed order, so the same bits everywhere). shap solves with
    /// LU and falls back to `lstsq` when the matrix is singular; here, when Cholesky fails or a
    /// pivot² is below 1e-12 times the largest diagonal entry, the minimum-norm solution is
    /// taken instead, through ``SymmetricEigendecomposition`` with eigenvalues below 1e-12 times
    /// the largest treated as zero (what `lstsq` returns for a rank-deficient system).
    struct NormalEquations {
        let size: Int
        private let cholesky: CholeskyFactorization?
        private let pseudoInverse: [Double]?

        /// Factors `EᵀWE` for `plan` (at least two features).
        init(plan: CoalitionPlan) throws(ExplainerError) {
            let m = plan.features
            let n = m - 1
            size = n
            var a = [Double](repeating: 0, count: n * n)
            var e = [Double](repeating: 0, count: n)
            for k in 0..<plan.count {
                let w = plan.weights[k]
                let last: Double = plan.isMember(k, m - 1) ? 1 : 0
                for j in 0..<n { e[j] = (plan.isMember(k, j) ? 1 : 0) - last }
                for i in 0..<n where e[i] != 0 {
                    let we = w * e[i]
                    for j in 0...i where e[j] != 0 { a[i * n + j] += we * e[j] }
                }
            }
            for i in 0..<n { for j in 0..<i { a[j * n + i] = a[i * n + j] } }
            let largest = (0..<n).map { a[$0 * n + $0] }.max() ?? 0
            let matrix: Tensor<Double>
            do { matrix = try Tensor(shape: [n, n], scalars: a) } catch { throw Self.failure("\(error)") }
            if let chol = try? CholeskyFactorization(matrix),
               (0..<n).allSatisfy({ chol.lower[$0, $0] * chol.lower[$0, $0] > 1e-12 * largest }) {
                cholesky = chol
                pseudoInverse = nil
                return
            }
            cholesky = nil
            let eigen: SymmetricEigendecomposition
            do { eigen = try SymmetricEigendecomposition(matrix) } catch { throw Self.failure("\(error)") }
            let top = eigen.eigenvalues.first ?? 0
            var pinv = [Double](repeating: 0, count: n * n)
            for r in 0..<n {
                let lambda = eigen.eigenvalues[r]
                guard top > 0, lambda > 1e-12 * top else { continue }
                let v = eigen.eigenvectors.row(r).map { $0 }
                for i in 0..<n {
                    let vi = v[i] / lambda
                    for j in 0..<n { pinv[i * n + j] += vi * v[j] }
                }
            }
            pseudoInverse = pinv
        }

        private static func failure(_ problem: String) -> ExplainerError {
            .invalidData(place: "Kernel SHAP weighted least squares", problem: problem,
                         fix: "Raise nsamples so that more coalitions are evaluated")
        }

        /// The attributions of the m features for linked coalition values `y` and total `delta`.
        func solve(plan: CoalitionPlan, y: [Double], delta: Double) -> [Double] {
            let m = plan.features
            let n = size
            var rhs = [Double](repeating: 0, count: n)
            for k in 0..<plan.count {
                let last: Double = plan.isMember(k, m - 1) ? 1 : 0
                let t = plan.weights[k] * (y[k] - last * delta)
                for j in 0..<n {
                    let e = (plan.isMember(k, j) ? 1 : 0) - last
                    if e != 0 { rhs[j] += e * t }
                }
            }
            var phi: [Double]
            if let cholesky {
                phi = (try? cholesky.solve(rhs)) ?? [Double](repeating: 0, count: n)
            } else {
                let pinv = pseudoInverse ?? []
                phi = (0..<n).map { i in
                    var s = 0.0
                    for j in 0..<n { s += pinv[i * n + j] * rhs[j] }
                    return s
                }
            }
            var sum = 0.0
            for v in phi { sum += v }
            phi.append(delta - sum)
            for j in phi.indices where abs(phi[j]) < 1e-10 { phi[j] = 0 }
            return phi
        }
    }
}
