/// An anchor for one instance, as ``AnchorTabular/explain(_:predictor:threshold:delta:tau:batchSize:coverageSamples:beamSize:maxAnchorSize:minSamplesStart:rng:)``
/// returns it. JSON keys follow Alibi's `data` and `data.raw` where it has one (`anchor`,
/// `precision`, `coverage`, `feature`, `prediction`, `success`, `covered_true`, …).
public struct AnchorExplanation: Codable, Sendable, Equatable {
    /// The predicates in words, one per feature, in the order the search added them
    /// (`"petal width (cm) <= 1.30"`, `"0.30 < petal width (cm) <= 1.30"`). Empty when the
    /// model's prediction holds without any condition.
    public var anchor: [String]
    /// The estimated precision: the fraction of samples satisfying the anchor on which the model
    /// kept the prediction (of all samples when the anchor is empty).
    public var precision: Double
    /// The fraction of the coverage samples (reference rows) the anchor covers; 1 when empty.
    public var coverage: Double
    /// The features the anchor constrains, each once, in order of first appearance (Alibi's
    /// `raw.feature`).
    public var features: [Int]
    /// The anchor's predicates in the order they were added.
    public var predicates: [AnchorPredicate]
    /// Per prefix of ``predicates`` (1, 2, … predicates): its estimated precision.
    public var partialPrecision: [Double]
    /// Per prefix of ``predicates``: its coverage.
    public var partialCoverage: [Double]
    /// The class explained: the model's class for the instance.
    public var prediction: Int
    /// Whether the anchor meets the precision threshold; when no anchor did, the search returns
    /// the most precise candidate it saw, with `success` false (as Alibi).
    public var success: Bool
    /// Up to 10 sampled rows satisfying the anchor on which the model kept the prediction.
    public var coveredTrue: [[Double]]
    /// Up to 10 sampled rows satisfying the anchor on which the model changed its prediction.
    public var coveredFalse: [[Double]]
    /// Rows sampled and sent to the model, not counting the instance.
    public var samples: Int
    /// Model calls this explanation made (one for the instance, one per sampled batch).
    public var modelCalls: Int

    public init(anchor: [String], precision: Double, coverage: Double, features: [Int], predicates: [AnchorPredicate],
                partialPrecision: [Double], partialCoverage: [Double], prediction: Int, success: Bool,
                coveredTrue: [[Double]], coveredFalse: [[Double]], samples: Int, modelCalls: Int) {
        self.anchor = anchor
        self.precision = precision
        self.coverage = coverage
        self.features = features
        self.predicates = predicates
        self.partialPrecision = partialPrecision
        self.partialCoverage = partialCoverage
        self.prediction = prediction
        self.success = success
        self.coveredTrue = coveredTrue
        self.coveredFalse = coveredFalse
        self.samples = samples
        self.modelCalls = modelCalls
    }

    enum CodingKeys: String, CodingKey {
        case anchor, precision, coverage
        case features = "feature"
        case predicates
        case partialPrecision = "partial_precision"
        case partialCoverage = "partial_coverage"
        case prediction, success
        case coveredTrue = "covered_true"
        case coveredFalse = "covered_false"
        case samples
        case modelCalls = "model_calls"
    }
}
