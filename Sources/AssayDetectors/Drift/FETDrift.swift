import AssayNumerics

/// Alibi Detect's `FETDrift`: Fisher's exact test per binary (0/1) feature, `alternative`
/// defaulting to `greater` (the batch has more ones than the reference), with Bonferroni or FDR
/// aggregation. `distance` is the sample odds ratio.
public struct FETDrift: Detector, Equatable {
    public static let kind = "drift.fet"
    public static let version = 1
    public let engine: FeatureWiseDrift

    public init(reference: Tensor<Double>, pVal: Double = 0.05, correction: Correction = .bonferroni,
                alternative: FisherAlternative = .greater, driftType: DriftType = .batch, pool: BlockPool? = nil) throws(DetectorError) {
        for (i, v) in reference.scalars.enumerated() where v != 0 && v != 1 && v.isFinite {
            let w = max(reference.rowWidth, 1)
            throw .invalidData(place: "reference row \(i / w + 1), feature \(i % w)", problem: "is \(v), Fisher's exact test needs 0/1 data",
                               fix: "Encode the features as 0/1 or use another detector.")
        }
        engine = try FeatureWiseDrift(reference: reference, tests: Array(repeating: .fisherExact(alternative: alternative), count: reference.rowWidth),
                                      pVal: pVal, correction: correction, driftType: driftType, pool: pool)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> DriftResult {
        try engine.detect(x)
    }
}
