extension PipelineSpec {
    /// One metrics server of a pipeline (an entry of `metrics:` in a spec): predictions of each
    /// window scored against the truth joined by request id, as Seldon Core's metrics servers do.
    public struct MetricStep: Sendable, Hashable {
        /// What is measured.
        public enum Kind: String, Sendable, Hashable, CaseIterable {
            /// Seldon's BinaryClassification: TP/TN/FP/FN, accuracy, precision, recall,
            /// specificity, F1 for the `positive` label.
            case binary
            /// Seldon's MultiClassOneHot and MultiClassNumeric (truth as a one-hot list or as a
            /// label): confusion matrix, per-class counts and ratios, accuracy, macro averages.
            case multiclass
            /// RMSE, MAE and R² of the model's first output against numeric truth.
            case regression
            /// KL divergence of the window's predicted label distribution from `reference`
            /// (needs no truth).
            case kl
        }

        /// The name, unique among detectors and metrics: letters, digits, `_` and `-`.
        public var name: String
        public var kind: Kind
        /// The positive label for `binary` (default 1).
        public var positive: Int?
        /// The reference label distribution for `kl`: counts or frequencies per class.
        public var reference: [Double]?
        /// Alerts when a figure of a window falls below its bound (`accuracy: 0.9`).
        public var alertBelow: [String: Double]
        /// Alerts when a figure of a window rises above its bound (`rmse: 2.5`, `kl: 0.1`).
        public var alertAbove: [String: Double]
        /// Windows for this metric alone; `nil` to use the pipeline's.
        public var window: WindowSpec?

        public init(name: String, kind: Kind, positive: Int? = nil, reference: [Double]? = nil,
                    alertBelow: [String: Double] = [:], alertAbove: [String: Double] = [:], window: WindowSpec? = nil) {
            self.name = name
            self.kind = kind
            self.positive = positive
            self.reference = reference
            self.alertBelow = alertBelow
            self.alertAbove = alertAbove
            self.window = window
        }

        /// The figures a bound may name, per kind.
        public var figureNames: [String] {
            switch kind {
            case .binary: ["accuracy", "precision", "recall", "specificity", "f1"]
            case .multiclass: ["accuracy", "macro_precision", "macro_recall", "macro_f1"]
            case .regression: ["rmse", "mae", "r2"]
            case .kl: ["kl"]
            }
        }

        /// Whether the metric needs truth (all but `kl`).
        public var needsTruth: Bool { kind != .kl }
    }
}
