import AssayNumerics

/// Alibi Detect's `CVMDrift`: a two-sample Cramér–von Mises test per feature (SciPy's
/// `cramervonmises_2samp`, method `auto`), with Bonferroni or FDR aggregation.
public struct CVMDrift: Detector, Equatable {
    public static let kind = "drift.cvm"
    public static let version = 1
    public let engine: FeatureWiseDrift

    public init(reference: Tensor<Double>, pVal: Double = 0.05, correction: Correction = .bonferroni,
                method: CvMMethod = .auto, driftType: DriftType = .batch, pool: BlockPool? = nil) throws(DetectorError) {
        engine = try FeatureWiseDrift(reference: reference, tests: Array(repeating: .cramerVonMises(method: method), count: reference.rowWidth),
                                      pVal: pVal, correction: correction, driftType: driftType, pool: pool)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        try engine.detect(x)
    }
}
