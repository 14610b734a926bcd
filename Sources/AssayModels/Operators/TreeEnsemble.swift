/// The trees of a TreeEnsembleClassifier or TreeEnsembleRegressor node, flattened into arrays
/// for fast evaluation and checked once so that evaluation cannot fail or loop.
///
/// Trees follow ONNX Runtime's reading of the attributes: a tree starts wherever
/// `nodes_treeids` changes; its first listed node is its root; a leaf's weights are its
/// `*_weights` entries in (tree id, node id) order; weights on branch nodes are ignored.
struct TreeEnsemble: Sendable {
    /// A comparison node or a leaf. For a leaf, `first`/`second` are the start and count of
    /// its weights; for a branch, the indices of the true and false children.
    struct FlatNode: Sendable {
        var threshold: Double
        var feature: Int32
        var first: Int32
        var second: Int32
        var mode: Mode
        var missingTracksTrue: Bool
    }

    enum Mode: UInt8, Sendable {
        case leq, lt, gte, gt, eq, neq, leaf

        init?(_ name: String) {
            switch name {
            case "BRANCH_LEQ": self = .leq
            case "BRANCH_LT": self = .lt
            case "BRANCH_GTE": self = .gte
            case "BRANCH_GT": self = .gt
            case "BRANCH_EQ": self = .eq
            case "BRANCH_NEQ": self = .neq
            case "LEAF": self = .leaf
            default: return nil
            }
        }
    }

    var nodes: [FlatNode]
    /// Each tree's root, in the order trees are summed.
    var roots: [Int32]
    /// Leaf weights: the output (class or target) index and the value.
    var weightTargets: [Int32]
    var weightValues: [Double]
    /// The largest feature index any branch reads.
    var maxFeature: Int
    /// Whether thresholds and weights are float32 (`nodes_values`, …) rather than float64
    /// (`nodes_values_as_tensor` of type double); sums use the same precision.
    var singlePrecision: Bool
    /// Whether the thresholds are float32 (so float32 features compare exactly as float32).
    var thresholdsSinglePrecision: Bool
    /// The trees laid out for branch-free walks (nil when the branch modes do not allow it):
    /// with float32 thresholds and float32 features, and with float64 features.
    var lockstepFloat: Lockstep<Float>?
    var lockstepDouble: Lockstep<Double>?

    /// Reads and checks the node attributes. `weightPrefix` is `class` or `target`;
    /// `outputCount` bounds the weight ids.
    init(_ context: OperatorContext, weightPrefix: String, outputCount: Int) throws(ModelError) {
        let treeIDs = try context.ints("nodes_treeids")
        let nodeIDs = try context.ints("nodes_nodeids")
        let featureIDs = try context.ints("nodes_featureids")
        let modes = try context.strings("nodes_modes")
        let trueIDs = try context.ints("nodes_truenodeids")
        let falseIDs = try context.ints("nodes_falsenodeids")
        let missing = try context.ints("nodes_missing_value_tracks_true", default: [])
        let (thresholds, thresholdsSingle) = try TreeEnsemble.values(context, "nodes_values", required: true)
        let n = treeIDs.count
        for (name, count) in [("nodes_nodeids", nodeIDs.count), ("nodes_featureids", featureIDs.count), ("nodes_modes", modes.count),
                              ("nodes_truenodeids", trueIDs.count), ("nodes_falsenodeids", falseIDs.count),
                              ("nodes_values", thresholds.count)] where count != n {
            throw context.error("\(name) has \(count) entries but nodes_treeids has \(n); every nodes_* attribute needs one per node")
        }
        guard n > 0 else { throw context.error("the ensemble has no nodes") }
        guard missing.count <= n else { throw context.error("nodes_missing_value_tracks_true has more entries than there are nodes") }

        struct Key: Hashable { let tree: Int64; let node: Int64 }
        var index: [Key: Int] = [:]
        index.reserveCapacity(n)
        var nodes: [FlatNode] = []
        nodes.reserveCapacity(n)
        var maxFeature = 0
        for i in 0..<n {
            guard let mode = Mode(modes[i]) else {
                throw context.error("nodes_modes[\(i)] '\(modes[i])' is not BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF")
            }
            let key = Key(tree: treeIDs[i], node: nodeIDs[i])
            guard index.updateValue(i, forKey: key) == nil else {
                throw context.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) is listed twice")
            }
            var feature: Int32 = 0
            if mode != .leaf {
                guard let f = Int32(exactly: featureIDs[i]), f >= 0 else {
                    throw context.error("nodes_featureids[\(i)] = \(featureIDs[i]) is not a valid feature index")
                }
                feature = f
                maxFeature = max(maxFeature, Int(f))
            }
            nodes.append(FlatNode(threshold: thresholds[i], feature: feature, first: 0, second: 0, mode: mode,
                                  missingTracksTrue: i < missing.count && missing[i] == 1))
        }
        guard n < Int(Int32.max) else { throw context.error("the ensemble has too many nodes") }

        // Children, with a check that following them always ends at a leaf.
        var indegree = [Int32](repeating: 0, count: n)
        for i in 0..<n where nodes[i].mode != .leaf {
            guard let t = index[Key(tree: treeIDs[i], node: trueIDs[i])] else {
                throw context.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) has true child \(trueIDs[i]), which does not exist")
            }
            guard let f = index[Key(tree: treeIDs[i], node: falseIDs[i])] else {
                throw context.error("node \(nodeIDs[i]) of tree \(treeIDs[i]) has false child \(falseIDs[i]), which does not exist")
            }
            nodes[i].first = Int32(t)
            nodes[i].second = Int32(f)
            indegree[t] += 1
            indegree[f] += 1
        }
        var queue = (0..<n).filter { indegree[$0] == 0 }
        var visited = 0
        while let i = queue.popLast() {
            visited += 1
            guard nodes[i].mode != .leaf else { continue }
            for c in [Int(nodes[i].first), Int(nodes[i].second)] {
                indegree[c] -= 1
                if indegree[c] == 0 { queue.append(c) }
            }
        }
        guard visited == n else { throw context.error("the tree links form a cycle; every path must end at a leaf") }

        // Leaf weights, sorted by (tree id, node id), ties in attribute order.
        let ids = try context.ints("\(weightPrefix)_ids")
        let weightNodeIDs = try context.ints("\(weightPrefix)_nodeids")
        let weightTreeIDs = try context.ints("\(weightPrefix)_treeids")
        let (weights, weightsSingle) = try TreeEnsemble.values(context, "\(weightPrefix)_weights", required: true)
        guard ids.count == weightNodeIDs.count, ids.count == weightTreeIDs.count, ids.count == weights.count else {
            throw context.error("\(weightPrefix)_ids, _nodeids, _treeids and _weights must have the same length (\(ids.count), \(weightNodeIDs.count), \(weightTreeIDs.count), \(weights.count))")
        }
        let order = ids.indices.sorted {
            (weightTreeIDs[$0], weightNodeIDs[$0], $0) < (weightTreeIDs[$1], weightNodeIDs[$1], $1)
        }
        var weightTargets: [Int32] = []
        var weightValues: [Double] = []
        weightTargets.reserveCapacity(ids.count)
        weightValues.reserveCapacity(ids.count)
        for w in order {
            guard let leaf = index[Key(tree: weightTreeIDs[w], node: weightNodeIDs[w])] else {
                throw context.error("\(weightPrefix) weight \(w) points at node \(weightNodeIDs[w]) of tree \(weightTreeIDs[w]), which does not exist")
            }
            guard nodes[leaf].mode == .leaf else { continue }  // ignored, as ONNX Runtime does
            guard ids[w] >= 0, ids[w] < Int64(outputCount) else {
                throw context.error("\(weightPrefix)_ids[\(w)] = \(ids[w]) is out of range for \(outputCount) outputs")
            }
            if nodes[leaf].second == 0 { nodes[leaf].first = Int32(weightValues.count) }
            nodes[leaf].second += 1
            weightTargets.append(Int32(ids[w]))
            weightValues.append(weights[w])
        }
        for i in 0..<n where nodes[i].mode == .leaf && nodes[i].second == 0 {
            throw context.error("leaf \(nodeIDs[i]) of tree \(treeIDs[i]) has no weight")
        }

        var roots: [Int32] = []
        for i in 0..<n where i == 0 || treeIDs[i] != treeIDs[i - 1] { roots.append(Int32(i)) }

        self.nodes = nodes
        self.roots = roots
        self.weightTargets = weightTargets
        self.weightValues = weightValues
        self.maxFeature = maxFeature
        self.singlePrecision = thresholdsSingle && weightsSingle
        self.thresholdsSinglePrecision = thresholdsSingle
        self.lockstepFloat = nil
        self.lockstepDouble = nil
        self.lockstepFloat = thresholdsSingle ? Lockstep<Float>(self) : nil
        self.lockstepDouble = Lockstep<Double>(self)
    }

    /// A float list attribute `name`, or its `name_as_tensor` twin (float or double).
    /// Returns the values and whether they are float32.
    static func values(_ context: OperatorContext, _ name: String, required: Bool) throws(ModelError) -> ([Double], Bool) {
        let plain = context.node.attributes[name]
        let tensor = context.node.attributes[name + "_as_tensor"]
        switch (plain, tensor) {
        case (.some, .some):
            throw context.error("give \(name) or \(name)_as_tensor, not both")
        case (.some, nil):
            return (try context.floats(name).map { Double($0) }, true)
        case (nil, .tensor(let t)?):
            switch t.storage {
            case .float(let v): return (v.map { Double($0) }, true)
            case .double(let v): return (v, false)
            default: throw context.error("\(name)_as_tensor should hold float or double values, got \(t.elementType)")
            }
        case (nil, .some(let other)):
            throw context.error("\(name)_as_tensor should be a tensor, got \(other)")
        case (nil, nil):
            if required { throw context.error("attribute '\(name)' (or '\(name)_as_tensor') is required") }
            return ([], true)
        }
    }

    /// The leaf `row` reaches in the tree rooted at `root`, node by node. The row holds the
    /// features as ONNX Runtime compares them: float32 features against float32 thresholds,
    /// otherwise as float64 (the comparison is made in float64 either way, which is exact).
    @inline(__always)
    static func leaf<T: BinaryFloatingPoint>(_ nodes: UnsafeBufferPointer<FlatNode>, root: Int32, row: UnsafeBufferPointer<T>) -> Int {
        var i = Int(root)
        while true {
            let node = nodes[i]
            let v = Double(row[Int(node.feature)])
            let t = node.threshold
            let goTrue: Bool
            switch node.mode {
            case .leaf: return i
            case .leq: goTrue = v <= t
            case .lt: goTrue = v < t
            case .gte: goTrue = v >= t
            case .gt: goTrue = v > t
            case .eq: goTrue = v == t
            case .neq: goTrue = v != t
            }
            i = Int(goTrue || (node.missingTracksTrue && v.isNaN) ? node.first : node.second)
        }
    }
}
