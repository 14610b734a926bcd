import Foundation
@testable import AssayModels

/// Loads `Fixtures/nn/*`, written by `scripts/fixtures/models_nn.py` from ONNX Runtime.
enum NeuralNetworkFixture {
    static func data(_ name: String, _ ext: String) throws -> Data {
        try ModelFixture.data("nn", name, ext)
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: data(name, "json"))
    }

    /// An array as the script stores it: dtype, shape and the base64 of little-endian bytes.
    struct ArrayValue: Decodable, Sendable {
        let dtype: String
        let shape: [Int]
        let data: String

        func tensor() throws -> ModelTensor {
            guard let bytes = Data(base64Encoded: data) else { throw ModelFixture.Malformed(description: "bad base64") }
            switch dtype {
            case "float32":
                let values = bytes.withUnsafeBytes { raw in
                    (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
                }
                return ModelTensor(float: values, shape: shape)
            case "int64":
                let values = bytes.withUnsafeBytes { raw in
                    (0..<(raw.count / 8)).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
                }
                return ModelTensor(int64: values, shape: shape)
            default:
                throw ModelFixture.Malformed(description: "dtype \(dtype)")
            }
        }
    }

    /// An attribute: exactly one of the keys is present.
    struct AttributeValue: Decodable, Sendable {
        let int: Int64?
        let float: Double?
        let string: String?
        let ints: [Int64]?
        let floats: [Double]?

        var attribute: Attribute {
            if let int { return .int(int) }
            if let float { return .float(Float(float)) }
            if let string { return .string(string) }
            if let ints { return .ints(ints) }
            return .floats((floats ?? []).map { Float($0) })
        }
    }

    /// One single-operator case of `ops.json`.
    struct OperatorCase: Decodable, Sendable, CustomStringConvertible {
        let title: String
        let op: String
        let opset: Int
        let attributes: [String: AttributeValue]
        let inputs: [ArrayValue?]
        let input_names: [String]
        let outputs: [ArrayValue]

        var description: String { title }

        var node: Node {
            Node(name: title, opType: op, inputs: input_names, outputs: outputs.indices.map { "out\($0)" },
                 attributes: attributes.mapValues(\.attribute))
        }

        func inputValues() throws -> [ModelValue?] {
            try inputs.map { try $0.map { ModelValue.tensor(try $0.tensor()) } }
        }
    }

    struct OperatorFile: Decodable {
        let cases: [OperatorCase]
    }

    /// A whole model as a node list with initializers, and ONNX Runtime's outputs for a few inputs.
    struct ModelFile: Decodable {
        struct NodeValue: Decodable {
            let name: String
            let op: String
            let inputs: [String]
            let outputs: [String]
            let attributes: [String: AttributeValue]
        }
        struct Case: Decodable {
            let input: ArrayValue
            let output: ArrayValue
        }
        let opset: Int
        let input: String
        let output: String
        let nodes: [NodeValue]
        let initializers: [String: ArrayValue]
        let cases: [Case]

        func graph() throws -> TestGraph {
            TestGraph(
                nodes: nodes.map { Node(name: $0.name, opType: $0.op, inputs: $0.inputs, outputs: $0.outputs,
                                        attributes: $0.attributes.mapValues(\.attribute)) },
                initializers: try initializers.mapValues { try $0.tensor() },
                input: input, output: output, opset: opset)
        }
    }

    static let operatorCases: [OperatorCase] = {
        (try? load("ops", as: OperatorFile.self).cases) ?? []
    }()
}
