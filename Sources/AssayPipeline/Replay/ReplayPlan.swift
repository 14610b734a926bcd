import AssayDetectors
import AssayModels
import AssayNumerics
import AssayStore

/// A pipeline spec with every reference resolved to an artifact and every detector built: what
/// a replay runs, and what a reproduction rebuilds from the lineage alone.
public struct ReplayPlan: Sendable {
    /// Where predictions come from.
    public enum Model: Sendable {
        case recorded
        /// An ONNX model or a remote endpoint, ready to answer.
        case model(ModelRunner)

        public var id: ArtifactID? {
            switch self {
            case .recorded: nil
            case .model(let runner): runner.id
            }
        }
    }

    /// A detector of the pipeline, ready to run.
    public struct Component: Sendable {
        /// A drift detector (one result per window) or an outlier detector (a score per row).
        enum Built: Sendable {
            case drift(AnyDriftDetector)
            case outlier(AnyOutlierDetector)
        }

        public var name: String
        public var detector: ArtifactID
        /// The detector's kind (`drift.ks`, `outlier.vae`) and parameters, from its artifact.
        public var kind: String
        public var parameters: [String: JSONValue]
        var built: Built
        var preprocessor: Preprocessor?
        /// For an outlier detector: the outlier rate above which a window alerts.
        public var maxOutlierRate: Double?
        /// Whether the component gives a value per row (outlier scores), which others may watch.
        public var hasRowOutput: Bool { if case .outlier = built { return true } else { return false } }
        public var input: PipelineSpec.DetectorStep.Input
        /// Index into ``ReplayPlan/series``.
        public var series: Int
    }

    /// A metrics server of the pipeline.
    public struct MetricComponent: Sendable {
        public var name: String
        public var step: PipelineSpec.MetricStep
        /// Index into ``ReplayPlan/series``.
        public var series: Int
    }

    /// The truth joined to the traffic by request id.
    public struct Truth: Sendable {
        public var id: ArtifactID
        public var table: TruthTable
    }

    public var spec: PipelineSpec
    public var capture: ArtifactID
    public var model: Model
    /// Components in execution order.
    public var components: [Component]
    /// Metrics servers, in spec order.
    public var metrics: [MetricComponent]
    /// The truth, when the replay was given one.
    public var truth: Truth?
    /// The distinct windowings: the pipeline's first, then each detector's own, in spec order.
    public var series: [WindowSpec]
    public var seed: UInt64

    /// The role of a component's detector among the replay run's inputs.
    public static func detectorRole(_ name: String) -> String { "detector:" + name }

    /// Builds the plan. `detector(name)` gives the artifact of each component; `model` the model
    /// artifact (ignored for `recorded`).
    static func build(spec: PipelineSpec, capture: ArtifactID, model modelID: ArtifactID?, detectors: [String: ArtifactID],
                      truth truthID: ArtifactID? = nil, seed: UInt64, workspace: Workspace) throws -> ReplayPlan {
        var model: Model = .recorded
        if case .recorded = spec.model {} else {
            guard let modelID else { throw PipelineError.invalidInput(place: "model", problem: "no model artifact", fix: "Name a model in the spec.") }
            model = .model(try ModelRunner.load(modelID, from: workspace, purpose: "A replay"))
        }
        var series: [WindowSpec] = [spec.window]
        var components: [Component] = []
        for step in spec.executionOrder {
            let place = "detectors.\(step.name)"
            guard let id = detectors[step.name] else {
                throw PipelineError.invalidInput(place: place, problem: "no detector artifact", fix: "Name a fitted detector.")
            }
            let bytes = try workspace.blobs.bytes(of: id)
            let window = step.window ?? spec.window
            let s: Int
            if let i = series.firstIndex(of: window) { s = i } else { series.append(window); s = series.count - 1 }
            if case .component(let upstream) = step.input {
                guard let source = components.first(where: { $0.name == upstream }), source.hasRowOutput else {
                    throw PipelineError.invalidInput(
                        place: place, problem: "reads \(upstream).output, but \(upstream) is a drift detector: it gives one result per window, not a value per event",
                        fix: "Chain on the model (`input: outputs`), or on a detector with a per-event output such as outlier scores.")
                }
                guard source.series == s else {
                    throw PipelineError.invalidInput(place: place, problem: "reads \(upstream).output but has other windows than \(upstream)",
                                                     fix: "Give both the same window (or neither its own), so each window's scores feed the same window downstream.")
                }
            }
            if let outlier = try OutlierDetectorArtifact.decodeIfOutlier(bytes, place: "\(place): \(id.short)") {
                let rate = step.maxOutlierRate ?? PipelineSpec.DetectorStep.defaultMaxOutlierRate
                components.append(Component(name: step.name, detector: id, kind: outlier.kind, parameters: outlier.parameters,
                                            built: .outlier(try outlier.load(from: workspace)), preprocessor: nil, maxOutlierRate: rate,
                                            input: step.input, series: s))
                continue
            }
            if step.maxOutlierRate != nil {
                throw PipelineError.invalidInput(place: "\(place).max_outlier_rate", problem: "applies to outlier detectors; \(step.name) is a drift detector",
                                                 fix: "Remove max_outlier_rate from this detector.")
            }
            let artifact = try DetectorArtifact.decode(bytes, place: "\(place): \(id.short)")
            let reference = try MatrixData.load(artifact.reference, from: workspace)
            let built = try artifact.type.build(parameters: artifact.parameters, reference: reference.tensor, seed: artifact.seed, pool: DetectorOperations.pool)
            var preprocessor: Preprocessor?
            if let p = artifact.preprocess {
                let state = try workspace.blobs.bytes(of: p.state)
                preprocessor = try Preprocessor.load(type: p.type, bytes: state, place: p.state.short, workspace: workspace)
            }
            components.append(Component(name: step.name, detector: id, kind: artifact.kind, parameters: artifact.parameters,
                                        built: .drift(built), preprocessor: preprocessor, maxOutlierRate: nil, input: step.input, series: s))
        }
        var metrics: [MetricComponent] = []
        for step in spec.metrics {
            let window = step.window ?? spec.window
            let s: Int
            if let i = series.firstIndex(of: window) { s = i } else { series.append(window); s = series.count - 1 }
            metrics.append(MetricComponent(name: step.name, step: step, series: s))
        }
        var truth: Truth?
        if let truthID {
            truth = Truth(id: truthID, table: try TruthTable(bytes: try workspace.blobs.bytes(of: truthID), place: "truth \(truthID.short)"))
        } else if let needy = spec.metrics.first(where: \.needsTruth) {
            throw PipelineError.invalidInput(place: "metrics.\(needy.name)", problem: "a \(needy.kind.rawValue) metric needs the truth, and the replay has none",
                                             fix: "Pass --truth FILE (request_id,truth CSV or JSON lines), or remove the metric.")
        }
        return ReplayPlan(spec: spec, capture: capture, model: model, components: components, metrics: metrics, truth: truth, series: series, seed: seed)
    }

    /// True when some component reads the model's outputs, or a model is named (its outputs are
    /// summarised per window).
    var needsOutputs: Bool {
        if case .recorded = model { return !metrics.isEmpty || components.contains { $0.input == .outputs } }
        return true
    }
}
