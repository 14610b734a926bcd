import AssayNumerics

/// The test a univariate drift detector runs on one feature.
public enum FeatureTest: Sendable, Equatable, Codable {
    /// Two-sample Kolmogorov–Smirnov (SciPy `ks_2samp`); `distance` is D.
    case kolmogorovSmirnov(alternative: KSAlternative, method: KSMethod)
    /// Two-sample Cramér–von Mises (SciPy `cramervonmises_2samp`); `distance` is T.
    case cramerVonMises(method: CvMMethod)
    /// Pearson χ² on the 2×C table of category counts (SciPy `chi2_contingency`, Yates for
    /// C = 2); `distance` is χ². `categories` are the reference's (or declared) categories;
    /// categories first seen in the batch are added to the table, as Alibi Detect does.
    case chiSquare(categories: [Double])
    /// Fisher's exact test on 0/1 data (SciPy `fisher_exact`); `distance` is the sample odds
    /// ratio.
    case fisherExact(alternative: FisherAlternative)
}

/// The shared engine of Alibi Detect's univariate drift detectors (spec §2): one test per
/// feature, then ``MultipleTesting/decide(pValues:pVal:correction:driftType:)``.
///
/// Features are independent, so they are tested in parallel; each feature's result depends only
/// on its own columns, so the output is the same for any thread count.
public struct FeatureWiseDrift: Sendable, Equatable {
    /// Equality of configuration and reference; the pool does not count.
    public static func == (a: FeatureWiseDrift, b: FeatureWiseDrift) -> Bool {
        a.referenceColumns == b.referenceColumns && a.tests == b.tests && a.pVal == b.pVal
            && a.correction == b.correction && a.driftType == b.driftType
    }

    /// Reference columns, one array per feature (sorted ascending for the rank tests).
    public let referenceColumns: [[Double]]
    public let tests: [FeatureTest]
    public let pVal: Double
    public let correction: Correction
    public let driftType: DriftType
    /// Spreads features over threads; results do not depend on it.
    public let pool: BlockPool?

    /// Prepares a detector from a reference matrix (rows × features, already preprocessed).
    ///
    /// - Throws: ``DetectorError`` when the reference has no rows, a NaN or an infinity, or a
    ///   test list whose length differs from the feature count; or when `pVal` is not in (0, 1).
    public init(reference: Tensor<Double>, tests: [FeatureTest], pVal: Double, correction: Correction, driftType: DriftType,
                pool: BlockPool? = nil) throws(DetectorError) {
        let m = reference.rowMatrix()
        guard m.rowCount >= 1 else {
            throw .invalidData(place: "reference", problem: "has no rows", fix: "Fit on at least one row (several hundred for a useful test).")
        }
        guard m.rowWidth >= 1 else {
            throw .invalidData(place: "reference", problem: "has no features", fix: "Pass a matrix with at least one column.")
        }
        if let (i, v) = m.firstNonFinite() {
            throw .invalidData(place: "reference row \(i / m.rowWidth + 1), feature \(i % m.rowWidth)", problem: "is \(v)", fix: "Remove or impute missing values before fitting.")
        }
        guard tests.count == m.rowWidth else {
            throw .invalidParameter(name: "tests", problem: "\(tests.count) tests for \(m.rowWidth) features", valid: "One test per feature.")
        }
        guard pVal > 0, pVal < 1 else {
            throw .invalidParameter(name: "p_val", problem: "\(pVal) is not in (0, 1)", valid: "Pass a level such as 0.05.")
        }
        let sortColumns: @Sendable (Range<Int>) -> [[Double]] = { r in r.map { RadixSort.sortedAscending(m.column($0)) } }
        let blocks = fixedBlocks(count: m.rowWidth, size: 1)
        referenceColumns = (pool.map { $0.map(blocks: blocks, sortColumns) } ?? blocks.map(sortColumns)).flatMap { $0 }
        self.tests = tests
        self.pVal = pVal
        self.correction = correction
        self.driftType = driftType
        self.pool = pool
    }

    /// Number of features.
    public var featureCount: Int { referenceColumns.count }

    /// Tests every feature of `x` against the reference.
    ///
    /// - Throws: ``DetectorError`` for a batch with no rows, a feature count that differs from
    ///   the reference's, a NaN or infinity, non-binary data for Fisher's test, or a χ² table
    ///   with an empty category (zero expected count, which SciPy also refuses).
    public func detect(_ x: Tensor<Double>) throws(DetectorError) -> DriftResult {
        let m = x.rowMatrix()
        guard m.rowCount >= 1 else {
            throw .invalidData(place: "input", problem: "has no rows", fix: "Pass a batch with at least one row.")
        }
        guard m.rowWidth == featureCount else {
            throw .invalidData(place: "input", problem: "has \(m.rowWidth) features per row, the reference has \(featureCount)",
                               fix: "Pass data with the reference's columns, in the same order.")
        }
        if let (i, v) = m.firstNonFinite() {
            throw .invalidData(place: "input row \(i / m.rowWidth + 1), feature \(i % m.rowWidth)", problem: "is \(v)", fix: "Remove or impute missing values first.")
        }
        // One block per feature: each result depends only on its feature, so the thread count
        // never changes the output; errors are reported for the first failing feature.
        let columns = referenceColumns, tests = self.tests
        let body: @Sendable (Range<Int>) -> [Result<(Double, Double), DetectorError>] = { block in
            block.map { f in
                do throws(DetectorError) {
                    return .success(try FeatureWiseDrift.test(tests[f], reference: columns[f], batch: m.column(f), feature: f))
                } catch {
                    return .failure(error)
                }
            }
        }
        let blocks = fixedBlocks(count: featureCount, size: 1)
        let outcomes = (pool.map { $0.map(blocks: blocks, body) } ?? blocks.map(body)).flatMap { $0 }
        var statistics = [Double](repeating: 0, count: featureCount)
        var pValues = [Double](repeating: 0, count: featureCount)
        for (f, outcome) in outcomes.enumerated() {
            let (s, p) = try outcome.get()
            statistics[f] = s
            pValues[f] = p
        }
        let (isDrift, threshold) = MultipleTesting.decide(pValues: pValues, pVal: pVal, correction: correction, driftType: driftType)
        return DriftResult(isDrift: isDrift, pVal: .array(pValues), threshold: threshold, distance: .array(statistics))
    }

    static func test(_ test: FeatureTest, reference: [Double], batch: [Double], feature: Int) throws(DetectorError) -> (Double, Double) {
        do {
            switch test {
            case .kolmogorovSmirnov(let alternative, let method):
                let r = try KolmogorovSmirnov.twoSample(sorted: reference, sorted: RadixSort.sortedAscending(batch), alternative: alternative, method: method)
                return (r.statistic, r.pValue)
            case .cramerVonMises(let method):
                let r = try CramerVonMises.twoSample(sorted: reference, sorted: RadixSort.sortedAscending(batch), method: method)
                return (r.statistic, r.pValue)
            case .chiSquare(let categories):
                return try chiSquare(reference: reference, batch: batch, categories: categories, feature: feature)
            case .fisherExact(let alternative):
                for (i, v) in batch.enumerated() where v != 0 && v != 1 {
                    throw DetectorError.invalidData(place: "input row \(i + 1), feature \(feature)", problem: "is \(v), Fisher's exact test needs 0/1 data",
                                                    fix: "Encode the feature as 0/1 or use another detector.")
                }
                let n = reference.count, m = batch.count
                let sr = reference.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
                let st = batch.reduce(0) { $0 + ($1 == 1 ? 1 : 0) }
                let r = try FisherExact.test([[st, sr], [m - st, n - sr]], alternative: alternative)
                return (r.oddsRatio, r.pValue)
            }
        } catch let e as DetectorError {
            throw e
        } catch let e as NumericsError {
            throw .invalidData(place: "feature \(feature)", problem: e.description, fix: "Check the feature's values.")
        } catch {
            throw .invalidData(place: "feature \(feature)", problem: "\(error)", fix: "")
        }
    }

    static func chiSquare(reference: [Double], batch: [Double], categories: [Double], feature: Int) throws -> (Double, Double) {
        // Categories: the reference's (or declared) ones plus any first seen in the batch, sorted.
        var all = categories
        let known = Set(categories.map(\.bitPattern))
        var extra = Set<UInt64>()
        for v in batch where !known.contains(v.bitPattern) { extra.insert(v.bitPattern) }
        all += extra.map(Double.init(bitPattern:))
        all.sort()
        var refCounts = [Double](repeating: 0, count: all.count)
        var batchCounts = [Double](repeating: 0, count: all.count)
        func slot(_ v: Double) -> Int? {
            var lo = 0, hi = all.count
            while lo < hi { let mid = (lo + hi) / 2; if all[mid] < v { lo = mid + 1 } else { hi = mid } }
            return lo < all.count && all[lo] == v ? lo : nil
        }
        for v in reference { if let s = slot(v) { refCounts[s] += 1 } }
        for v in batch { if let s = slot(v) { batchCounts[s] += 1 } }
        for (i, c) in all.enumerated() where refCounts[i] == 0 && batchCounts[i] == 0 {
            throw DetectorError.invalidData(place: "feature \(feature), category \(c)", problem: "occurs in neither the reference nor the batch, so its expected count is zero (SciPy's chi2_contingency refuses it too)",
                                            fix: "Declare only categories that occur, or fit the detector on data that contains them.")
        }
        let r = try ChiSquareContingency.test([refCounts, batchCounts], correction: true)
        return (r.statistic, r.pValue)
    }
}
