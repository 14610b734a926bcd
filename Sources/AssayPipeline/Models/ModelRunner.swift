import AssayModels
import AssayNumerics
import AssayStore

/// A model ready to answer batches of rows with a matrix of outputs (rows × k): an ONNX model in
/// process (its probabilities or scores output), or an Open Inference Protocol endpoint (its
/// first numeric output of rank 2). Replays and explainers call models through it.
public final class ModelRunner: @unchecked Sendable {
    // @unchecked: the session is used from one thread at a time (callers call sequentially).
    enum Kind {
        case onnx(ONNXModel, InferenceSession, output: String)
        case remote(RemoteModelEndpoint, InferenceProtocol.Metadata)
    }

    let kind: Kind
    /// The model artifact.
    public let id: ArtifactID

    /// Prepares an ONNX model (`output`: the output that stands for its predictions).
    init(id: ArtifactID, onnx: ONNXModel, output: String) throws {
        self.id = id
        self.kind = .onnx(onnx, try InferenceSession(model: onnx), output: output)
    }

    init(id: ArtifactID, endpoint: RemoteModelEndpoint, metadata: InferenceProtocol.Metadata) {
        self.id = id
        self.kind = .remote(endpoint, metadata)
    }

    /// Loads the model artifact `id`: an ONNX model with one tensor input and a probabilities or
    /// scores output, or a remote endpoint.
    public static func load(_ id: ArtifactID, from workspace: Workspace, purpose: String) throws -> ModelRunner {
        switch try ModelArtifact.load(id, from: workspace) {
        case .onnx(let onnx):
            guard onnx.inputs.count == 1, case .tensor = onnx.inputs[0].kind else {
                throw PipelineError.invalidInput(place: "model \(id.short)", problem: "the model has \(onnx.inputs.count) inputs",
                                                 fix: "\(purpose) feeds rows as one tensor; export the model with a single tensor input.")
            }
            let output = try Preprocessor.defaultOutput(of: onnx, place: "model \(id.short)",
                                                        fix: "\(purpose) needs a model with a probabilities or scores output of shape [N, k].")
            return try ModelRunner(id: id, onnx: onnx, output: output)
        case .remote(let endpoint, let metadata):
            return ModelRunner(id: id, endpoint: endpoint, metadata: metadata)
        }
    }

    /// The model's outputs for the rows of `x`; `place` names the rows in errors, `requestID`
    /// is the remote request's id.
    public func outputs(_ x: Tensor<Double>, place: String, requestID: String) throws -> Tensor<Double> {
        switch kind {
        case .onnx(let onnx, let session, let output):
            guard case .tensor(let type, let shape) = onnx.inputs[0].kind else { fatalError("checked when loaded") }
            let name = onnx.inputs[0].name
            let input = try ModelOperations.inputTensor(x, name: name, type: type, shape: shape, place: place)
            let outputs = try session.run(inputs: [name: input], pool: DetectorOperations.pool)
            guard let value = outputs.first(where: { $0.name == output })?.value else {
                throw PipelineError.invalidInput(place: "model \(id.short)", problem: "no output \(output)", fix: "")
            }
            return try Preprocessor.matrix(of: value, output: output, place: "model \(id.short)")
        case .remote(let endpoint, let metadata):
            guard let declared = metadata.inputs.first, metadata.inputs.count == 1,
                  let type = InferenceProtocol.elementType(of: declared.datatype), type != .string, type != .bool else {
                throw PipelineError.invalidInput(place: endpoint.url, problem: "the model does not declare one numeric input", fix: "Rows are sent as one tensor.")
            }
            let shape: [Int?]? = declared.shape.isEmpty ? nil : declared.shape.map { $0 < 0 ? nil : $0 }
            let input = try ModelOperations.inputTensor(x, name: declared.name, type: type, shape: shape, place: place)
            let answer = try endpoint.infer([(declared.name, input)], id: requestID)
            let chosen = answer.outputs.first { $0.tensor.shape.count == 2 && $0.tensor.elementType != .string && $0.tensor.elementType != .bool }
                ?? answer.outputs.first
            guard let chosen else { throw PipelineError.remote(url: endpoint.url, problem: "the answer has no outputs", fix: "Check the model server.") }
            return try Preprocessor.matrix(of: .tensor(chosen.tensor), output: chosen.name, place: endpoint.url)
        }
    }

    /// The number of features per row the model takes, when it declares it.
    public var inputWidth: Int? {
        switch kind {
        case .onnx(let onnx, _, _):
            guard case .tensor(_, let shape) = onnx.inputs[0].kind, let shape, shape.count == 2 else { return nil }
            return shape[1]
        case .remote(_, let metadata):
            guard let s = metadata.inputs.first?.shape, s.count == 2, s[1] > 0 else { return nil }
            return s[1]
        }
    }
}
