extension InferenceSession {
    /// Nodes the session runs as one step: an Add and the Relu that alone reads it, or a Conv, then optionally the BatchNormalization that
    /// reads it (folded into the Conv's weights and bias), then optionally the Relu that reads
    /// the result (applied as the convolution stores each element).
    struct Fusion {
        /// The model indices of the fused nodes, the Conv first.
        let nodes: [Int]
        /// The folded weights and bias when a BatchNormalization is fused.
        let folded: (weights: ModelValue, bias: ModelValue)?
        /// Whether a Relu is fused.
        let relu: Bool
    }

    /// The fusions of `model`, by the index of their Conv.
    ///
    /// A node is fused into the one before it only when that node's output is not a graph
    /// output and is read by this node alone (once), and this node has that single output.
    /// A BatchNormalization is fused only when the Conv's weights (and bias, if any) and its
    /// scale, B, mean and var are session constants that
    /// ``NeuralNetworkOperators/foldBatchNormalization(conv:batchNorm:constants:)`` accepts;
    /// anything else runs unfused and reports its own errors. The fused step runs the Conv's
    /// checks, and its errors name the Conv node. The fold changes the output bits (the
    /// BatchNormalization is no longer a separate `fma` per element); the Relu does not.
    static func fusions(_ model: ONNXModel, outputNames: Set<String>, known: (Node) -> [ModelValue?]) -> [Int: Fusion] {
        var readers: [String: [Int]] = [:]
        for (i, node) in model.nodes.enumerated() {
            for name in node.inputs where !name.isEmpty { readers[name, default: []].append(i) }
        }
        let conv = OperatorKey("", "Conv"), batchNorm = OperatorKey("", "BatchNormalization"), relu = OperatorKey("", "Relu")
        func key(_ node: Node) -> OperatorKey { OperatorKey(node.canonicalDomain, node.opType) }
        /// The only output of `node`, when it is not a graph output.
        func innerOutput(_ node: Node) -> String? {
            let named = node.outputs.filter { !$0.isEmpty }
            guard named.count == 1, node.outputs.first == named[0], !outputNames.contains(named[0]) else { return nil }
            return named[0]
        }
        /// The node that alone reads `name`, once, as its first input.
        func soleReader(_ name: String, _ after: Int) -> Int? {
            guard let list = readers[name], list.count == 1, list[0] > after,
                  model.nodes[list[0]].inputs.first == name else { return nil }
            return list[0]
        }
        var fusions: [Int: Fusion] = [:]
        // Add → Relu: the Relu applied as the sum is stored (exact, see `residualAdd`).
        for (i, node) in model.nodes.enumerated() where key(node) == OperatorKey("", "Add") && node.inputs.count == 2 {
            if let y = innerOutput(node), let j = soleReader(y, i), key(model.nodes[j]) == relu,
               model.nodes[j].inputs.count == 1, model.nodes[j].outputs.filter({ !$0.isEmpty }).count == 1,
               model.nodes[j].outputs.first?.isEmpty == false {
                fusions[i] = Fusion(nodes: [i, j], folded: nil, relu: true)
            }
        }
        for (i, node) in model.nodes.enumerated() where key(node) == conv {
            var chain = [i]
            var folded: (weights: ModelValue, bias: ModelValue)? = nil
            var fusedRelu = false
            var tail = node
            if let y = innerOutput(tail), let j = soleReader(y, i), key(model.nodes[j]) == batchNorm,
               model.nodes[j].outputs.count >= 1 {
                let bn = model.nodes[j]
                let context = OperatorContext(node: bn, opsetVersion: model.opsetVersion(for: bn), pool: nil)
                if let f = NeuralNetworkOperators.foldBatchNormalization(conv: known(node), batchNorm: context, constants: known(bn)) {
                    folded = f
                    chain.append(j)
                    tail = bn
                }
            }
            if let y = innerOutput(tail), let j = soleReader(y, chain[chain.count - 1]), key(model.nodes[j]) == relu,
               model.nodes[j].inputs.count == 1, model.nodes[j].outputs.filter({ !$0.isEmpty }).count == 1,
               model.nodes[j].outputs.first?.isEmpty == false {
                fusedRelu = true
                chain.append(j)
            }
            if chain.count > 1 { fusions[i] = Fusion(nodes: chain, folded: folded, relu: fusedRelu) }
        }
        return fusions
    }
}
