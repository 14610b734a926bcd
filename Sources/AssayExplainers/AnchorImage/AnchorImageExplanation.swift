/// An anchor of superpixels for one image, as ``AnchorImage/explain(_:predictor:threshold:delta:tau:batchSize:coverageSamples:beamSize:maxAnchorSize:minSamplesStart:rng:)``
/// returns it. JSON keys follow Alibi's `data` and `data.raw` where it has one (`segments`,
/// `precision`, `coverage`, `prediction`, `success`, `covered_true`, …); `anchor` holds
/// superpixel ids where Alibi holds the masked image.
public struct AnchorImageExplanation: Codable, Sendable, Equatable {
    /// The superpixel label of each pixel (H·W, row-major, `0…S−1`).
    public var segments: [Int32]
    /// The anchor's superpixels, in the order the search added them. Empty when the model's
    /// prediction holds whatever is perturbed.
    public var anchor: [Int]
    /// The estimated precision: the fraction of samples keeping the anchor's superpixels on
    /// which the model kept the prediction (of all samples when the anchor is empty).
    public var precision: Double
    /// The fraction of coverage masks keeping every anchor superpixel (about `0.5^|anchor|`);
    /// 1 when empty.
    public var coverage: Double
    /// Per pixel (H·W), 1 when it lies in an anchor superpixel, else 0.
    public var mask: [UInt8]
    /// Per prefix of ``anchor``: its estimated precision.
    public var partialPrecision: [Double]
    /// Per prefix of ``anchor``: its coverage.
    public var partialCoverage: [Double]
    /// The class explained: the model's class for the image.
    public var prediction: Int
    /// Whether the anchor meets the precision threshold (else it is the most precise seen).
    public var success: Bool
    /// Up to 10 sampled images (H·W·C, the input's values) keeping the anchor on which the model
    /// kept the prediction.
    public var coveredTrue: [[Double]]
    /// Up to 10 sampled images keeping the anchor on which the model changed its prediction.
    public var coveredFalse: [[Double]]
    /// Images sampled and sent to the model, not counting the explained one.
    public var samples: Int
    /// Model calls this explanation made (one for the image, one per sampled batch).
    public var modelCalls: Int

    public init(segments: [Int32], anchor: [Int], precision: Double, coverage: Double, mask: [UInt8],
                partialPrecision: [Double], partialCoverage: [Double], prediction: Int, success: Bool,
                coveredTrue: [[Double]], coveredFalse: [[Double]], samples: Int, modelCalls: Int) {
        self.segments = segments
        self.anchor = anchor
        self.precision = precision
        self.coverage = coverage
        self.mask = mask
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
        case segments, anchor, precision, coverage, mask
        case partialPrecision = "partial_precision"
        case partialCoverage = "partial_coverage"
        case prediction, success
        case coveredTrue = "covered_true"
        case coveredFalse = "covered_false"
        case samples
        case modelCalls = "model_calls"
    }
}
