import AssayStore

/// A replay pipeline, as written in a spec file (YAML): the model, the detectors and what each
/// watches, the windowing and the seed.
///
/// Parse one with ``parse(yaml:file:)`` (see <doc:PipelineSpec> for the grammar and an example);
/// record it with ``canonicalJSON``, which is the same for the same pipeline however the file
/// orders its keys or comments it. References to artifacts stay text here; the replay resolves
/// them against the workspace.
public struct PipelineSpec: Sendable, Hashable {
    /// The spec format version this code reads.
    public static let currentVersion = 1

    /// The `version:` of the file; always ``currentVersion``.
    public var version: Int
    /// Where predictions come from.
    public var model: ModelSource
    /// The detectors, in the order written; names are unique and inputs form no cycle.
    public var detectors: [DetectorStep]
    /// The metrics servers, in the order written; names are unique among detectors and metrics.
    public var metrics: [MetricStep]
    /// How the capture is cut into windows.
    public var window: WindowSpec
    /// The seed of the replay; each detector draws from it split by its name.
    public var seed: UInt64

    public init(version: Int = PipelineSpec.currentVersion, model: ModelSource, detectors: [DetectorStep], metrics: [MetricStep] = [],
                window: WindowSpec, seed: UInt64 = 0) {
        self.version = version
        self.model = model
        self.detectors = detectors
        self.metrics = metrics
        self.window = window
        self.seed = seed
    }

    /// The detectors in an order that runs each after the detector it watches (if any), ties
    /// kept in the order written. Parsing guarantees there is no cycle.
    public var executionOrder: [DetectorStep] {
        var done: Set<String> = []
        var order: [DetectorStep] = []
        var remaining = detectors
        while !remaining.isEmpty {
            let before = remaining.count
            remaining.removeAll { step in
                if case .component(let name) = step.input, !done.contains(name) { return false }
                order.append(step)
                done.insert(step.name)
                return true
            }
            if remaining.count == before { break }  // a cycle: parsing rejects these
        }
        return order
    }
}
