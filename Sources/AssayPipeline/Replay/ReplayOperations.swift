import AssayCrypto
import AssayStore
import Foundation

/// `assay replay`: a capture through a pipeline, as one recorded run.
public enum ReplayOperations {
    public static let replayOperation = (name: "replay", version: 1)
    public static let specOperation = (name: "spec.add", version: 1)

    /// What a replay produced.
    public struct ReplayResult: Sendable {
        public var run: RunInfo
        /// The replay document (kind `replay`): every window and alert by id.
        public var summary: ArtifactID
        public var spec: ArtifactID
        public var plan: ReplayPlan
        /// Window documents per series, by window index.
        public var windows: [[ArtifactID]]
        public var alerts: [AlertRecord]
        public var events: Int
        public var rows: Int
        /// Wall time of the replay; a measurement, never hashed.
        public var seconds: Double
        /// How the truth joined the traffic (see the replay document's `truth`), or null.
        public var truth: JSONValue = .null
    }

    /// Replays the capture `capture` (a reference) through the pipeline spec in the YAML file
    /// `specFile`. `seed` overrides the spec's. `progress` gets the number of events read.
    ///
    /// Records the spec (canonical JSON, kind `pipeline-spec`), then one `replay` run whose
    /// inputs are the spec, the capture, the model and the detectors (role `detector:NAME`) and
    /// whose outputs are a document per window (kind `replay-window`), per alert the window's
    /// rows (kind `matrix`, role `evidence`) and the alert document (kind `alert`), and the
    /// replay document (kind `replay`, role `summary`). Alerts are rows of the lineage too.
    public static func replay(in workspace: Workspace, specFile: String, capture reference: String, truth truthReference: String? = nil,
                              seed: UInt64? = nil, progress: ((Int) -> Void)? = nil) throws -> ReplayResult {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: specFile))) } catch {
            throw StoreError.fileNotFound(path: specFile)
        }
        let spec = try PipelineSpec.parse(yaml: bytes, file: specFile)
        let capture = try resolve(reference, kind: "capture", place: "--capture", in: workspace,
                                  fix: "Pass a capture made by `assay capture import` (id, prefix or name).")
        var modelID: ArtifactID?
        switch spec.model {
        case .recorded: break
        case .artifact(let ref):
            modelID = try resolve(ref, kinds: ["model", "remote-model"], place: "\(specFile): model", in: workspace,
                                  fix: "Add it with `assay model add FILE.onnx --name NAME`, or use `model: recorded`.")
        case .remote(let url):
            modelID = try ModelOperations.addRemote(in: workspace, url: url, name: nil).model
        }
        var detectors: [String: ArtifactID] = [:]
        for step in spec.detectors {
            detectors[step.name] = try resolve(step.detector, kind: "detector", place: "\(specFile): detectors.\(step.name).detector", in: workspace,
                                               fix: "Fit one with `assay detector fit KIND --reference DATA --name NAME`.")
        }
        let truth = try truthReference.map { try resolve($0, kinds: ["truth", "dataset", "file"], place: "--truth", in: workspace,
                                                           fix: "Pass the truth file (request_id,truth CSV or JSON lines) or its artifact.") }
        let seed = seed ?? spec.seed
        let plan = try ReplayPlan.build(spec: spec, capture: capture, model: modelID, detectors: detectors, truth: truth, seed: seed, workspace: workspace)

        // The spec is recorded once: a replay of a spec already stored reads that artifact.
        let specBytes = try spec.canonicalJSON.canonicalBytes()
        var specID = ArtifactID(digest: try SHA256.hash(specBytes))
        if try workspace.artifact(specID)?.kind != "pipeline-spec" {
            (specID, _) = try workspace.record(Recipe(operation: specOperation.name, operationVersion: specOperation.version)) { run in
                try run.addOutput(bytes: specBytes, role: "spec", kind: "pipeline-spec")
            }
        }
        let started = Date()
        let (outcome, summary, info) = try record(plan: plan, specID: specID, in: workspace, progress: progress)
        return ReplayResult(run: info, summary: summary, spec: specID, plan: plan, windows: outcome.windows, alerts: outcome.alerts,
                            events: outcome.events, rows: outcome.rows, seconds: Date().timeIntervalSince(started), truth: outcome.truth)
    }

    /// The replay run's recipe.
    static func recipe(plan: ReplayPlan, specID: ArtifactID) -> Recipe {
        var inputs = [RunArtifact(role: "spec", id: specID), RunArtifact(role: "capture", id: plan.capture)]
        if let model = plan.model.id { inputs.append(RunArtifact(role: "model", id: model)) }
        for c in plan.components { inputs.append(RunArtifact(role: ReplayPlan.detectorRole(c.name), id: c.detector)) }
        if let truth = plan.truth { inputs.append(RunArtifact(role: "truth", id: truth.id)) }
        return Recipe(operation: replayOperation.name, operationVersion: replayOperation.version,
                      parameters: .object(["spec": plan.spec.canonicalJSON]), seed: plan.seed, inputs: inputs)
    }

    private static func record(plan: ReplayPlan, specID: ArtifactID, in workspace: Workspace,
                               progress: ((Int) -> Void)?) throws -> (ReplayEngine.Outcome, ArtifactID, RunInfo) {
        let run = try workspace.beginRun(recipe(plan: plan, specID: specID))
        do {
            let engine = ReplayEngine(plan: plan, specID: specID, runID: run.id, workspace: workspace) { bytes, role, kind in
                try run.addOutput(bytes: bytes, role: role, kind: kind)
            }
            engine.progress = progress
            let outcome = try engine.run()
            let summary = try run.addOutput(bytes: try summaryDocument(plan: plan, specID: specID, outcome: outcome).canonicalBytes(),
                                            role: "summary", kind: "replay")
            run.setMeasurements(engine.measurement.document())
            let info = try run.commit(alerts: outcome.alerts)
            return (outcome, summary, info)
        } catch {
            _ = try? run.fail(error)
            throw error
        }
    }

    /// The replay document: `{"format":"assay.replay.v1","spec","capture","model","seed","events",
    /// "rows","series":[{"window","components","windows":[ids]}],"alerts":[{"id","component","window"}]}`.
    static func summaryDocument(plan: ReplayPlan, specID: ArtifactID, outcome: ReplayEngine.Outcome) -> JSONValue {
        .object([
            "format": .string("assay.replay.v1"),
            "spec": .string(specID.rawValue), "capture": .string(plan.capture.rawValue),
            "model": plan.model.id.map { .string($0.rawValue) } ?? .null,
            "seed": JSONValue(plan.seed),
            "events": JSONValue(outcome.events), "rows": JSONValue(outcome.rows),
            "series": .array(plan.series.enumerated().map { s, window in
                .object([
                    "window": PipelineSpec.json(window),
                    "components": .array(plan.components.filter { $0.series == s }.map { .string($0.name) }),
                    "windows": .array(outcome.windows[s].map { .string($0.rawValue) }),
                ])
            }),
            "alerts": .array(outcome.alerts.map { a in
                .object(["id": .string(a.id.rawValue), "component": .string(a.component), "window": JSONValue(a.windowIndex)])
            }),
        ].merging(outcome.truth.isNull ? [:] : ["truth": outcome.truth]) { a, _ in a })
    }

    /// Resolves `reference` to an artifact of one of `kinds`.
    static func resolve(_ reference: String, kind: String, place: String, in workspace: Workspace, fix: String) throws -> ArtifactID {
        try resolve(reference, kinds: [kind], place: place, in: workspace, fix: fix)
    }

    static func resolve(_ reference: String, kinds: [String], place: String, in workspace: Workspace, fix: String) throws -> ArtifactID {
        let id: ArtifactID
        do { id = try workspace.resolveArtifact(reference) } catch {
            throw PipelineError.invalidInput(place: place, problem: "\(error)", fix: fix)
        }
        guard let info = try workspace.artifact(id), kinds.contains(info.kind) else {
            let actual = (try? workspace.artifact(id))??.kind ?? "?"
            throw PipelineError.invalidInput(place: place, problem: "\(reference) is a \(actual) artifact, not a \(kinds.joined(separator: " or "))", fix: fix)
        }
        return id
    }
}
