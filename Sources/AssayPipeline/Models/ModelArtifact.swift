import AssayModels
import AssayStore
import Foundation

/// A model in the store: an ONNX file (kind `model`), or a remote Open Inference Protocol
/// endpoint recorded as a small canonical JSON document (kind `remote-model`):
/// `{"format": "assay.remote-model.v1", "url", "model_name", "versions", "platform", "inputs",
/// "outputs"}`, the endpoint's metadata when it was added.
public enum ModelArtifact: Sendable {
    case onnx(ONNXModel)
    case remote(RemoteModelEndpoint, metadata: InferenceProtocol.Metadata)

    static let remoteFormat = "assay.remote-model.v1"

    /// Reads the artifact `id`: a remote-model document, or else an ONNX model.
    public static func load(_ id: ArtifactID, from workspace: Workspace) throws -> ModelArtifact {
        let bytes = try workspace.blobs.bytes(of: id)
        if bytes.first == UInt8(ascii: "{"), let doc = try? JSONValue.parse(bytes), doc["format"]?.stringValue == remoteFormat {
            guard let url = doc["url"]?.stringValue else {
                throw PipelineError.invalidInput(place: "\(id.short): url", problem: "missing", fix: "Add the model again with assay model add URL.")
            }
            let endpoint = try RemoteModelEndpoint(url: url)
            let metadata = InferenceProtocol.Metadata(
                name: doc["model_name"]?.stringValue ?? endpoint.modelName,
                versions: doc["versions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                platform: doc["platform"]?.stringValue ?? "",
                inputs: tensors(doc["inputs"]), outputs: tensors(doc["outputs"]))
            return .remote(endpoint, metadata: metadata)
        }
        do {
            return .onnx(try ONNXModel(bytes: bytes))
        } catch {
            throw PipelineError.invalidInput(place: id.short, problem: "not a model: \(error.description)", fix: "Pass a model added with assay model add.")
        }
    }

    /// The canonical document recording a remote model.
    static func remoteDocument(_ endpoint: RemoteModelEndpoint, _ metadata: InferenceProtocol.Metadata) -> JSONValue {
        func tensors(_ list: [InferenceProtocol.TensorMetadata]) -> JSONValue {
            .array(list.map { .object(["name": .string($0.name), "datatype": .string($0.datatype), "shape": .array($0.shape.map { JSONValue($0) })]) })
        }
        return .object([
            "format": .string(remoteFormat), "url": .string(endpoint.url), "model_name": .string(metadata.name),
            "versions": .array(metadata.versions.map { .string($0) }), "platform": .string(metadata.platform),
            "inputs": tensors(metadata.inputs), "outputs": tensors(metadata.outputs),
        ])
    }

    private static func tensors(_ value: JSONValue?) -> [InferenceProtocol.TensorMetadata] {
        (value?.arrayValue ?? []).compactMap { item in
            guard let name = item["name"]?.stringValue, let datatype = item["datatype"]?.stringValue else { return nil }
            return InferenceProtocol.TensorMetadata(name: name, datatype: datatype, shape: item["shape"]?.arrayValue?.compactMap(\.intValue) ?? [])
        }
    }

    /// A JSON summary: inputs and outputs with types and shapes; for ONNX also the opsets,
    /// producer and operators used.
    public var summary: JSONValue {
        switch self {
        case .onnx(let model):
            func signatures(_ list: [ValueSignature]) -> JSONValue {
                .array(list.map { s in
                    switch s.kind {
                    case .tensor(let type, let shape):
                        return .object(["name": .string(s.name), "dtype": .string(type.description),
                                        "shape": shape.map { .array($0.map { $0.map { JSONValue($0) } ?? .string("?") }) } ?? .null])
                    case .sequenceOfMaps(let key, let value):
                        return .object(["name": .string(s.name), "dtype": .string("sequence<map<\(key),\(value)>>"), "shape": .null])
                    }
                })
            }
            return .object([
                "format": .string("onnx"), "inputs": signatures(model.inputs), "outputs": signatures(model.outputs),
                "opsets": .object(model.opsetImports.mapValues { JSONValue($0) }),
                "producer": .string([model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")),
                "ir_version": JSONValue(model.irVersion),
                "operators": .array(model.operatorKeys.map { .string($0.description) }),
            ])
        case .remote(let endpoint, let metadata):
            return ModelArtifact.remoteDocument(endpoint, metadata)
        }
    }
}
