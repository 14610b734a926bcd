import AssayNumerics

/// Alibi Detect's `KSDrift`: a two-sample Kolmogorov–Smirnov test per feature, with Bonferroni
/// or FDR aggregation. Defaults as Alibi's: `p_val=0.05`, `correction=bonferroni`,
/// `alternative=two-sided`, `method=asymp` (what KSDrift computes; `exact` and `auto` as SciPy's
/// `ks_2samp`).
public struct KSDrift: Detector, Equatable {
    public static let kind = "drift.ks"
    public static let version = 1
    public let engine: FeatureWiseDrift

    public init(reference: Tensor<Double>, pVal: Double = 0.05, correction: Correction = .bonferroni,
                alternative: KSAlternative = .twoSided, method: KSMethod = .asymp, driftType: DriftType = .batch, pool: BlockPool? = nil) throws(DetectorError) {
        let k = reference.rowWidth
        engine = try FeatureWiseDrift(reference: reference, tests: Array(repeating: .kolmogorovSmirnov(alternative: alternative, method: method), count: k),
                                      pVal: pVal, correction: correction, driftType: driftType, pool: pool)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        try engine.detect(x)
    }
}
