import AssayCrypto
import AssayStore
import Foundation

/// `assay reproduce`: rebuilds a replay (or one alert of it) from the lineage and the store alone,
/// recomputes it, and compares every digest.
public enum Reproduction {
    /// One thing that differs between the record and the recomputation.
    public struct Difference: Sendable, Codable, Equatable {
        /// `input`, `parameter`, `operation version`, `lineage` or `output`.
        public var kind: String
        /// What differs: an input role, a parameter path, an output's role and window.
        public var subject: String
        public var recorded: String
        public var recomputed: String
        /// More precisely where, when known (the first fields of two documents that differ).
        public var detail: String?
    }

    /// One digest that was compared.
    public struct Check: Sendable, Codable, Equatable {
        public var subject: String
        public var digest: String
    }

    public struct Report: Sendable, Codable {
        /// The run, or the alert, reproduced.
        public var subject: String
        public var run: String
        public var identical: Bool
        public var checks: [Check]
        public var differences: [Difference]
    }

    /// Reproduces what `reference` names: a replay run (all its windows) or an alert.
    public static func reproduce(_ reference: String, in workspace: Workspace, progress: ((Int) -> Void)? = nil) throws -> Report {
        switch try workspace.resolve(reference) {
        case .run(let id):
            guard let run = try workspace.run(id) else { throw StoreError.unknownReference(reference) }
            return try reproduce(run: run, alert: nil, in: workspace, progress: progress)
        case .artifact(let id):
            let rows = try workspace.alerts(id: id)
            guard let row = rows.first else {
                let kind = (try? workspace.artifact(id))??.kind ?? "?"
                throw PipelineError.invalidInput(place: reference, problem: "is a \(kind) artifact, not an alert",
                                                 fix: "Pass an alert (see `assay alerts`) or a replay run (see `assay log`).")
            }
            guard let run = try workspace.run(row.run) else { throw StoreError.unknownReference(row.run.rawValue) }
            return try reproduce(run: run, alert: row, in: workspace, progress: progress)
        }
    }

    static func reproduce(run: RunInfo, alert: AlertRecord?, in workspace: Workspace, progress: ((Int) -> Void)?) throws -> Report {
        guard run.operation == ReplayOperations.replayOperation.name else {
            throw PipelineError.invalidInput(place: run.id.rawValue, problem: "is a \(run.operation) run; reproduce rebuilds replay runs and their alerts",
                                             fix: "Pass a replay run or an alert.")
        }
        guard run.status == .succeeded else {
            throw PipelineError.invalidInput(place: run.id.rawValue, problem: "failed (\(run.error ?? "?")); there is nothing to reproduce", fix: "")
        }
        var diffs: [Difference] = []
        var checks: [Check] = []
        let current = ReplayOperations.replayOperation.version
        if run.operationVersion != current {
            diffs.append(Difference(kind: "operation version", subject: run.operation, recorded: String(run.operationVersion), recomputed: String(current),
                                    detail: "this Assay runs replay version \(current)"))
        }
        // The run's row: its recipe digest was computed from the parameters when recorded.
        let digest = try run.recipe.digest()
        if digest != run.recipeDigest {
            diffs.append(Difference(kind: "lineage", subject: "recipe digest of run \(run.id)", recorded: run.recipeDigest, recomputed: digest,
                                    detail: "the run's parameters, seed or inputs in the lineage no longer match the recipe it was recorded with"))
        } else {
            checks.append(Check(subject: "recipe", digest: digest))
        }
        // Inputs: the stored bytes must still hash to their ids.
        for input in run.inputs {
            try checkStored(input.id, subject: "input \(input.role)", kind: "input", in: workspace, checks: &checks, diffs: &diffs)
        }
        func input(_ role: String) -> ArtifactID? { run.inputs.first { $0.role == role }?.id }
        guard let specID = input("spec"), let capture = input("capture") else {
            throw PipelineError.invalidInput(place: run.id.rawValue, problem: "the replay run has no spec or capture input", fix: "The lineage was altered.")
        }
        guard let specParameter = run.parameters["spec"] else {
            throw PipelineError.invalidInput(place: run.id.rawValue, problem: "the replay run records no spec", fix: "The lineage was altered.")
        }
        // Parameters: the lineage's against the spec artifact, the alert document's against both.
        if let stored = try? JSONValue.parse(try workspace.blobs.bytes(of: specID)) {
            for (path, a, b) in JSONDifference.between(specParameter, stored, path: "spec") {
                diffs.append(Difference(kind: "parameter", subject: path, recorded: "\(b) (spec artifact \(specID.short))", recomputed: "\(a) (lineage)", detail: nil))
            }
        }
        let spec = try PipelineSpec(canonical: specParameter, place: "\(run.id): spec")
        let seed = run.seed ?? spec.seed
        var alertDoc: JSONValue?
        if let alert {
            try checkStored(alert.id, subject: "alert", kind: "output", in: workspace, checks: &checks, diffs: &diffs)
            alertDoc = try? JSONValue.parse(try workspace.blobs.bytes(of: alert.id))
            if let recordedSeed = alertDoc?["seed"]?.integerDigits, recordedSeed != String(seed) {
                diffs.append(Difference(kind: "parameter", subject: "seed", recorded: "\(recordedSeed) (alert document)", recomputed: "\(seed) (lineage)", detail: nil))
            }
        }
        var detectors: [String: ArtifactID] = [:]
        for step in spec.detectors { detectors[step.name] = input(ReplayPlan.detectorRole(step.name)) }
        let plan = try ReplayPlan.build(spec: spec, capture: capture, model: input("model"), detectors: detectors, truth: input("truth"),
                                        seed: seed, workspace: workspace)

        // Recompute, hashing instead of storing.
        let recordedOutputs = Set(run.outputs.map(\.id))
        var fresh: [ArtifactID: [UInt8]] = [:]
        let engine = ReplayEngine(plan: plan, specID: specID, runID: run.id, workspace: workspace) { bytes, role, _ in
            let id = ArtifactID(digest: try SHA256.hash(bytes))
            // Only documents that differ from every recorded output are kept, to explain them.
            if role != "evidence", !recordedOutputs.contains(id) { fresh[id] = bytes }
            return id
        }
        engine.progress = progress
        if let alert {
            guard let series = alertDoc?["series"]?.intValue ?? plan.components.first(where: { $0.name == alert.component })?.series else {
                throw PipelineError.invalidInput(place: alert.id.short, problem: "no component \(alert.component) in the replay's spec", fix: "The lineage was altered.")
            }
            engine.stopAfter = (series, alert.windowIndex)
        }
        let outcome = try engine.run()

        if let alert {
            let again = outcome.alerts.first { $0.component == alert.component && $0.windowIndex == alert.windowIndex }
            for (subject, recorded, id) in [("evidence (window rows)", alert.evidence, again?.evidence), ("window result", alert.result, again?.result), ("alert", alert.id, again?.id)] {
                if subject != "alert" { try checkStored(recorded, subject: subject, kind: "output", in: workspace, checks: &checks, diffs: &diffs) }
                guard let id else {
                    diffs.append(Difference(kind: "output", subject: subject, recorded: recorded.rawValue, recomputed: "none",
                                            detail: "the recomputed window \(alert.windowIndex) of \(alert.component) raises no alert"))
                    continue
                }
                if id == recorded { checks.append(Check(subject: "recomputed \(subject)", digest: id.rawValue)) }
                else {
                    diffs.append(Difference(kind: "output", subject: "\(subject) of \(alert.component) window \(alert.windowIndex)", recorded: recorded.rawValue,
                                            recomputed: id.rawValue, detail: documentDetail(recorded: recorded, fresh: fresh[id], in: workspace)))
                }
            }
            return Report(subject: alert.id.rawValue, run: run.id.rawValue, identical: diffs.isEmpty, checks: checks, differences: diffs)
        }

        // The whole replay: every output, window by window.
        for output in run.outputs where output.role != "summary" {
            try checkStored(output.id, subject: "\(output.role) output", kind: "output", in: workspace, checks: &checks, diffs: &diffs, record: false)
        }
        guard let summaryID = run.outputs.first(where: { $0.role == "summary" })?.id,
              let summary = try? JSONValue.parse(try workspace.blobs.bytes(of: summaryID)) else {
            throw PipelineError.invalidInput(place: run.id.rawValue, problem: "the replay document is missing or unreadable", fix: "Run assay fsck.")
        }
        let recordedSeries = summary["series"]?.arrayValue ?? []
        for s in 0..<max(recordedSeries.count, outcome.windows.count) {
            let before = recordedSeries.indices.contains(s) ? (recordedSeries[s]["windows"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(ArtifactID.init(validating:)) } : []
            let after = s < outcome.windows.count ? outcome.windows[s] : []
            if before.count != after.count {
                diffs.append(Difference(kind: "output", subject: "windows of series \(s)", recorded: String(before.count), recomputed: String(after.count), detail: nil))
            }
            for i in 0..<min(before.count, after.count) where before[i] != after[i] {
                diffs.append(Difference(kind: "output", subject: "window \(i) of series \(s)", recorded: before[i].rawValue, recomputed: after[i].rawValue,
                                        detail: documentDetail(recorded: before[i], fresh: fresh[after[i]], in: workspace)))
            }
        }
        let recordedAlerts = Set(run.outputs.filter { $0.role == "alert" }.map(\.id))
        let freshAlerts = Set(outcome.alerts.map(\.id))
        for a in outcome.alerts where !recordedAlerts.contains(a.id) {
            diffs.append(Difference(kind: "output", subject: "alert of \(a.component) window \(a.windowIndex)", recorded: "none", recomputed: a.id.rawValue, detail: nil))
        }
        for a in recordedAlerts.subtracting(freshAlerts).sorted(by: { $0.rawValue < $1.rawValue }) {
            diffs.append(Difference(kind: "output", subject: "alert", recorded: a.rawValue, recomputed: "none", detail: "not raised by the recomputation"))
        }
        let freshSummary = ArtifactID(digest: try SHA256.hash(try ReplayOperations.summaryDocument(plan: plan, specID: specID, outcome: outcome).canonicalBytes()))
        if freshSummary == summaryID { checks.append(Check(subject: "replay document (\(outcome.windows.reduce(0) { $0 + $1.count }) windows, \(outcome.alerts.count) alerts)", digest: summaryID.rawValue)) }
        else if diffs.isEmpty {
            diffs.append(Difference(kind: "output", subject: "replay document", recorded: summaryID.rawValue, recomputed: freshSummary.rawValue, detail: nil))
        }
        return Report(subject: run.id.rawValue, run: run.id.rawValue, identical: diffs.isEmpty, checks: checks, differences: diffs)
    }

    /// Checks that the stored bytes of `id` still hash to `id`.
    static func checkStored(_ id: ArtifactID, subject: String, kind: String, in workspace: Workspace, checks: inout [Check], diffs: inout [Difference],
                            record: Bool = true) throws {
        guard let (actual, _) = try workspace.blobs.rehash(id) else {
            diffs.append(Difference(kind: kind, subject: subject, recorded: id.rawValue, recomputed: "missing", detail: "the stored file is gone; run assay fsck"))
            return
        }
        if actual != id {
            diffs.append(Difference(kind: kind, subject: subject, recorded: id.rawValue, recomputed: actual.rawValue,
                                    detail: "the stored bytes were altered: they now hash to \(actual.rawValue)"))
        } else if record {
            checks.append(Check(subject: "stored \(subject)", digest: id.rawValue))
        }
    }

    /// The first fields where the recorded document and the recomputed one differ.
    static func documentDetail(recorded: ArtifactID, fresh: [UInt8]?, in workspace: Workspace) -> String? {
        guard let fresh, let b = try? JSONValue.parse(fresh), let a = try? JSONValue.parse(try workspace.blobs.bytes(of: recorded)) else { return nil }
        let d = JSONDifference.between(a, b, path: "")
        guard !d.isEmpty else { return nil }
        return d.prefix(4).map { "\($0.path): recorded \($0.a), recomputed \($0.b)" }.joined(separator: "; ") + (d.count > 4 ? "; … (\(d.count) fields)" : "")
    }
}

/// Field-by-field differences between two JSON documents.
enum JSONDifference {
    static func between(_ a: JSONValue, _ b: JSONValue, path: String) -> [(path: String, a: String, b: String)] {
        func text(_ v: JSONValue) -> String {
            let s = (try? v.canonicalString) ?? "?"
            return s.count > 80 ? String(s.prefix(77)) + "…" : s
        }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            var out: [(String, String, String)] = []
            for key in Set(x.keys).union(y.keys).sorted() {
                let p = path.isEmpty ? key : path + "." + key
                switch (x[key], y[key]) {
                case (let u?, let v?): out += between(u, v, path: p)
                case (let u?, nil): out.append((p, text(u), "absent"))
                case (nil, let v?): out.append((p, "absent", text(v)))
                default: break
                }
            }
            return out
        case (.array(let x), .array(let y)) where x.count == y.count:
            return x.indices.flatMap { between(x[$0], y[$0], path: "\(path)[\($0)]") }
        default:
            return a == b ? [] : [(path, text(a), text(b))]
        }
    }
}
