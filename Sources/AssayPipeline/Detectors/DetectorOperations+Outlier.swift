import AssayDetectors
import AssayNumerics
import AssayStore

extension DetectorOperations {
    /// The result of fitting an outlier detector.
    public struct OutlierFitResult: Sendable {
        public var detector: ArtifactID
        public var reference: ArtifactID
        public var run: RunInfo
        public var artifact: OutlierDetectorArtifact
    }

    /// Fits an outlier detector of `type` on the reference matrix artifact `source` (training
    /// the autoencoders, growing the forest, updating Mahalanobis' online state) and infers its
    /// threshold, as one `detector.fit` run: inputs the source; outputs the reference matrix
    /// (`.npy`), the fitted state (kind `detector-state`) and the detector document. `progress`
    /// gets each training epoch and its loss (autoencoders).
    public static func fitOutlier(in workspace: Workspace, type: OutlierDetectorKind, source: ArtifactID, name: String?,
                                  assignments: [String], seed: UInt64, progress: ((Int, Double) -> Void)? = nil) throws -> OutlierFitResult {
        if let name { try Workspace.validateName(name) }
        let data = try MatrixData.load(source, from: workspace)
        try MatrixData.requireFinite(data.tensor, in: source, fix: "Remove or impute missing values before fitting.")
        let matrix = data.tensor.rowMatrix()
        guard matrix.rowCount >= 2 else {
            throw PipelineError.invalidInput(place: source.short, problem: "the reference has \(matrix.rowCount) row\(matrix.rowCount == 1 ? "" : "s")",
                                             fix: "Fit on at least two reference rows (hundreds, for a threshold worth the name).")
        }
        let params = try DetectorParameters(kind: type.rawValue, assignments: assignments)
        let resolved = try type.resolvedParameters(params, features: matrix.rowWidth)
        let fitted: AnyOutlierDetector
        do {
            fitted = try type.fit(parameters: resolved, reference: matrix, seed: seed, pool: pool, progress: progress)
        } catch {
            throw PipelineError.detector(error, place: "\(source.short): \(type.rawValue)", fix: "Check the parameters and the reference data.")
        }
        let recipe = Recipe(operation: fitOperation.name, operationVersion: fitOperation.version,
                            parameters: .object(["type": .string(type.rawValue), "parameters": .object(resolved), "preprocess": .null]),
                            seed: seed, inputs: [RunArtifact(role: "reference", id: source)])
        let run = try workspace.beginRun(recipe)
        do {
            let referenceID = try run.addOutput(bytes: NPYFormat.encode(matrix), role: "reference", kind: "matrix")
            let stateID = try run.addOutput(bytes: try fitted.stateBytes(), role: "state", kind: "detector-state")
            let artifact = OutlierDetectorArtifact(type: type, kind: type.detectorKind, version: type.detectorVersion, parameters: resolved,
                                                   threshold: fitted.threshold, state: stateID, reference: referenceID, features: matrix.rowWidth,
                                                   columns: data.columns, seed: seed)
            let detectorID = try run.addOutput(bytes: try artifact.encoded(), role: "detector", kind: "detector")
            let info = try run.commit(names: name.map { [$0: detectorID] } ?? [:])
            return OutlierFitResult(detector: detectorID, reference: referenceID, run: info, artifact: artifact)
        } catch {
            _ = try? run.fail(error)
            throw error
        }
    }

    /// Applies the outlier detector `artifact` (the document `detector`) to the matrix artifact
    /// `input`, recording a `detect` run whose output is the result document:
    /// `{"data": {instance_score, feature_score, is_outlier, threshold}, "detector", "input",
    /// "meta": {"detector_type": "outlier", "kind", "name", "version"}}` (kind `outlier-result`).
    ///
    /// The detector starts from its fitted state every time: Mahalanobis' online update applies
    /// within the batch, as Alibi's `predict` does, but is not stored (a replay carries it from
    /// window to window).
    static func detectOutlier(in workspace: Workspace, detector: ArtifactID, artifact: OutlierDetectorArtifact, input: ArtifactID, seed: UInt64) throws -> DetectResult {
        var fitted = try artifact.load(from: workspace)
        let batch = try MatrixData.load(input, from: workspace)
        let inputs = [RunArtifact(role: "detector", id: detector), RunArtifact(role: "state", id: artifact.state),
                      RunArtifact(role: "reference", id: artifact.reference), RunArtifact(role: "input", id: input)]
        let recipe = Recipe(operation: detectOperation.name, operationVersion: detectOperation.version, parameters: .object([:]), seed: seed, inputs: inputs)
        let x = batch.tensor.rowMatrix()
        guard x.rowWidth == artifact.features else {
            throw PipelineError.invalidInput(place: input.short, problem: "rows of \(x.rowWidth) features; the detector was fitted on \(artifact.features)",
                                             fix: "Pass data with the reference's columns\(MatrixData.columnsHint(artifact.columns)).")
        }
        try MatrixData.requireFinite(x, in: input)
        var document: JSONValue = .null
        let (resultID, info) = try workspace.record(recipe) { run in
            var rng = SeededGenerator(seed: seed).child("detect").child(artifact.kind)
            let result: OutlierResult
            do { result = try fitted.predict(x, rng: &rng, pool: pool) } catch {
                throw PipelineError.detector(error, place: input.short, fix: "Check that the batch is shaped like the reference.")
            }
            document = .object([
                "data": try outlierData(result),
                "detector": .string(detector.rawValue),
                "input": .string(input.rawValue),
                "meta": .object(["name": .string(artifact.type.alibiName), "detector_type": .string("outlier"),
                                 "kind": .string(artifact.kind), "version": JSONValue(artifact.version)]),
            ])
            return try run.addOutput(bytes: try document.canonicalBytes(), role: "result", kind: "outlier-result")
        }
        return DetectResult(result: resultID, document: document, run: info)
    }

    /// Alibi's `data` fields; `feature_score` is null for detectors without one.
    static func outlierData(_ r: OutlierResult) throws -> JSONValue {
        for (i, s) in r.instanceScore.enumerated() where !s.isFinite {
            throw PipelineError.invalidInput(place: "instance \(i)", problem: "the score is \(s)", fix: "The detector met values it cannot score; check the input's scale.")
        }
        return .object([
            "instance_score": .array(r.instanceScore.map(JSONValue.double)),
            "feature_score": r.featureScore.map { .array($0.map { .array($0.map(JSONValue.double)) }) } ?? .null,
            "is_outlier": .array(r.isOutlier.map { JSONValue($0) }),
            "threshold": .double(r.threshold),
        ])
    }
}
