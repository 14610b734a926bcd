import AssayNumerics

/// Alibi Detect's `LSDDDrift` (least-squares density difference) with a permutation test, as
/// its TensorFlow backend computes it (spec §3.3): features normalised by the reference mean and
/// population standard deviation, σ by the median heuristic on the normalised reference, kernel
/// centres drawn from the reference by the seeded generator, the regulariser λ chosen per batch.
///
/// Alibi's `update_x_ref` inconsistency (the kernel centres frozen while the split size follows
/// the updated reference) is not reproduced: the reference here is fixed at fit time.
public struct LSDDDrift: Detector {
    public static let kind = "drift.lsdd"
    public static let version = 1

    public let pVal: Double
    public let permutationCount: Int
    public let lambdaRDMax: Double
    public let mean: [Double]
    public let scale: [Double]
    public let sigma: Double
    /// The kernel centres (normalised rows of the reference).
    public let centres: Tensor<Double>
    /// k(effective reference, centres): the reference rows that are not centres.
    let referenceToCentres: Tensor<Double>
    /// H = exp(−‖cᵢ − cⱼ‖² / (4σ²)).
    let h: Tensor<Double>
    let pool: BlockPool?

    /// - Parameters:
    ///   - kernelCenters: number of centres (default `max(n / 20, 1)`).
    ///   - rng: draws the centres (and the 1e-6 jitter when two centres coincide).
    public init(reference: Tensor<Double>, pVal: Double = 0.05, permutations: Int = 100, sigma: Double? = nil,
                kernelCenters: Int? = nil, lambdaRDMax: Double = 0.2, rng: inout SeededGenerator, pool: BlockPool? = nil) throws(DetectorError) {
        try self.init(reference: reference, pVal: pVal, permutations: permutations, sigma: sigma, kernelCenters: kernelCenters,
                      lambdaRDMax: lambdaRDMax, rng: &rng, order: nil, pool: pool)
    }

    /// As the public initialiser, with `order` (a permutation of the reference rows; the first
    /// `kernelCenters` are the centres) given instead of drawn, for checking against a reference
    /// implementation.
    init(reference: Tensor<Double>, pVal: Double, permutations: Int, sigma: Double?, kernelCenters: Int?, lambdaRDMax: Double,
         rng: inout SeededGenerator, order givenOrder: [Int]?, pool: BlockPool?) throws(DetectorError) {
        let ref = reference.rowMatrix()
        let n = ref.rowCount, d = ref.rowWidth
        guard n >= 3 else { throw .invalidData(place: "reference", problem: "has \(n) rows; LSDD needs at least 3", fix: "Fit on more rows.") }
        if let (i, v) = ref.firstNonFinite() {
            throw .invalidData(place: "reference row \(i / max(d, 1) + 1)", problem: "holds \(v)", fix: "Remove or impute missing values before fitting.")
        }
        guard pVal > 0, pVal < 1 else { throw .invalidParameter(name: "p_val", problem: "\(pVal) is not in (0, 1)", valid: "Pass a level such as 0.05.") }
        guard permutations >= 1 else { throw .invalidParameter(name: "n_permutations", problem: "\(permutations) < 1", valid: "Pass at least 1.") }
        let centresCount = kernelCenters ?? max(n / 20, 1)
        guard centresCount >= 1, centresCount < n else {
            throw .invalidParameter(name: "n_kernel_centers", problem: "\(centresCount) is not between 1 and \(n - 1)", valid: "Pass fewer centres than reference rows.")
        }
        if let sigma, !(sigma > 0 && sigma.isFinite) { throw .invalidParameter(name: "sigma", problem: "\(sigma) is not positive", valid: "Pass a positive bandwidth.") }
        self.pVal = pVal
        self.permutationCount = permutations
        self.lambdaRDMax = lambdaRDMax
        self.pool = pool

        // Normalise by the reference mean and population standard deviation.
        var mean = [Double](repeating: 0, count: d), scale = [Double](repeating: 0, count: d)
        for j in 0..<d {
            let col = ref.column(j)
            var s = 0.0
            for v in col { s += v }
            let mu = s / Double(n)
            var ss = 0.0
            for v in col { ss += (v - mu) * (v - mu) }
            mean[j] = mu
            scale[j] = (ss / Double(n)).squareRoot() + 1e-12
        }
        self.mean = mean
        self.scale = scale
        let normalised = LSDDDrift.normalise(ref, mean: mean, scale: scale)

        let sig: Double
        if let sigma { sig = sigma } else {
            let d2 = (try? PairwiseDistances.squaredEuclidean(normalised, normalised, pool: pool).scalars) ?? []
            sig = GaussianRBF.medianSigma(squaredDistances: d2, selfRows: n)
        }
        self.sigma = sig

        // Centres: the first rows of a seeded permutation of the reference.
        var order = Array(0..<n)
        if let givenOrder, givenOrder.sorted() == order {
            order = givenOrder
        } else {
            var centreRNG = rng.child("kernel-centres")
            centreRNG.shuffle(&order)
        }
        var c = normalised.rows(Array(order[0..<centresCount]))
        let rest = normalised.rows(Array(order[centresCount...]))
        var distinct = Set<[UInt64]>()
        var duplicates = false
        for i in 0..<centresCount where !distinct.insert(c.row(i).map(\.bitPattern)).inserted { duplicates = true }
        if duplicates {
            var jitter = rng.child("kernel-centre-jitter")
            var s = c.scalars
            for i in s.indices { s[i] += 1e-6 * jitter.normal() }
            c = (try? Tensor(shape: c.shape, scalars: s)) ?? c
        }
        centres = c
        referenceToCentres = LSDDDrift.kernel(rest, c, sigma: sig, pool: pool)
        let cc = (try? PairwiseDistances.squaredEuclidean(c, c, pool: pool)) ?? c
        h = Tensor(uncheckedRows: centresCount, columns: centresCount, scalars: cc.scalars.map { DeterministicMath.exp(-$0 / (4 * sig * sig)) })
    }

    static func normalise(_ x: Tensor<Double>, mean: [Double], scale: [Double]) -> Tensor<Double> {
        let d = x.rowWidth
        var s = x.scalars
        for i in 0..<x.rowCount { for j in 0..<d { s[i * d + j] = (s[i * d + j] - mean[j]) / scale[j] } }
        return Tensor(uncheckedRows: x.rowCount, columns: d, scalars: s)
    }

    static func kernel(_ x: Tensor<Double>, _ c: Tensor<Double>, sigma: Double, pool: BlockPool?) -> Tensor<Double> {
        let d2 = (try? PairwiseDistances.squaredEuclidean(x, c, pool: pool)) ?? x
        return Tensor(uncheckedRows: x.rowCount, columns: c.rowCount, scalars: GaussianRBF.kernel(d2.scalars, sigmas: [sigma]))
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        let batch = x.rowMatrix()
        guard batch.rowCount >= 2 else { throw DetectorError.invalidData(place: "input", problem: "has \(batch.rowCount) rows; LSDD needs at least 2", fix: "Pass a larger batch.") }
        guard batch.rowWidth == mean.count else {
            throw DetectorError.invalidData(place: "input", problem: "has \(batch.rowWidth) features per row, the reference has \(mean.count)", fix: "Pass data with the reference's columns, in the same order.")
        }
        if let (i, v) = batch.firstNonFinite() {
            throw DetectorError.invalidData(place: "input row \(i / batch.rowWidth + 1), feature \(i % batch.rowWidth)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        let kyc = LSDDDrift.kernel(LSDDDrift.normalise(batch, mean: mean, scale: scale), centres, sigma: sigma, pool: pool)
        let all = try referenceToCentres.concatenatingRows(kyc)
        let nx = referenceToCentres.rowCount, total = all.rowCount
        let perms = PermutationTest.permutations(permutationCount, of: total, rng: &rng)

        let observedH = LSDDDrift.meanDifference(all, isReference: { $0 < nx }, referenceCount: nx)
        let permutedH: [[Double]] = perms.map { p in
            var isRef = [Bool](repeating: false, count: total)
            for i in 0..<nx { isRef[p[i]] = true }
            return LSDDDrift.meanDifference(all, isReference: { isRef[$0] }, referenceCount: nx)
        }

        // λ: the largest of 1/4^i (i = 0…9) whose mean relative difference is below lambda_rd_max.
        var chosen: Tensor<Double>? = nil
        for i in 0..<10 {
            let lambda = 1 / Double(1 << (2 * i))
            let (factor, hLambdaInverse) = try regularised(lambda)
            var rd = 0.0
            for hv in permutedH {
                let omega = try factor.solve(hv)
                let hOmega = LSDDDrift.multiply(h, omega)
                rd += 1 - LSDDDrift.dot(omega, hOmega) / LSDDDrift.dot(hv, omega)
            }
            rd /= Double(permutedH.count)
            if rd < lambdaRDMax {
                chosen = hLambdaInverse
                break
            }
        }
        guard let hInv = chosen else {
            throw DetectorError.invalidData(place: "input", problem: "no regularisation λ in 1, 1/4, …, 1/4^9 brings the relative difference below lambda_rd_max=\(lambdaRDMax) (too many repeated rows?)",
                                            fix: "Pass data with fewer duplicate rows, or raise lambda_rd_max.")
        }
        func lsdd(_ v: [Double]) -> Double { LSDDDrift.dot(v, LSDDDrift.multiply(hInv, v)) }
        let observed = lsdd(observedH)
        let permuted = permutedH.map(lsdd)
        let (p, distanceThreshold) = PermutationTest.summarize(observed: observed, permuted: permuted, level: pVal)
        return DriftResult(isDrift: .flag(p < pVal ? 1 : 0), pVal: .number(p), threshold: .number(pVal),
                           distance: .number(observed), distanceThreshold: distanceThreshold)
    }

    /// The LSDD statistic of `x` against the reference for a fixed regulariser `lambda` (the
    /// unpermuted split), for checking against a reference implementation.
    func statistic(_ x: Tensor<Double>, lambda: Double) throws -> Double {
        let all = try referenceToCentres.concatenatingRows(
            LSDDDrift.kernel(LSDDDrift.normalise(x.rowMatrix(), mean: mean, scale: scale), centres, sigma: sigma, pool: pool))
        let nx = referenceToCentres.rowCount
        let hv = LSDDDrift.meanDifference(all, isReference: { $0 < nx }, referenceCount: nx)
        let (_, hInv) = try regularised(lambda)
        return LSDDDrift.dot(hv, LSDDDrift.multiply(hInv, hv))
    }

    /// The Cholesky factor of `H + λI` and `H_λ⁻¹ = 2A − AᵀHA` with `A = (H + λI)⁻¹`.
    func regularised(_ lambda: Double) throws -> (CholeskyFactorization, Tensor<Double>) {
        try LSDDDrift.regularised(h, lambda: lambda)
    }

    /// ``regularised(_:)`` for a given `H`.
    ///
    /// Alibi's `2A − AᵀHA` subtracts two nearly equal matrices when λ is small (NumPy's float64
    /// evaluation of it is off by up to 5e-11 relative on the fixtures); Assay evaluates the equal
    /// `A (H + 2λI) A`, a product of symmetric positive definite factors with no cancellation,
    /// which stays within 1e-10 of the 50-digit value (1e-14 unless `H + λI` is close to
    /// singular).
    static func regularised(_ h: Tensor<Double>, lambda: Double) throws -> (CholeskyFactorization, Tensor<Double>) {
        let c = h.shape[0]
        var reg = h.scalars
        for j in 0..<c { reg[j * c + j] += lambda }
        let factor = try CholeskyFactorization(Tensor(uncheckedRows: c, columns: c, scalars: reg))
        let a = factor.inverse()
        var shifted = h.scalars
        for j in 0..<c { shifted[j * c + j] += 2 * lambda }
        let middle = Tensor(uncheckedRows: c, columns: c, scalars: shifted)
        return (factor, try (try a.matmul(middle)).matmul(a))
    }

    /// `mean of the reference rows − mean of the other rows` of the kernel matrix, per centre,
    /// rows summed in order.
    static func meanDifference(_ all: Tensor<Double>, isReference: (Int) -> Bool, referenceCount nx: Int) -> [Double] {
        let c = all.rowWidth, total = all.rowCount
        var a = [Double](repeating: 0, count: c), b = [Double](repeating: 0, count: c)
        for i in 0..<total {
            let row = all.row(i)
            if isReference(i) { for j in 0..<c { a[j] += row[row.startIndex + j] } } else { for j in 0..<c { b[j] += row[row.startIndex + j] } }
        }
        let ny = Double(total - nx)
        return (0..<c).map { a[$0] / Double(nx) - b[$0] / ny }
    }

    static func multiply(_ m: Tensor<Double>, _ v: [Double]) -> [Double] {
        let n = m.shape[0], k = m.shape[1]
        return (0..<n).map { i in
            var s = 0.0
            for j in 0..<k { s += m.scalars[i * k + j] * v[j] }
            return s
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
}

extension Tensor where Scalar == Double {
    /// A matrix whose shape the calling code computed itself (a mismatch is a programming error,
    /// never a property of the input).
    init(uncheckedRows rows: Int, columns: Int, scalars: [Double]) {
        do {
            self = try Tensor(shape: [rows, columns], scalars: scalars)
        } catch {
            preconditionFailure("internal shape error: \(error)")
        }
    }
}
