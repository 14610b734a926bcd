import Foundation
import SwiftProtobuf

/// An ONNX model, parsed and validated: a graph whose nodes are in a deterministic topological
/// order, whose initializers are decoded, and whose every operator the runtime supports.
///
/// Loading never trusts the bytes: truncated or garbage input, unknown opset domains,
/// unsupported operators (all of them are listed at once), external tensor data, initializers
/// whose data does not fit their shape, edges produced twice, inputs nothing produces, and
/// cycles each throw a ``ModelError`` that names the place.
///
/// ```swift
/// let model = try ONNXModel(data: Data(contentsOf: url))
/// print(model.inputs)          // [X: float32 [?, 4]]
/// let session = try InferenceSession(model: model)
/// ```
public struct ONNXModel: Sendable {
    /// The ONNX IR version the file declares (`ir_version`).
    public let irVersion: Int64
    /// The exporter's name (`skl2onnx`).
    public let producerName: String
    /// The exporter's version (`1.20.0`).
    public let producerVersion: String
    /// Opset version per canonical domain: `""` (ai.onnx) and `"ai.onnx.ml"`.
    public let opsetImports: [String: Int]
    /// The graph inputs a run must feed, in declared order (initializers excluded).
    public let inputs: [ValueSignature]
    /// The graph outputs, in declared order; ``InferenceSession/run(inputs:pool:)`` returns them
    /// in this order.
    public let outputs: [ValueSignature]
    /// Constant tensors by name, decoded from the file.
    public let initializers: [String: ModelTensor]
    /// The nodes in topological order: a node comes after every node whose output it reads.
    /// Among nodes that could go next, the one declared first in the file goes first, so the
    /// order depends on the file only.
    public let nodes: [Node]

    /// The opset domains the runtime knows, with the versions it accepts.
    public static let supportedOpsets: [String: ClosedRange<Int>] = ["": 7...23, "ai.onnx.ml": 1...5]

    /// Parses and validates a serialized ONNX `ModelProto`.
    /// - Throws: ``ModelError`` naming the place: `malformedModel` for bytes that are not a
    ///   valid model, `unsupported` for valid models the runtime cannot run.
    public init(data: Data) throws(ModelError) {
        let proto: Onnx_ModelProto
        do {
            proto = try Onnx_ModelProto(serializedBytes: data)
        } catch {
            throw ONNXModel.decodingError(error, byteCount: data.count)
        }
        try self.init(proto: proto)
    }

    /// Parses and validates a serialized ONNX `ModelProto`; see ``init(data:)``.
    public init(bytes: [UInt8]) throws(ModelError) {
        try self.init(data: Data(bytes))
    }

    /// Every operator the graph uses, sorted by domain then type.
    public var operatorKeys: [OperatorKey] {
        var seen = Set<OperatorKey>()
        var keys: [OperatorKey] = []
        for node in nodes {
            let key = OperatorKey(node.canonicalDomain, node.opType)
            if seen.insert(key).inserted { keys.append(key) }
        }
        return keys.sorted { ($0.domain, $0.opType) < ($1.domain, $1.opType) }
    }

    /// The opset version that applies to `node` (its domain's import).
    public func opsetVersion(for node: Node) -> Int {
        opsetImports[node.canonicalDomain] ?? 0
    }

    static func decodingError(_ error: any Error, byteCount: Int) -> ModelError {
        let problem: String
        switch error {
        case let e as BinaryDecodingError:
            switch e {
            case .truncated: problem = "the protobuf data ends in the middle of a field (truncated)"
            case .malformedProtobuf: problem = "the bytes are not a protobuf message (malformed)"
            case .invalidUTF8: problem = "a string field is not valid UTF-8"
            case .messageDepthLimit: problem = "messages are nested too deeply"
            default: problem = "the protobuf cannot be decoded (\(e))"
            }
        default:
            problem = "the protobuf cannot be decoded (\(error))"
        }
        return .malformedModel(place: "model (\(byteCount) bytes)", problem: problem)
    }
}
