import AssayNumerics
import Foundation

/// Runs an ``ONNXModel`` in-process, deterministically.
///
/// A session resolves every node's kernel once; ``run(inputs:pool:)`` then feeds the inputs
/// through the nodes in the model's topological order and frees each intermediate value after
/// its last use. The session is immutable and `Sendable`: runs on several threads at once are
/// independent.
///
/// ## Determinism
///
/// Outputs are byte-identical across runs, processes, pool sizes (including no pool) and debug
/// and release builds: kernels cut work into fixed blocks that depend on the data size only,
/// reduce in a fixed order, and take `exp`/`log` from `DeterministicMath`, never the platform
/// libm. See the AssayModels article *Determinism and parity*.
///
/// ## NaN inputs
///
/// NaN is allowed in float inputs and propagates as ONNX Runtime propagates it: arithmetic
/// gives NaN, a tree node sends NaN down its false branch unless the node's
/// `nodes_missing_value_tracks_true` flag is set, and ArgMax never picks a NaN after the first
/// element.
///
/// ```swift
/// let session = try InferenceSession(model: ONNXModel(data: bytes))
/// let out = try session.run(inputs: ["X": ModelTensor(float: x, shape: [n, 4])], pool: nil)
/// ```
public final class InferenceSession: Sendable {
    /// The model this session runs.
    public let model: ONNXModel
    private let steps: [Step]

    /// One node ready to run: its kernel, and the values no later node needs.
    struct Step: Sendable {
        let node: Node
        let opsetVersion: Int
        let kernel: OperatorKernel
        /// Edge names to drop once this node has run.
        let release: [String]
    }

    /// Makes a session for `model`, preparing every node's kernel.
    /// - Throws: ``ModelError/node(name:opType:problem:)`` when a node's attributes are invalid
    ///   for its operator (tree ensembles check theirs here), `unsupported` for an operator
    ///   without a kernel.
    public init(model: ONNXModel) throws(ModelError) {
        self.model = model
        let outputNames = Set(model.outputs.map(\.name))
        var lastUse: [String: Int] = [:]
        for (i, node) in model.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty { lastUse[name] = i }
            for name in node.outputs where !name.isEmpty && lastUse[name] == nil { lastUse[name] = i }
        }
        var release: [[String]] = Array(repeating: [], count: model.nodes.count)
        for (name, i) in lastUse where !outputNames.contains(name) {
            release[i].append(name)
        }
        var steps: [Step] = []
        steps.reserveCapacity(model.nodes.count)
        for (i, node) in model.nodes.enumerated() {
            let version = model.opsetVersion(for: node)
            guard let kernel = try OperatorRegistry.preparedKernel(for: node, opsetVersion: version) else {
                throw .unsupported(place: "node '\(node.name)'", problem: "operator \(OperatorKey(node.canonicalDomain, node.opType)) is not supported")
            }
            steps.append(Step(node: node, opsetVersion: version, kernel: kernel, release: release[i].sorted()))
        }
        self.steps = steps
    }

    /// Parses `data` as an ONNX model and makes a session for it.
    public convenience init(data: Data) throws(ModelError) {
        try self.init(model: ONNXModel(data: data))
    }

    /// Runs the model on `inputs` (one tensor per declared input, by name).
    ///
    /// - Parameters:
    ///   - inputs: every input in ``ONNXModel/inputs``, with its element type, its rank, and
    ///     its fixed dimensions; open dimensions (`N`, batch) take any size.
    ///   - pool: runs fixed blocks of work in parallel; nil runs everything on the calling
    ///     thread. The outputs do not depend on it.
    /// - Returns: the graph outputs in declared order.
    /// - Throws: ``ModelError/invalidInput(name:problem:)`` naming the input that is missing,
    ///   unknown, or of the wrong type or shape; ``ModelError/node(name:opType:problem:)`` when a
    ///   node cannot compute on the values it gets.
    public func run(inputs: [String: ModelTensor], pool: BlockPool? = nil) throws(ModelError) -> [(name: String, value: ModelValue)] {
        try checkInputs(inputs)
        var values: [String: ModelValue] = [:]
        values.reserveCapacity(model.initializers.count + inputs.count + steps.count)
        for (name, tensor) in model.initializers { values[name] = .tensor(tensor) }
        for (name, tensor) in inputs { values[name] = .tensor(tensor) }

        for step in steps {
            let args: [ModelValue?] = step.node.inputs.map { $0.isEmpty ? nil : values[$0] }
            let context = OperatorContext(node: step.node, opsetVersion: step.opsetVersion, pool: pool)
            let results = try step.kernel(context, args)
            for (i, name) in step.node.outputs.enumerated() where !name.isEmpty {
                guard i < results.count else {
                    throw context.error("the kernel produced \(results.count) outputs but output \(i) ('\(name)') is used")
                }
                values[name] = results[i]
            }
            for name in step.release { values[name] = nil }
        }

        var out: [(name: String, value: ModelValue)] = []
        out.reserveCapacity(model.outputs.count)
        for output in model.outputs {
            guard let value = values[output.name] else {
                throw .malformedModel(place: "graph output '\(output.name)'", problem: "no value was produced")
            }
            out.append((output.name, value))
        }
        return out
    }
}
