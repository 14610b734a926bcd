import AssayNumerics

/// Alibi Detect's `TabularDrift`: χ² for the features listed in `categoriesPerFeature`, KS for
/// every other feature, with Bonferroni or FDR aggregation.
public struct TabularDrift: Detector, Equatable {
    public static let kind = "drift.tabular"
    public static let version = 1
    public let engine: FeatureWiseDrift

    public init(reference: Tensor<Double>, pVal: Double = 0.05, correction: Correction = .bonferroni,
                categoriesPerFeature: [Int: CategorySpec] = [:], alternative: KSAlternative = .twoSided,
                driftType: DriftType = .batch, pool: BlockPool? = nil) throws(DetectorError) {
        let m = reference.rowMatrix()
        for f in categoriesPerFeature.keys where f < 0 || f >= m.rowWidth {
            throw .invalidParameter(name: "categories_per_feature", problem: "feature \(f) does not exist", valid: "Use column indices 0 to \(m.rowWidth - 1).")
        }
        let tests = (0..<m.rowWidth).map { f -> FeatureTest in
            if let spec = categoriesPerFeature[f] {
                return .chiSquare(categories: spec.categories(referenceColumn: m.column(f)))
            }
            return .kolmogorovSmirnov(alternative: alternative, method: .asymp)
        }
        engine = try FeatureWiseDrift(reference: reference, tests: tests, pVal: pVal, correction: correction, driftType: driftType, pool: pool)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        try engine.detect(x)
    }
}
