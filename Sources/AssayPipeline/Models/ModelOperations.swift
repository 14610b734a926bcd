import AssayModels
import AssayNumerics
import AssayStore
import Foundation

/// `assay model add` and `assay predict`, as recorded runs.
public enum ModelOperations {
    public static let addRemoteOperation = (name: "model.add-remote", version: 1)
    public static let predictOperation = (name: "predict", version: 1)

    /// The result of adding a model.
    public struct AddResult: Sendable {
        public var model: ArtifactID
        public var artifact: ModelArtifact
        public var deduplicated: Bool
    }

    /// Adds an ONNX file after checking that Assay can run it (every operator supported, a valid
    /// graph); records an import run of kind `model`.
    public static func addONNX(in workspace: Workspace, file: String, name: String?) throws -> AddResult {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))) } catch {
            throw StoreError.fileNotFound(path: file)
        }
        let model: ONNXModel
        do { model = try ONNXModel(bytes: bytes) } catch {
            throw PipelineError.invalidInput(place: file, problem: error.description, fix: "")
        }
        let added = try workspace.add(fileAt: file, kind: "model", name: name)
        return AddResult(model: added.artifact.id, artifact: .onnx(model), deduplicated: added.deduplicated)
    }

    /// Records a remote model: asks the endpoint for readiness and metadata and stores them with
    /// the URL (kind `remote-model`), in a `model.add-remote` run.
    public static func addRemote(in workspace: Workspace, url: String, name: String?, timeout: Double = 30) throws -> AddResult {
        if let name { try Workspace.validateName(name) }
        let endpoint = try RemoteModelEndpoint(url: url, timeout: timeout)
        guard try endpoint.isReady() else {
            throw PipelineError.remote(url: endpoint.url + "/ready", problem: "the model is not ready", fix: "Wait for the server to load it, then add it again.")
        }
        let metadata = try endpoint.metadata()
        let doc = ModelArtifact.remoteDocument(endpoint, metadata)
        let recipe = Recipe(operation: addRemoteOperation.name, operationVersion: addRemoteOperation.version,
                            parameters: .object(["url": .string(endpoint.url)]))
        let (id, _) = try workspace.record(recipe, names: { id in name.map { [$0: id] } ?? [:] }) { run in
            try run.addOutput(bytes: try doc.canonicalBytes(), role: "model", kind: "remote-model")
        }
        return AddResult(model: id, artifact: .remote(endpoint, metadata: metadata), deduplicated: false)
    }

    /// The result of a prediction run.
    public struct PredictResult: Sendable {
        public var predictions: ArtifactID
        public var document: JSONValue
        public var run: RunInfo
    }

    /// Runs `model` on the matrix artifact `input` and records a `predict` run whose output
    /// (kind `predictions`) is the canonical document
    /// `{"format": "assay.predictions.v1", "model", "input", "model_version"?, "outputs": {NAME: {"dtype", "shape", "data"}}}`
    /// with `data` flat and row-major. A ZipMap output (a sequence of maps) is written with
    /// `dtype` `sequence<map<KEY,float32>>`, `shape` `[rows, classes]`, its `keys`, and the
    /// probabilities as `data`. Float32 values are written in their shortest form; NaN and
    /// infinities as null.
    ///
    /// The input matrix `[N, k]` (or any `[N, …]`) is reshaped to the model's input `[N, …]` when
    /// the non-batch dimensions multiply to `k`, and converted to the input's element type.
    public static func predict(in workspace: Workspace, model: ArtifactID, input: ArtifactID) throws -> PredictResult {
        let artifact = try ModelArtifact.load(model, from: workspace)
        let data = try MatrixData.load(input, from: workspace)
        var parameters: [String: JSONValue] = [:]
        if case .remote(let endpoint, _) = artifact { parameters["url"] = .string(endpoint.url) }
        let recipe = Recipe(operation: predictOperation.name, operationVersion: predictOperation.version,
                            parameters: .object(parameters),
                            inputs: [RunArtifact(role: "model", id: model), RunArtifact(role: "input", id: input)])
        var document: JSONValue = .null
        let (id, info) = try workspace.record(recipe) { run in
            // Timings, CPU and memory: recorded beside the run, never hashed.
            var measurement = RunMeasurement()
            measurement.events = data.tensor.rank >= 1 ? data.tensor.shape[0] : 1
            defer { run.setMeasurements(measurement.document()) }
            var outputs: [(String, ModelValue)] = []
            var reportedVersion: String?
            switch artifact {
            case .onnx(let onnx):
                guard onnx.inputs.count == 1, case .tensor(let type, let shape) = onnx.inputs[0].kind else {
                    throw PipelineError.invalidInput(place: model.short, problem: "the model has \(onnx.inputs.count) inputs (\(onnx.inputs.map(\.description).joined(separator: "; ")))",
                                                     fix: "assay predict feeds one matrix; export the model with a single tensor input.")
                }
                let tensor = try inputTensor(data.tensor, name: onnx.inputs[0].name, type: type, shape: shape, place: input.short)
                let session = try InferenceSession(model: onnx)
                outputs = try measurement.timeCall { try session.run(inputs: [onnx.inputs[0].name: tensor], pool: DetectorOperations.pool) }.map { ($0.name, $0.value) }
            case .remote(let endpoint, let metadata):
                guard let declared = metadata.inputs.first, metadata.inputs.count == 1 else {
                    throw PipelineError.invalidInput(place: endpoint.url, problem: "the model declares \(metadata.inputs.count) inputs",
                                                     fix: "assay predict feeds one matrix to a model with one input.")
                }
                guard let type = InferenceProtocol.elementType(of: declared.datatype), type != .string, type != .bool else {
                    throw PipelineError.invalidInput(place: endpoint.url, problem: "input \(declared.name) has datatype \(declared.datatype)", fix: "assay predict sends numbers (FP32, FP64 or integers).")
                }
                let shape: [Int?]? = declared.shape.isEmpty ? nil : declared.shape.map { $0 < 0 ? nil : $0 }
                let tensor = try inputTensor(data.tensor, name: declared.name, type: type, shape: shape, place: input.short)
                let answer = try measurement.timeCall { try endpoint.infer([(declared.name, tensor)], id: run.id.rawValue) }
                reportedVersion = answer.modelVersion
                outputs = answer.outputs.map { ($0.name, .tensor($0.tensor)) }
            }
            var doc: [String: JSONValue] = [
                "format": .string("assay.predictions.v1"), "model": .string(model.rawValue), "input": .string(input.rawValue),
                "outputs": .object(Dictionary(uniqueKeysWithValues: outputs.map { ($0.0, encode($0.1)) })),
            ]
            if let reportedVersion { doc["model_version"] = .string(reportedVersion) }
            document = .object(doc)
            return try run.addOutput(bytes: try document.canonicalBytes(), role: "predictions", kind: "predictions")
        }
        return PredictResult(predictions: id, document: document, run: info)
    }

    /// The matrix as the model's input: reshaped to `[N, …declared]` and converted to `type`.
    static func inputTensor(_ data: Tensor<Double>, name: String, type: ElementType, shape declared: [Int?]?, place: String) throws -> ModelTensor {
        let rows = data.rowCount
        let width = data.rowWidth
        var shape = data.shape.isEmpty ? [rows, width] : data.shape
        if let declared, declared.count >= 1 {
            let trailing = declared.dropFirst()
            let known = trailing.compactMap { $0 }
            if known.count == trailing.count {
                let product = known.reduce(1, *)
                guard product == width else {
                    throw PipelineError.invalidInput(place: place, problem: "rows of \(width) values do not fit the model input \(name) \(describe(declared)) (\(product) values per row)",
                                                     fix: "Pass data with \(product) columns.")
                }
                shape = [rows] + known
            } else if declared.count != shape.count {
                throw PipelineError.invalidInput(place: place, problem: "data of shape \(shape) does not fit the model input \(name) \(describe(declared))",
                                                 fix: "Pass data of rank \(declared.count).")
            }
            if let batch = declared[0], batch != rows {
                throw PipelineError.invalidInput(place: place, problem: "\(rows) rows, the model input \(name) takes exactly \(batch)", fix: "Pass \(batch) rows at a time.")
            }
        }
        let values = data.scalars
        switch type {
        case .float32:
            return ModelTensor(float: values.map { Float($0) }, shape: shape)
        case .float64:
            return try ModelTensor(elementType: .float64, shape: shape, storage: .double(values))
        case .int64, .int32, .int8, .uint8:
            var ints = [Int64](repeating: 0, count: values.count)
            for (i, v) in values.enumerated() {
                guard v.rounded() == v, abs(v) < 0x1p62 else {
                    throw PipelineError.invalidInput(place: "\(place): value \(i + 1)", problem: "\(v) is not an integer; the model input \(name) takes \(type)", fix: "Pass whole numbers.")
                }
                ints[i] = Int64(v)
            }
            return try ModelTensor(elementType: type, shape: shape, storage: .int64(ints))
        case .bool, .string:
            throw PipelineError.invalidInput(place: place, problem: "the model input \(name) takes \(type)", fix: "assay predict feeds numeric matrices.")
        }
    }

    private static func describe(_ shape: [Int?]) -> String {
        "[" + shape.map { $0.map(String.init) ?? "N" }.joined(separator: ", ") + "]"
    }

    /// `{"dtype", "shape", "data"}` for one output.
    static func encode(_ value: ModelValue) -> JSONValue {
        switch value {
        case .tensor(let t):
            let data: [JSONValue]
            switch t.storage {
            case .float(let v): data = v.map { JSONValue(float32: $0) }
            case .double(let v): data = v.map { $0.isFinite ? .double($0) : .null }
            case .int64(let v): data = v.map { JSONValue($0) }
            case .bool(let v): data = v.map { .bool($0) }
            case .string(let v): data = v.map { .string($0) }
            }
            return .object(["dtype": .string(t.elementType.description), "shape": .array(t.shape.map { JSONValue($0) }), "data": .array(data)])
        case .sequenceOfMaps(let keys, let rows):
            let keyValues: [JSONValue]
            let keyType: String
            switch keys {
            case .int64(let k): keyValues = k.map { JSONValue($0) }; keyType = "int64"
            case .string(let k): keyValues = k.map { .string($0) }; keyType = "string"
            }
            return .object(["dtype": .string("sequence<map<\(keyType),float32>>"), "shape": .array([JSONValue(rows.count), JSONValue(keyValues.count)]),
                            "keys": .array(keyValues), "data": .array(rows.flatMap { $0.map { JSONValue(float32: $0) } })])
        }
    }
}
