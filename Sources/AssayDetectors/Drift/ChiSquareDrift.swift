import AssayNumerics

/// Alibi Detect's `ChiSquareDrift`: Pearson χ² per categorical feature on the 2×C table of
/// category counts (reference, batch), with Bonferroni or FDR aggregation.
///
/// Categories come from `categoriesPerFeature` (default: the reference's unique values, fixed at
/// fit time); categories first seen in a batch are added to that batch's table.
public struct ChiSquareDrift: Detector, Equatable {
    public static let kind = "drift.chisquare"
    public static let version = 1
    public let engine: FeatureWiseDrift

    /// - Parameter categoriesPerFeature: feature index → spec; features not listed use
    ///   ``CategorySpec/fromReference``.
    public init(reference: Tensor<Double>, pVal: Double = 0.05, correction: Correction = .bonferroni,
                categoriesPerFeature: [Int: CategorySpec] = [:], driftType: DriftType = .batch, pool: BlockPool? = nil) throws(DetectorError) {
        let m = reference.rowMatrix()
        for f in categoriesPerFeature.keys where f < 0 || f >= m.rowWidth {
            throw .invalidParameter(name: "categories_per_feature", problem: "feature \(f) does not exist", valid: "Use column indices 0 to \(m.rowWidth - 1).")
        }
        let tests = (0..<m.rowWidth).map { f in
            FeatureTest.chiSquare(categories: (categoriesPerFeature[f] ?? .fromReference).categories(referenceColumn: m.column(f)))
        }
        engine = try FeatureWiseDrift(reference: reference, tests: tests, pVal: pVal, correction: correction, driftType: driftType, pool: pool)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        try engine.detect(x)
    }
}
