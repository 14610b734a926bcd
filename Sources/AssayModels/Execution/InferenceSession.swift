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
    /// The initializers no node overwrites, as values, indexed by ``Slot/constant(_:)``.
    private let constants: [ModelValue]
    /// How many values a run holds at most (graph inputs and node outputs), indexed by
    /// ``Slot/value(_:)``.
    private let valueCount: Int
    /// Where each declared input goes, in ``ONNXModel/inputs`` order.
    private let inputSlots: [Int]
    /// Where each graph output is read from, in ``ONNXModel/outputs`` order.
    private let outputSlots: [Slot?]
    /// The most inputs any node has.
    private let maxArity: Int

    /// How many steps a run takes: the nodes, less those fused into another (for tests).
    var stepCount: Int { steps.count }

    /// Where a value lives during a run: a session constant or a per-run value.
    enum Slot: Sendable {
        case constant(Int)
        case value(Int)
    }

    /// Where a node input comes from.
    enum Source: Sendable {
        /// An omitted optional input (empty name).
        case omitted
        case constant(Int)
        case value(Int)
        /// A value no later node (nor a later input of this node) reads: moved out of the
        /// run's values into the node's inputs, so it is freed as soon as the node is done.
        case lastUse(Int)
    }

    /// One node ready to run: its kernel, where its inputs come from and its outputs go, and
    /// the values no later node needs.
    /// A class, so that walking the steps retains one reference per step, not every field.
    final class Step: Sendable {
        let kernel: OperatorKernel
        /// A kernel that may take its inputs out of the argument list (to write into a dead
        /// input's buffer); used instead of `kernel` when set.
        let consuming: ConsumingKernel?
        /// The context for runs without a pool (made once; runs with a pool share its node).
        let context: OperatorContext
        /// Per input: where it comes from.
        let inputs: [Source]
        /// Per output: the value index, or nil for an unused output (empty name).
        let outputs: [Int?]
        /// Values to drop once this node has run.
        let release: [Int]

        init(kernel: @escaping OperatorKernel, consuming: ConsumingKernel? = nil, context: OperatorContext, inputs: [Source], outputs: [Int?], release: [Int]) {
            self.kernel = kernel
            self.consuming = consuming
            self.context = context
            self.inputs = inputs
            self.outputs = outputs
            self.release = release
        }
    }

    /// Makes a session for `model`, preparing every node's kernel.
    /// - Throws: ``ModelError/node(name:opType:problem:)`` when a node's attributes are invalid
    ///   for its operator (tree ensembles check theirs here), `unsupported` for an operator
    ///   without a kernel.
    public init(model: ONNXModel) throws(ModelError) {
        _ = ReusedMemory.configured
        self.model = model
        let outputNames = Set(model.outputs.map(\.name))

        // Slots: graph inputs and node outputs get per-run values; the other initializers are
        // session constants. Names are numbered in model order, so the layout is deterministic.
        var slots: [String: Slot] = [:]
        var valueCount = 0
        func valueSlot(_ name: String) -> Int {
            if case .value(let i)? = slots[name] { return i }
            let i = valueCount
            valueCount += 1
            slots[name] = .value(i)
            return i
        }
        let inputSlots = model.inputs.map { valueSlot($0.name) }
        for node in model.nodes {
            for name in node.outputs where !name.isEmpty { _ = valueSlot(name) }
        }
        var constants: [ModelValue] = []
        for name in model.initializers.keys.sorted() where slots[name] == nil {
            guard let tensor = model.initializers[name] else { continue }
            slots[name] = .constant(constants.count)
            constants.append(.tensor(tensor))
        }
        func known(_ node: Node) -> [ModelValue?] {
            node.inputs.map {
                if case .constant(let c)? = slots[$0] { return constants[c] }
                return nil
            }
        }

        // Fusions (Conv → BatchNormalization → Relu); each unit runs one step, at its first
        // node's place, with the inputs of its first node and the outputs of its last.
        let fusions = Self.fusions(model, outputNames: outputNames, known: known)
        var units: [(nodes: [Int], inputs: [String], outputs: [String])] = []
        var absorbed = Set<Int>()
        for fusion in fusions.values { absorbed.formUnion(fusion.nodes.dropFirst()) }
        for (i, node) in model.nodes.enumerated() where !absorbed.contains(i) {
            let chain = fusions[i]?.nodes ?? [i]
            units.append((chain, node.inputs, model.nodes[chain[chain.count - 1]].outputs))
        }

        var lastUse: [String: Int] = [:]
        for (i, unit) in units.enumerated() {
            for name in unit.inputs where !name.isEmpty { lastUse[name] = i }
            for name in unit.outputs where !name.isEmpty && lastUse[name] == nil { lastUse[name] = i }
        }
        var release: [[String]] = Array(repeating: [], count: units.count)
        for (name, i) in lastUse where !outputNames.contains(name) {
            release[i].append(name)
        }

        var steps: [Step] = []
        steps.reserveCapacity(units.count)
        var maxArity = 0
        for (i, unit) in units.enumerated() {
            let node = model.nodes[unit.nodes[0]]
            let version = model.opsetVersion(for: node)
            let kernel: OperatorKernel
            if let fusion = fusions[unit.nodes[0]], OperatorKey(node.canonicalDomain, node.opType) == OperatorKey("", "Add") {
                kernel = { c, i throws(ModelError) in try NeuralNetworkOperators.arithmetic(c, i, .add) }
                _ = fusion
            } else if let fusion = fusions[unit.nodes[0]] {
                kernel = NeuralNetworkOperators.prepareFusedConv(
                    OperatorContext(node: node, opsetVersion: version, pool: nil), folded: fusion.folded, relu: fusion.relu)
            } else {
                guard let prepared = try OperatorRegistry.preparedKernel(for: node, opsetVersion: version, constants: known(node)) else {
                    throw .unsupported(place: "node '\(node.name)'", problem: "operator \(OperatorKey(node.canonicalDomain, node.opType)) is not supported")
                }
                kernel = prepared
            }
            var dropped: [Int] = release[i].sorted().compactMap {
                if case .value(let v)? = slots[$0] { return v }
                return nil
            }
            var sources: [Source] = []
            for (position, name) in node.inputs.enumerated() {
                if name.isEmpty {
                    sources.append(.omitted)
                    continue
                }
                switch slots[name] ?? .value(valueSlot(name)) {
                case .constant(let c):
                    sources.append(.constant(c))
                case .value(let v):
                    if let d = dropped.firstIndex(of: v), !node.inputs[(position + 1)...].contains(name) {
                        dropped.remove(at: d)
                        sources.append(.lastUse(v))
                    } else {
                        sources.append(.value(v))
                    }
                }
            }
            var consuming: ConsumingKernel? = nil
            if OperatorKey(node.canonicalDomain, node.opType) == OperatorKey("", "Add"), sources.count == 2 {
                let dead = sources.firstIndex { if case .lastUse = $0 { return true } else { return false } }
                let relu = fusions[unit.nodes[0]].map { fusion in
                    let r = model.nodes[fusion.nodes[1]]
                    return OperatorContext(node: r, opsetVersion: model.opsetVersion(for: r), pool: nil)
                }
                if dead != nil || relu != nil {
                    consuming = NeuralNetworkOperators.residualAdd(into: dead, relu: relu)
                }
            }
            steps.append(Step(
                kernel: kernel,
                consuming: consuming,
                context: OperatorContext(node: node, opsetVersion: version, pool: nil),
                inputs: sources,
                outputs: unit.outputs.map { $0.isEmpty ? nil : valueSlot($0) },
                release: dropped))
            maxArity = max(maxArity, node.inputs.count)
        }
        self.steps = steps
        self.constants = constants
        self.inputSlots = inputSlots
        self.outputSlots = model.outputs.map { slots[$0.name] }
        self.valueCount = valueCount
        self.maxArity = maxArity
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
        let given = try checkInputs(inputs)
        var values = [ModelValue?](repeating: nil, count: valueCount)
        for (slot, tensor) in zip(inputSlots, given) { values[slot] = .tensor(tensor) }

        var args: [ModelValue?] = []
        args.reserveCapacity(maxArity)
        for index in steps.indices {
            let step = steps[index]
            // Index loops: iterating the arrays themselves would retain each one per step.
            for j in step.inputs.indices {
                switch step.inputs[j] {
                case .omitted: args.append(nil)
                case .constant(let c): args.append(constants[c])
                case .value(let v): args.append(values[v])
                case .lastUse(let v): args.append(values[v].take())
                }
            }
            var results: [ModelValue]
            if let consuming = step.consuming {
                results = try consuming(pool.map { OperatorContext(step.context, pool: $0) } ?? step.context, &args)
            } else if let pool {
                results = try step.kernel(OperatorContext(step.context, pool: pool), args)
            } else {
                results = try step.kernel(step.context, args)
            }
            args.removeAll(keepingCapacity: true)
            for i in step.outputs.indices where i >= results.count && step.outputs[i] != nil {
                throw step.context.error("the kernel produced \(results.count) outputs but output \(i) ('\(step.context.node.outputs[i])') is used")
            }
            // Move the results out from the last (no copies): extra results are dropped.
            if results.count > step.outputs.count { results.removeLast(results.count - step.outputs.count) }
            while let value = results.popLast() {
                if let output = step.outputs[results.count] { values[output] = value }
            }
            for j in step.release.indices { values[step.release[j]] = nil }
        }

        var out: [(name: String, value: ModelValue)] = []
        out.reserveCapacity(model.outputs.count)
        for (output, slot) in zip(model.outputs, outputSlots) {
            let value: ModelValue?
            switch slot {
            case .constant(let c)?: value = constants[c]
            case .value(let v)?: value = values[v]
            case nil: value = nil
            }
            guard let value else {
                throw .malformedModel(place: "graph output '\(output.name)'", problem: "no value was produced")
            }
            out.append((output.name, value))
        }
        return out
    }
}
