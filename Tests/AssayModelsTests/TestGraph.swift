import AssayNumerics
@testable import AssayModels

/// A test-only graph runner: runs a topologically sorted node list through
/// ``OperatorRegistry`` with initializers given as tensors. Just enough to check whole models
/// on this branch without the ONNX loader and executor.
struct TestGraph {
    let nodes: [Node]
    let initializers: [String: ModelTensor]
    let input: String
    let output: String
    let opset: Int

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    func run(_ x: ModelTensor, pool: BlockPool? = nil) throws -> ModelTensor {
        var values: [String: ModelValue] = initializers.mapValues { .tensor($0) }
        values[input] = .tensor(x)
        for node in nodes {
            guard let kernel = OperatorRegistry.kernel(for: node) else {
                throw Failure(description: "no kernel for \(node.opType)")
            }
            let inputs: [ModelValue?] = node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let context = OperatorContext(node: node, opsetVersion: opset, pool: pool)
            let outputs = try kernel(context, inputs)
            for (name, value) in zip(node.outputs, outputs) where !name.isEmpty { values[name] = value }
        }
        guard let y = values[output]?.tensor else { throw Failure(description: "no output \(output)") }
        return y
    }
}
