import Foundation
import AssayDetectors
import AssayNumerics
import AssayStore

/// `assay detector fit` and `assay detect`, as recorded runs.
public enum DetectorOperations {
    /// Operation names and versions in the lineage.
    public static let fitOperation = (name: "detector.fit", version: 1)
    public static let detectOperation = (name: "detect", version: 1)

    /// The shared compute pool: `ASSAY_THREADS` threads (default: all cores). Results never
    /// depend on its size.
    public static let pool: BlockPool = {
        let env = ProcessInfo.processInfo.environment["ASSAY_THREADS"].flatMap(Int.init)
        let pool = BlockPool(threadCount: max(1, env ?? BlockPool.defaultThreadCount))
        pool.start()
        return pool
    }()

    /// The result of a fit.
    public struct FitResult: Sendable {
        public var detector: ArtifactID
        public var reference: ArtifactID
        public var run: RunInfo
        public var artifact: DetectorArtifact
    }

    /// Fits a drift detector of `type` on the reference matrix artifact `source`.
    ///
    /// Records a `detector.fit` run (inputs: the source; outputs: the detector document and the
    /// reference matrix as `.npy`), and names the detector `name`.
    public static func fit(in workspace: Workspace, type: DriftDetectorKind, source: ArtifactID, name: String?,
                           assignments: [String], preprocess: String? = nil, seed: UInt64) throws -> FitResult {
        if let name { try Workspace.validateName(name) }
        var spec = try preprocess.map { (text: String) throws(PipelineError) in try Preprocessor.Spec(parsing: text) }
        // A bbsd model named by a name or prefix is recorded by its full id.
        if let model = spec?.model { spec?.model = try workspace.resolveArtifact(model).rawValue }
        let data = try MatrixData.load(source, from: workspace)
        try MatrixData.requireFinite(data.tensor, in: source, fix: "Remove or impute missing values before fitting.")
        let preprocessor = try spec.map { try Preprocessor.fit($0, reference: data.tensor, seed: seed, pool: pool, workspace: workspace) }
        let matrix = try preprocessor?.transform(data.tensor, pool: pool) ?? data.tensor.rowMatrix()
        let params = try DetectorParameters(kind: type.rawValue, assignments: assignments)
        let resolved = try type.resolvedParameters(params, features: matrix.rowWidth)
        // Build once now: bad data or parameters fail before anything is recorded.
        _ = try type.build(parameters: resolved, reference: matrix, seed: seed, pool: DetectorOperations.pool)

        let recipe = Recipe(operation: fitOperation.name, operationVersion: fitOperation.version,
                            parameters: .object(["type": .string(type.rawValue), "parameters": .object(resolved),
                                                 "preprocess": spec.map { .string($0.text) } ?? .null]),
                            seed: seed, inputs: [RunArtifact(role: "reference", id: source)]
                                + (spec?.model.flatMap { try? ArtifactID($0) }.map { [RunArtifact(role: "model", id: $0)] } ?? []))
        let run = try workspace.beginRun(recipe)
        let referenceID = try run.addOutput(bytes: NPYFormat.encode(matrix), role: "reference", kind: "matrix")
        var preprocessRecord: (type: String, spec: String, state: ArtifactID)?
        if let preprocessor, let spec {
            let state = try run.addOutput(bytes: try preprocessor.stateBytes(), role: "preprocessor", kind: "preprocessor")
            preprocessRecord = (preprocessor.type, spec.text, state)
        }
        let artifact = DetectorArtifact(type: type, kind: type.detectorKind, version: type.detectorVersion, parameters: resolved,
                                        reference: referenceID, features: matrix.rowWidth, columns: preprocessor == nil ? data.columns : nil,
                                        preprocess: preprocessRecord, seed: seed)
        let detectorID = try run.addOutput(bytes: try artifact.encoded(), role: "detector", kind: "detector")
        let info = try run.commit(names: name.map { [$0: detectorID] } ?? [:])
        return FitResult(detector: detectorID, reference: referenceID, run: info, artifact: artifact)
    }

    /// The result of applying a detector.
    public struct DetectResult: Sendable {
        public var result: ArtifactID
        public var document: JSONValue
        public var run: RunInfo
    }

    /// Applies the detector artifact `detector` to the matrix artifact `input`, recording a
    /// `detect` run whose output is the result document:
    /// `{"data": {is_drift, p_val, threshold, distance, distance_threshold}, "detector": id,
    /// "input": id, "meta": {"detector_type": "drift", "kind", "name", "version"}}`.
    public static func detect(in workspace: Workspace, detector: ArtifactID, input: ArtifactID, seed: UInt64) throws -> DetectResult {
        let bytes = try workspace.blobs.bytes(of: detector)
        if let outlier = try OutlierDetectorArtifact.decodeIfOutlier(bytes, place: detector.short) {
            return try detectOutlier(in: workspace, detector: detector, artifact: outlier, input: input, seed: seed)
        }
        let artifact = try DetectorArtifact.decode(bytes, place: detector.short)
        let reference = try MatrixData.load(artifact.reference, from: workspace)
        let batch = try MatrixData.load(input, from: workspace)
        let built = try artifact.type.build(parameters: artifact.parameters, reference: reference.tensor, seed: artifact.seed, pool: DetectorOperations.pool)
        var inputs = [RunArtifact(role: "detector", id: detector), RunArtifact(role: "reference", id: artifact.reference),
                      RunArtifact(role: "input", id: input)]
        var preprocessor: Preprocessor?
        if let p = artifact.preprocess {
            let state = try workspace.blobs.bytes(of: p.state)
            preprocessor = try Preprocessor.load(type: p.type, bytes: state, place: p.state.short, workspace: workspace)
            inputs.append(RunArtifact(role: "preprocessor", id: p.state))
            if let model = Preprocessor.modelInput(type: p.type, bytes: state) { inputs.append(RunArtifact(role: "model", id: model)) }
        }
        let recipe = Recipe(operation: detectOperation.name, operationVersion: detectOperation.version,
                            parameters: .object([:]), seed: seed, inputs: inputs)
        var document: JSONValue = .null
        let (resultID, info) = try workspace.record(recipe) { run in
            var rng = SeededGenerator(seed: seed).child("detect").child(artifact.kind)
            let x = try preprocessor?.transform(batch.tensor, pool: pool) ?? batch.tensor
            let result = try built.detect(x, rng: &rng)
            let data = try JSONValue.parse(try CanonicalJSON.encode(result))
            document = .object([
                "data": data,
                "detector": .string(detector.rawValue),
                "input": .string(input.rawValue),
                "meta": .object(["name": .string(artifact.type.alibiName), "detector_type": .string("drift"),
                                 "kind": .string(artifact.kind), "version": JSONValue(artifact.version)]),
            ])
            return try run.addOutput(bytes: try document.canonicalBytes(), role: "result", kind: "drift-result")
        }
        return DetectResult(result: resultID, document: document, run: info)
    }
}
