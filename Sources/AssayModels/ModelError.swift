/// Errors from the model runtime. Each case names the place — the file offset, the node and its
/// operator, the input — and says what to do. The executable maps ``category`` to an exit code.
public enum ModelError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The model file cannot be read as ONNX (`place` says where: a field path or byte offset).
    case malformedModel(place: String, problem: String)
    /// The model is valid ONNX but uses something the runtime does not support.
    case unsupported(place: String, problem: String)
    /// A node failed: bad attributes, input shapes or types the operator cannot take.
    case node(name: String, opType: String, problem: String)
    /// An input given to the model does not fit the model's declared input.
    case invalidInput(name: String, problem: String)
    /// A remote model's response does not follow the Open Inference Protocol (`place` names the
    /// field, e.g. `response.outputs[0].data`).
    case malformedResponse(place: String, problem: String)

    public var description: String {
        switch self {
        case .malformedModel(let place, let problem):
            return "\(place): \(problem). The file is not a valid ONNX model; export it again."
        case .unsupported(let place, let problem):
            return "\(place): \(problem)"
        case .node(let name, let opType, let problem):
            return "node \(name.isEmpty ? "(unnamed)" : "'\(name)'") (\(opType)): \(problem)"
        case .invalidInput(let name, let problem):
            return "input '\(name)': \(problem)"
        case .malformedResponse(let place, let problem):
            return "\(place): \(problem). The endpoint does not answer in the Open Inference Protocol (KServe V2); check the URL and the server."
        }
    }
}
