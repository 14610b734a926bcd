/// Kernel SHAP values for a batch of instances, as ``KernelSHAP/explain(_:predictor:rng:)``
/// returns them. JSON keys follow shap and Alibi's `KernelShap` (`shap_values`,
/// `expected_value`, `raw_prediction`).
public struct KernelSHAPExplanation: Codable, Sendable, Equatable {
    /// The attributions, indexed `[output][instance][feature]` (Alibi's list of `n × M` arrays,
    /// one per model output). In link space: for every instance and output they sum to
    /// `link(f(x)) − expectedValue` (up to rounding and the zeroing of values below 1e-10).
    public var shapValues: [[[Double]]]
    /// `link(Σ_b w_b f(background_b))` per output: the weighted mean model output over the
    /// background, in link space.
    public var expectedValue: [Double]
    /// The model's outputs for the instances, `[instance][output]`, not linked.
    public var rawPrediction: [[Double]]
    /// Per instance, the features that differ from some background row (the others get 0).
    public var varyingFeatures: [[Int]]
    /// Per instance, the distinct coalitions evaluated (0 when fewer than two features vary).
    public var coalitions: [Int]
    /// Model calls this explanation made.
    public var modelCalls: Int
    /// Rows sent to the model by this explanation.
    public var modelRows: Int

    public init(shapValues: [[[Double]]], expectedValue: [Double], rawPrediction: [[Double]],
                varyingFeatures: [[Int]], coalitions: [Int], modelCalls: Int, modelRows: Int) {
        self.shapValues = shapValues
        self.expectedValue = expectedValue
        self.rawPrediction = rawPrediction
        self.varyingFeatures = varyingFeatures
        self.coalitions = coalitions
        self.modelCalls = modelCalls
        self.modelRows = modelRows
    }

    enum CodingKeys: String, CodingKey {
        case shapValues = "shap_values"
        case expectedValue = "expected_value"
        case rawPrediction = "raw_prediction"
        case varyingFeatures = "varying_features"
        case coalitions
        case modelCalls = "model_calls"
        case modelRows = "model_rows"
    }
}
