extension PipelineSpec {
    /// One detector of a pipeline: an entry of `detectors:` in a spec.
    public struct DetectorStep: Sendable, Hashable {
        /// What a detector watches.
        public enum Input: Sendable, Hashable {
            /// The request features (`input: inputs`, the default).
            case inputs
            /// The model's outputs, such as softmax scores for drift on predictions (`input: outputs`).
            case outputs
            /// The output of another detector of the pipeline (`input: NAME.output`).
            case component(String)

            /// The spec text: `inputs`, `outputs` or `NAME.output`.
            public var text: String {
                switch self {
                case .inputs: return "inputs"
                case .outputs: return "outputs"
                case .component(let name): return "\(name).output"
                }
            }
        }

        /// The name, unique in the pipeline: letters, digits, `_` and `-`.
        public var name: String
        /// A fitted detector artifact: an id, a unique id prefix or a name, resolved by the replay.
        public var detector: String
        /// What the detector watches.
        public var input: Input
        /// Windows for this detector alone; `nil` to use the pipeline's.
        public var window: WindowSpec?
        /// For an outlier detector: a window alerts when more than this fraction of its
        /// instances are outliers (`max_outlier_rate:`; default ``defaultMaxOutlierRate``).
        public var maxOutlierRate: Double?

        /// The outlier rate above which a window alerts when the spec gives none.
        public static let defaultMaxOutlierRate = 0.1

        public init(name: String, detector: String, input: Input = .inputs, window: WindowSpec? = nil, maxOutlierRate: Double? = nil) {
            self.name = name
            self.detector = detector
            self.input = input
            self.window = window
            self.maxOutlierRate = maxOutlierRate
        }
    }
}
