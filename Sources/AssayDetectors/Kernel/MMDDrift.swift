import AssayNumerics

/// Alibi Detect's `MMDDrift`: the unbiased MMD² between the reference and a batch under a Gaussian
/// RBF kernel, with a permutation test (spec §3.2).
///
/// σ: given, or the median heuristic on the reference against itself at fit time
/// (`configure_kernel_from_x_ref=True`, the default), or on the reference against each batch.
/// Permutations come from `rng` (Assay's seeded generator: Alibi's TF stream is NumPy's, so
/// permutation p-values agree with Alibi's statistically, not draw for draw).
public struct MMDDrift: Detector {
    public static let kind = "drift.mmd"
    public static let version = 1

    public let reference: Tensor<Double>
    public let pVal: Double
    public let permutationCount: Int
    /// The bandwidths used (given, or inferred from the reference at fit time); `nil` when they
    /// are inferred per batch.
    public let sigmas: [Double]?
    let pool: BlockPool?

    /// - Throws: ``DetectorError`` for an empty or non-finite reference, `p_val` outside (0, 1),
    ///   fewer than one permutation, or a non-positive σ.
    public init(reference: Tensor<Double>, pVal: Double = 0.05, permutations: Int = 100, sigma: [Double]? = nil,
                configureKernelFromReference: Bool = true, pool: BlockPool? = nil) throws(DetectorError) {
        let ref = reference.rowMatrix()
        guard ref.rowCount >= 2 else { throw .invalidData(place: "reference", problem: "has \(ref.rowCount) rows; MMD needs at least 2", fix: "Fit on more rows.") }
        if let (i, v) = ref.firstNonFinite() {
            throw .invalidData(place: "reference row \(i / max(ref.rowWidth, 1) + 1)", problem: "holds \(v)", fix: "Remove or impute missing values before fitting.")
        }
        guard pVal > 0, pVal < 1 else { throw .invalidParameter(name: "p_val", problem: "\(pVal) is not in (0, 1)", valid: "Pass a level such as 0.05.") }
        guard permutations >= 1 else { throw .invalidParameter(name: "n_permutations", problem: "\(permutations) < 1", valid: "Pass at least 1 (100 or more for a useful p-value).") }
        if let sigma {
            guard !sigma.isEmpty, sigma.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw .invalidParameter(name: "sigma", problem: "\(sigma) is not a list of positive numbers", valid: "Pass e.g. sigma=1.5 or sigma=[0.5,1,2].")
            }
        }
        self.reference = ref
        self.pVal = pVal
        self.permutationCount = permutations
        self.pool = pool
        if let sigma {
            sigmas = sigma
        } else if configureKernelFromReference {
            let d2 = (try? PairwiseDistances.squaredEuclidean(ref, ref, pool: pool)) ?? ref
            sigmas = [GaussianRBF.medianSigma(squaredDistances: d2.scalars, selfRows: ref.rowCount)]
        } else {
            sigmas = nil
        }
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        let batch = x.rowMatrix()
        let n = reference.rowCount, m = batch.rowCount
        guard m >= 2 else { throw DetectorError.invalidData(place: "input", problem: "has \(m) rows; MMD needs at least 2", fix: "Pass a larger batch.") }
        guard batch.rowWidth == reference.rowWidth else {
            throw DetectorError.invalidData(place: "input", problem: "has \(batch.rowWidth) features per row, the reference has \(reference.rowWidth)", fix: "Pass data with the reference's columns, in the same order.")
        }
        if let (i, v) = batch.firstNonFinite() {
            throw DetectorError.invalidData(place: "input row \(i / batch.rowWidth + 1), feature \(i % batch.rowWidth)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        let z = try reference.concatenatingRows(batch)
        let total = n + m
        let d2 = try PairwiseDistances.squaredEuclidean(z, z, pool: pool)
        let sig: [Double]
        if let sigmas {
            sig = sigmas
        } else {
            // σ from the cross distances (reference × batch), the lower median of n·m values.
            var cross: [Double] = []
            cross.reserveCapacity(n * m)
            for i in 0..<n { cross.append(contentsOf: d2.scalars[(i * total + n)..<(i * total + total)]) }
            sig = [GaussianRBF.medianSigma(squaredDistances: cross, selfRows: 0)]
        }
        let k = GaussianRBF.upperTriangleKernel(d2.scalars, order: total, sigmas: sig)

        var labels = [UInt8](repeating: 1, count: total)
        for i in 0..<n { labels[i] = 0 }
        let observed = MMDDrift.statistic(k, labels: labels, n: n, m: m)

        let perms = PermutationTest.permutations(permutationCount, of: total, rng: &rng)
        let kernel = k
        let permuted: [Double] = try run(blocks: fixedBlocks(count: permutationCount, size: 4)) { block in
            block.map { b in
                var lab = [UInt8](repeating: 1, count: total)
                for i in 0..<n { lab[perms[b][i]] = 0 }
                return MMDDrift.statistic(kernel, labels: lab, n: n, m: m)
            }
        }.flatMap { $0 }
        let (p, distanceThreshold) = PermutationTest.summarize(observed: observed, permuted: permuted, level: pVal)
        return DriftResult(isDrift: .flag(p < pVal ? 1 : 0), pVal: .number(p), threshold: .number(pVal),
                           distance: .number(observed), distanceThreshold: distanceThreshold)
    }

    /// Unbiased MMD² from a symmetric kernel matrix and a 0/1 label per row (0 = first sample of
    /// `n`, 1 = second of `m`).
    ///
    /// Only the upper triangle is read (each unordered pair once; the diagonal is never used).
    /// Each row's sums over `j > i` are accumulated in eight interleaved lanes and the lanes
    /// combined in a fixed order, then rows are summed in order: the same result on every machine
    /// and thread count.
    static func statistic(_ k: [Double], labels: [UInt8], n: Int, m: Int) -> Double {
        let total = n + m
        let z = labels.map { $0 == 0 ? 1.0 : 0.0 }   // 1 for the first sample
        var sxx = 0.0, syy = 0.0, sxy = 0.0
        k.withUnsafeBufferPointer { kb in
            z.withUnsafeBufferPointer { zb in
                for i in 0..<total {
                    let row = kb.baseAddress! + i * total
                    var ax = SIMD8<Double>(), at = SIMD8<Double>()
                    var j = i + 1
                    while j + 8 <= total {
                        let kv = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD8<Double>.self)
                        let zv = UnsafeRawPointer(zb.baseAddress! + j).loadUnaligned(as: SIMD8<Double>.self)
                        ax += kv * zv
                        at += kv
                        j += 8
                    }
                    var toX = ((ax[0] + ax[1]) + (ax[2] + ax[3])) + ((ax[4] + ax[5]) + (ax[6] + ax[7]))
                    var all = ((at[0] + at[1]) + (at[2] + at[3])) + ((at[4] + at[5]) + (at[6] + at[7]))
                    while j < total {
                        toX += row[j] * zb[j]
                        all += row[j]
                        j += 1
                    }
                    let toY = all - toX
                    if zb[i] == 1 { sxx += 2 * toX; sxy += toY } else { syy += 2 * toY; sxy += toX }
                }
            }
        }
        return sxx / Double(n * (n - 1)) + syy / Double(m * (m - 1)) - 2 * sxy / Double(n * m)
    }

    func run<R: Sendable>(blocks: [Range<Int>], _ body: @escaping @Sendable (Range<Int>) -> R) throws -> [R] {
        if let pool { return pool.map(blocks: blocks, body) }
        return blocks.map(body)
    }
}
