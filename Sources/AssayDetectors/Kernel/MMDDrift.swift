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
        let rowTotals = MMDDrift.upperRowTotals(k, order: total)
        let observed = MMDDrift.statistics(k, rowTotals: rowTotals, labelSets: [labels], n: n, m: m)[0]

        let perms = PermutationTest.permutations(permutationCount, of: total, rng: &rng)
        let kernel = k
        // Four permutations per pass over the kernel matrix, which does not fit in cache.
        let permuted: [Double] = try run(blocks: fixedBlocks(count: permutationCount, size: MMDDrift.permutationsPerPass)) { block in
            let sets = block.map { b in
                var lab = [UInt8](repeating: 1, count: total)
                for i in 0..<n { lab[perms[b][i]] = 0 }
                return lab
            }
            return MMDDrift.statistics(kernel, rowTotals: rowTotals, labelSets: sets, n: n, m: m)
        }.flatMap { $0 }
        let (p, distanceThreshold) = PermutationTest.summarize(observed: observed, permuted: permuted, level: pVal)
        return DriftResult(isDrift: .flag(p < pVal ? 1 : 0), pVal: .number(p), threshold: .number(pVal),
                           distance: .number(observed), distanceThreshold: distanceThreshold)
    }

    /// Permutations evaluated per pass over the kernel matrix.
    static let permutationsPerPass = 4

    /// `Σ_{j>i} K[i][j]` for each row `i`, in the lanes ``statistics(_:rowTotals:labelSets:n:m:)``
    /// uses.
    static func upperRowTotals(_ k: [Double], order total: Int) -> [Double] {
        k.withUnsafeBufferPointer { kb in
            (0..<total).map { i in
                let row = kb.baseAddress! + i * total
                var acc = SIMD4<Double>()
                var j = i + 1
                while j + 4 <= total {
                    acc += UnsafeRawPointer(row + j).loadUnaligned(as: SIMD4<Double>.self)
                    j += 4
                }
                var sum = (acc[0] + acc[1]) + (acc[2] + acc[3])
                while j < total {
                    sum += row[j]
                    j += 1
                }
                return sum
            }
        }
    }

    /// Unbiased MMD² from a symmetric kernel matrix, once for each of up to
    /// ``permutationsPerPass`` labellings (a 0/1 label per row: 0 = first sample of `n`, 1 = second
    /// of `m`), reading the matrix once for all of them.
    ///
    /// Only the upper triangle is read (each unordered pair once; the diagonal is never used).
    /// For each row, `Σ_{j>i} K[i][j]·[label j = 0]` is accumulated in four interleaved lanes
    /// combined in a fixed order; the sum towards the second sample is the row total
    /// (``upperRowTotals(_:order:)``) minus it; rows are summed in order. A labelling's result
    /// does not depend on the others evaluated with it: the same bits on every machine, thread
    /// count and grouping.
    static func statistics(_ k: [Double], rowTotals: [Double], labelSets: [[UInt8]], n: Int, m: Int) -> [Double] {
        let total = n + m
        let count = labelSets.count
        precondition(count >= 1 && count <= permutationsPerPass && labelSets.allSatisfy { $0.count == total })
        // Indicator vectors of the first sample, padded to four with copies of the first.
        var z = [Double](repeating: 0, count: permutationsPerPass * total)
        for p in 0..<permutationsPerPass {
            let labels = labelSets[p < count ? p : 0]
            for j in 0..<total where labels[j] == 0 { z[p * total + j] = 1 }
        }
        var sxx = SIMD4<Double>(), syy = SIMD4<Double>(), sxy = SIMD4<Double>()
        k.withUnsafeBufferPointer { kb in
            z.withUnsafeBufferPointer { zb in
                let z0 = zb.baseAddress!, z1 = z0 + total, z2 = z1 + total, z3 = z2 + total
                for i in 0..<total {
                    let row = kb.baseAddress! + i * total
                    var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
                    var j = i + 1
                    while j + 4 <= total {
                        let kv = UnsafeRawPointer(row + j).loadUnaligned(as: SIMD4<Double>.self)
                        a0 += kv * UnsafeRawPointer(z0 + j).loadUnaligned(as: SIMD4<Double>.self)
                        a1 += kv * UnsafeRawPointer(z1 + j).loadUnaligned(as: SIMD4<Double>.self)
                        a2 += kv * UnsafeRawPointer(z2 + j).loadUnaligned(as: SIMD4<Double>.self)
                        a3 += kv * UnsafeRawPointer(z3 + j).loadUnaligned(as: SIMD4<Double>.self)
                        j += 4
                    }
                    var toX = SIMD4<Double>((a0[0] + a0[1]) + (a0[2] + a0[3]), (a1[0] + a1[1]) + (a1[2] + a1[3]),
                                           (a2[0] + a2[1]) + (a2[2] + a2[3]), (a3[0] + a3[1]) + (a3[2] + a3[3]))
                    while j < total {
                        toX += row[j] * SIMD4<Double>(z0[j], z1[j], z2[j], z3[j])
                        j += 1
                    }
                    let toY = rowTotals[i] - toX
                    let inX = SIMD4<Double>(z0[i], z1[i], z2[i], z3[i])
                    let inY = 1 - inX
                    // Row i in X: pairs (i, j∈X) count twice in Σxx, (i, j∈Y) once in Σxy.
                    sxx += inX * (2 * toX)
                    sxy += inX * toY + inY * toX
                    syy += inY * (2 * toY)
                }
            }
        }
        let mmd = sxx / Double(n * (n - 1)) + syy / Double(m * (m - 1)) - 2 * sxy / Double(n * m)
        return (0..<count).map { mmd[$0] }
    }

    func run<R: Sendable>(blocks: [Range<Int>], _ body: @escaping @Sendable (Range<Int>) -> R) throws -> [R] {
        if let pool { return pool.map(blocks: blocks, body) }
        return blocks.map(body)
    }
}
