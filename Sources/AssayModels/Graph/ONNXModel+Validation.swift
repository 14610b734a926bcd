extension ONNXModel {
    /// Builds the model from a decoded `ModelProto`, checking it as ``init(data:)`` describes.
    init(proto: Onnx_ModelProto) throws(ModelError) {
        guard proto.irVersion > 0 else {
            throw .malformedModel(place: "model", problem: "ir_version is missing")
        }
        guard proto.hasGraph else {
            throw .malformedModel(place: "model", problem: "there is no graph")
        }
        let graph = proto.graph
        let opsets = try ONNXModel.opsets(proto.opsetImport)

        guard graph.sparseInitializer.isEmpty else {
            throw .unsupported(place: "graph.sparse_initializer", problem: "sparse initializers are not supported; store them dense")
        }
        var initializers: [String: ModelTensor] = [:]
        for (i, t) in graph.initializer.enumerated() {
            guard !t.name.isEmpty else {
                throw .malformedModel(place: "graph.initializer[\(i)]", problem: "the initializer has no name")
            }
            let place = "initializer '\(t.name)'"
            guard initializers[t.name] == nil else {
                throw .malformedModel(place: place, problem: "the name is defined twice")
            }
            initializers[t.name] = try ModelTensor(proto: t, place: place)
        }

        var inputs: [ValueSignature] = []
        var inputNames = Set<String>()
        for (i, info) in graph.input.enumerated() {
            // Inputs with an initializer of the same name are constants (IR < 4 lists them as inputs).
            if initializers[info.name] != nil { continue }
            let signature = try ValueSignature(proto: info, place: "graph input \(i)")
            guard case .tensor = signature.kind else {
                throw .unsupported(place: "graph input '\(signature.name)'", problem: "model inputs must be tensors")
            }
            guard inputNames.insert(signature.name).inserted else {
                throw .malformedModel(place: "graph input '\(signature.name)'", problem: "the input is declared twice")
            }
            inputs.append(signature)
        }

        var outputs: [ValueSignature] = []
        var outputNames = Set<String>()
        for (i, info) in graph.output.enumerated() {
            let signature = try ValueSignature(proto: info, place: "graph output \(i)")
            guard outputNames.insert(signature.name).inserted else {
                throw .malformedModel(place: "graph output '\(signature.name)'", problem: "duplicate output name: the output is declared twice")
            }
            outputs.append(signature)
        }
        guard !outputs.isEmpty else {
            throw .malformedModel(place: "graph", problem: "the graph declares no outputs")
        }

        var nodes: [Node] = []
        nodes.reserveCapacity(graph.node.count)
        for (i, n) in graph.node.enumerated() {
            let node = try Node(proto: n, index: i)
            guard opsets[node.canonicalDomain] != nil else {
                throw .malformedModel(
                    place: "node '\(node.name)' (\(node.opType))",
                    problem: "its domain '\(node.domain)' is not in the model's opset_import")
            }
            nodes.append(node)
        }
        try ONNXModel.checkOperatorsSupported(nodes)

        var constants = Set(initializers.keys)
        constants.formUnion(inputNames)
        let sorted = try ONNXModel.topologicallySorted(nodes, available: constants, outputs: outputs.map(\.name))

        self.irVersion = proto.irVersion
        self.producerName = proto.producerName
        self.producerVersion = proto.producerVersion
        self.opsetImports = opsets
        self.inputs = inputs
        self.outputs = outputs
        self.initializers = initializers
        self.nodes = sorted
    }

    /// The opset imports by canonical domain; refuses unknown domains and versions.
    static func opsets(_ imports: [Onnx_OperatorSetIdProto]) throws(ModelError) -> [String: Int] {
        guard !imports.isEmpty else {
            throw .malformedModel(place: "model.opset_import", problem: "the model imports no opset")
        }
        var out: [String: Int] = [:]
        for entry in imports {
            let domain = entry.domain == "ai.onnx" ? "" : entry.domain
            let shown = domain.isEmpty ? "ai.onnx" : domain
            let place = "model.opset_import '\(shown)'"
            guard let supported = supportedOpsets[domain] else {
                throw .unsupported(
                    place: place,
                    problem: "operators from domain '\(shown)' are not supported. Assay runs ai.onnx and ai.onnx.ml operators only; export the model without custom or vendor operators")
            }
            guard let version = Int(exactly: entry.version), supported.contains(version) else {
                throw .unsupported(
                    place: place,
                    problem: "opset version \(entry.version) is not supported (supported: \(supported.lowerBound)...\(supported.upperBound)); export the model with a supported target_opset")
            }
            if let previous = out[domain], previous != version {
                throw .malformedModel(place: place, problem: "the domain is imported twice, with versions \(previous) and \(version)")
            }
            out[domain] = version
        }
        return out
    }

    /// Throws one error listing every node whose operator the runtime lacks.
    static func checkOperatorsSupported(_ nodes: [Node]) throws(ModelError) {
        var missing: [String] = []
        var missingKeys: [String] = []
        for node in nodes where OperatorRegistry.kernel(for: node) == nil {
            let key = OperatorKey(node.canonicalDomain, node.opType).description
            missing.append("'\(node.name)' (\(key))")
            if !missingKeys.contains(key) { missingKeys.append(key) }
        }
        guard missing.isEmpty else {
            let shown = missing.count > 20 ? missing.prefix(20).joined(separator: ", ") + ", … (\(missing.count) in all)"
                                           : missing.joined(separator: ", ")
            throw .unsupported(
                place: "graph",
                problem: "unsupported operator\(missingKeys.count == 1 ? "" : "s") \(missingKeys.joined(separator: ", ")) used by node\(missing.count == 1 ? "" : "s") \(shown). Export the model with supported operators only (see OperatorRegistry)")
        }
    }

    /// Orders `nodes` so that each comes after the producers of its inputs (Kahn's algorithm,
    /// always taking the ready node declared first).
    /// - Throws: `malformedModel` when an edge is produced twice, an input or graph output is
    ///   produced by nothing, or the nodes form a cycle.
    static func topologicallySorted(_ nodes: [Node], available: Set<String>, outputs: [String]) throws(ModelError) -> [Node] {
        func label(_ i: Int) -> String { "node '\(nodes[i].name)' (\(nodes[i].opType))" }

        var producer: [String: Int] = [:]
        for (i, node) in nodes.enumerated() {
            for name in node.outputs where !name.isEmpty {
                if available.contains(name) {
                    throw .malformedModel(place: label(i), problem: "duplicate output name: output '\(name)' is already a graph input or initializer")
                }
                if let other = producer[name] {
                    throw .malformedModel(place: label(i), problem: "duplicate output name: output '\(name)' is also produced by \(label(other))")
                }
                producer[name] = i
            }
        }

        // Edges: producer → consumer, counted once per distinct producer of each consumer.
        var consumers: [[Int]] = Array(repeating: [], count: nodes.count)
        var pending: [Int] = Array(repeating: 0, count: nodes.count)
        for (i, node) in nodes.enumerated() {
            var seen = Set<Int>()
            for name in node.inputs where !name.isEmpty {
                if let p = producer[name] {
                    if seen.insert(p).inserted {
                        consumers[p].append(i)
                        pending[i] += 1
                    }
                } else if !available.contains(name) {
                    throw .malformedModel(
                        place: label(i),
                        problem: "input '\(name)' is not produced by any node, initializer or graph input")
                }
            }
        }
        for name in outputs where producer[name] == nil && !available.contains(name) {
            throw .malformedModel(place: "graph output '\(name)'", problem: "no node, initializer or graph input produces it")
        }

        var ready = MinHeap()
        for i in nodes.indices where pending[i] == 0 { ready.push(i) }
        var order: [Node] = []
        order.reserveCapacity(nodes.count)
        while let i = ready.pop() {
            order.append(nodes[i])
            for c in consumers[i] {
                pending[c] -= 1
                if pending[c] == 0 { ready.push(c) }
            }
        }
        if order.count < nodes.count {
            let stuck = nodes.indices.filter { pending[$0] > 0 }
            let shown = stuck.prefix(10).map(label).joined(separator: ", ")
            throw .malformedModel(
                place: "graph",
                problem: "the graph has a cycle: \(stuck.count) node\(stuck.count == 1 ? "" : "s") (\(shown)\(stuck.count > 10 ? ", …" : "")) can never run because they wait, directly or through each other, on their own outputs")
        }
        return order
    }
}

/// A binary min-heap of node indices, for a topological order that depends on the file only.
private struct MinHeap {
    private var items: [Int] = []

    mutating func push(_ x: Int) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count, items[l] < items[m] { m = l }
                if r < items.count, items[r] < items[m] { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
