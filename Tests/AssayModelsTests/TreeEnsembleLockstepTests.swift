import Testing
@testable import AssayModels

/// The branch-free lockstep walk must reach the same leaf as the node-by-node walk for every
/// row: random tree shapes (deep chains included), every pair of branch modes it accepts,
/// missing-value flags, NaN rows, and features equal to thresholds (where `≤` and `<` differ).
@Suite struct TreeEnsembleLockstepTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// A regressor node with `trees` random trees; `modes` are the branch modes to draw from.
    static func node(trees: Int, features: Int, modes: [String], chainEvery: Int, seed: UInt64) -> Node {
        var rng = SplitMix(state: seed)
        let thresholds: [Float] = [-1, -0.5, 0, 0.25, 0.5, 1, 2]
        var treeIDs: [Int64] = [], nodeIDs: [Int64] = [], featureIDs: [Int64] = [], nodeModes: [String] = []
        var values: [Float] = [], trueIDs: [Int64] = [], falseIDs: [Int64] = [], missing: [Int64] = []
        var targetTree: [Int64] = [], targetNode: [Int64] = [], targetIDs: [Int64] = [], weights: [Float] = []
        for t in 0..<trees {
            // Grow a random tree breadth-first; every `chainEvery`-th tree is a long chain.
            let chain = t % chainEvery == chainEvery - 1
            let limit = chain ? 121 : 1 + 2 * (1 + rng.below(20))
            var count = 1
            var queue = [0]
            var isBranch: [Int: (Int, Int)] = [:]
            while let n = queue.first, count + 2 <= limit {
                queue.removeFirst()
                if !chain && rng.below(4) == 0 && n != 0 { continue }
                isBranch[n] = (count, count + 1)
                queue.append(contentsOf: chain ? [count + rng.below(2)] : [count, count + 1])
                count += 2
            }
            for n in 0..<count {
                treeIDs.append(Int64(t))
                nodeIDs.append(Int64(n))
                missing.append(Int64(rng.below(2)))
                if let (a, b) = isBranch[n] {
                    featureIDs.append(Int64(rng.below(features)))
                    nodeModes.append(modes[rng.below(modes.count)])
                    values.append(thresholds[rng.below(thresholds.count)])
                    trueIDs.append(Int64(a))
                    falseIDs.append(Int64(b))
                } else {
                    featureIDs.append(0)
                    nodeModes.append("LEAF")
                    values.append(0)
                    trueIDs.append(0)
                    falseIDs.append(0)
                    targetTree.append(Int64(t))
                    targetNode.append(Int64(n))
                    targetIDs.append(0)
                    weights.append(Float(n))
                }
            }
        }
        return Node(name: "trees", opType: "TreeEnsembleRegressor", domain: "ai.onnx.ml", inputs: ["X"], outputs: ["Y"], attributes: [
            "nodes_treeids": .ints(treeIDs), "nodes_nodeids": .ints(nodeIDs), "nodes_featureids": .ints(featureIDs),
            "nodes_modes": .strings(nodeModes), "nodes_values": .floats(values), "nodes_truenodeids": .ints(trueIDs),
            "nodes_falsenodeids": .ints(falseIDs), "nodes_missing_value_tracks_true": .ints(missing),
            "target_treeids": .ints(targetTree), "target_nodeids": .ints(targetNode), "target_ids": .ints(targetIDs),
            "target_weights": .floats(weights),
        ])
    }

    static func leaves<T: BinaryFloatingPoint & Sendable>(
        _ ensemble: TreeEnsemble, _ lockstep: TreeEnsemble.Lockstep<T>?, _ x: [T], rows: Int, columns: Int
    ) -> [[Int32]] {
        var all: [[Int32]] = []
        // Groups of many sizes, so both lockstep layouts (rows together, trees together) run,
        // alone and mixed.
        let sizes = [1, 2, 3, 4, 5, 6, 7, 8, 21, 64, 16]
        var start = 0
        var turn = 0
        while start < rows {
            let group = start..<min(start + sizes[turn % sizes.count], rows)
            turn += 1
            var out = [Int32](repeating: -1, count: ensemble.roots.count * group.count)
            x.withUnsafeBufferPointer { features in
                out.withUnsafeMutableBufferPointer { o in
                    guard let base = o.baseAddress else { return }
                    ensemble.fillLeaves(lockstep, rows: group, features: features, columns: columns, out: base)
                }
            }
            for k in 0..<group.count { all.append((0..<ensemble.roots.count).map { out[$0 * group.count + k] }) }
            start = group.upperBound
        }
        return all
    }

    @Test(arguments: [["BRANCH_LEQ"], ["BRANCH_LEQ", "BRANCH_GT"], ["BRANCH_LT", "BRANCH_GTE"], ["BRANCH_GT"],
                      ["BRANCH_LEQ", "BRANCH_LT", "BRANCH_EQ", "BRANCH_NEQ"]])
    func lockstepFindsTheSameLeaves(modes: [String]) throws {
        let columns = 5
        let rows = 203
        for seed in UInt64(1)...4 {
            let node = Self.node(trees: 37, features: columns, modes: modes, chainEvery: 9, seed: seed)
            let ensemble = try TreeEnsemble(OperatorContext(node: node, opsetVersion: 1, pool: nil), weightPrefix: "target", outputCount: 1)
            let reducible = !modes.contains("BRANCH_EQ")
            #expect((ensemble.lockstepFloat != nil) == reducible)
            #expect((ensemble.lockstepDouble != nil) == reducible)
            #expect(ensemble.lockstepDouble.map { !$0.deepTrees.isEmpty } ?? true, "the chains should be too deep for lockstep")

            var rng = SplitMix(state: seed &* 977)
            let picks: [Float] = [-2, -1, -0.75, -0.5, 0, 0.25, 0.3, 0.5, 1, 1.5, 2, 3, .nan, .infinity, -.infinity]
            let x: [Float] = (0..<(rows * columns)).map { i in
                let row = i / columns
                return row % 7 == 3 || rng.below(40) != 0 ? picks[rng.below(picks.count - 3)] : picks[picks.count - 3 + rng.below(3)]
            }
            let exact = Self.leaves(ensemble, TreeEnsemble.Lockstep<Float>?.none, x, rows: rows, columns: columns)
            let fast = Self.leaves(ensemble, ensemble.lockstepFloat, x, rows: rows, columns: columns)
            #expect(exact == fast, "float32 features, seed \(seed), modes \(modes)")

            let xd = x.map { Double($0) }
            let exactDouble = Self.leaves(ensemble, TreeEnsemble.Lockstep<Double>?.none, xd, rows: rows, columns: columns)
            let fastDouble = Self.leaves(ensemble, ensemble.lockstepDouble, xd, rows: rows, columns: columns)
            #expect(exactDouble == fastDouble, "float64 features, seed \(seed), modes \(modes)")
            #expect(exact == exactDouble)
        }
    }
}
