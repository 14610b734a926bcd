/// Branch-free tree evaluation: several walks advance together, one level per step, for a
/// fixed number of steps (the tree's height), so no comparison becomes a mispredicted branch.
///
/// Every leaf links to itself, so a walk that reaches a leaf early stays there. The result is
/// the leaf ``TreeEnsemble/leaf(_:root:row:)`` finds, for every row without NaN: all branch
/// modes of the ensemble must reduce to one comparison (`BRANCH_LEQ` with `BRANCH_GT`, or
/// `BRANCH_LT` with `BRANCH_GTE`, the latter of each pair with its children swapped), which
/// holds for numbers but not for NaN, so rows with a NaN take the exact per-node path. Which
/// path a row takes changes the speed only, never the leaf.
extension TreeEnsemble {
    /// A node for the lockstep walk: its comparison reduced to `v ≤ t` (or `v < t`), its
    /// children ordered to match; a leaf has both children equal to itself.
    struct LockstepNode<T: BinaryFloatingPoint & Sendable>: Sendable {
        var threshold: T
        var feature: Int32
        var onTrue: Int32
        var onFalse: Int32
    }

    /// The ensemble laid out for lockstep walks with features of type `T` (Float when the
    /// thresholds are float32 and the input is float32, so comparisons are exact either way).
    struct Lockstep<T: BinaryFloatingPoint & Sendable>: Sendable {
        var nodes: [LockstepNode<T>]
        /// `v < t` rather than `v ≤ t`.
        var strict: Bool
        /// Each tree's height (steps from its root to its deepest leaf), by tree.
        var heights: [Int]
        /// Trees walked in lockstep, and trees too deep for it (walked node by node), in order.
        var shallowTrees: [Int]
        var deepTrees: [Int]

        /// Nil when the branch modes do not reduce to one comparison.
        init?(_ ensemble: TreeEnsemble) {
            let modes = Set(ensemble.nodes.lazy.filter { $0.mode != .leaf }.map(\.mode))
            let strict: Bool
            if modes.isSubset(of: [.leq, .gt]) {
                strict = false
            } else if modes.isSubset(of: [.lt, .gte]) {
                strict = true
            } else {
                return nil
            }
            var nodes: [LockstepNode<T>] = []
            nodes.reserveCapacity(ensemble.nodes.count)
            for (i, node) in ensemble.nodes.enumerated() {
                switch node.mode {
                case .leaf:
                    nodes.append(LockstepNode(threshold: 0, feature: 0, onTrue: Int32(i), onFalse: Int32(i)))
                case .gt, .gte:
                    nodes.append(LockstepNode(threshold: T(node.threshold), feature: node.feature, onTrue: node.second, onFalse: node.first))
                default:
                    nodes.append(LockstepNode(threshold: T(node.threshold), feature: node.feature, onTrue: node.first, onFalse: node.second))
                }
            }
            // Heights, children before parents (the links were checked to be acyclic).
            var height = [Int](repeating: -1, count: nodes.count)
            var stack: [Int] = []
            for start in nodes.indices where height[start] < 0 {
                stack.append(start)
                while let i = stack.last {
                    let n = nodes[i]
                    if Int(n.onTrue) == i {
                        height[i] = 0
                        stack.removeLast()
                        continue
                    }
                    let a = Int(n.onTrue), b = Int(n.onFalse)
                    if height[a] < 0 {
                        stack.append(a)
                    } else if height[b] < 0 {
                        stack.append(b)
                    } else {
                        height[i] = 1 + max(height[a], height[b])
                        stack.removeLast()
                    }
                }
            }
            self.nodes = nodes
            self.strict = strict
            let heights = ensemble.roots.map { height[Int($0)] }
            self.heights = heights
            self.shallowTrees = heights.indices.filter { heights[$0] <= TreeEnsemble.lockstepMaxHeight }
            self.deepTrees = heights.indices.filter { heights[$0] > TreeEnsemble.lockstepMaxHeight }
        }
    }

    /// Trees taller than this are walked node by node: a lockstep walk always takes as many
    /// steps as the tallest path.
    static let lockstepMaxHeight = 48

    /// Rows that walk a tree together.
    static let lockstepRows = 8

    /// Writes `out[t * rows.count + k]`: the leaf row `rows.lowerBound + k` of `features`
    /// reaches in tree `t`, for every tree. Whole groups of ``lockstepRows`` rows walk each
    /// tree together; the rows left over walk several trees at a time each.
    func fillLeaves<T: BinaryFloatingPoint & Sendable>(
        _ lockstep: Lockstep<T>?, rows: Range<Int>, features: UnsafeBufferPointer<T>, columns: Int,
        out: UnsafeMutablePointer<Int32>
    ) {
        let count = rows.count
        let firstRow = rows.lowerBound
        nodes.withUnsafeBufferPointer { flat in
            guard let lockstep else {
                for k in 0..<count {
                    let row = UnsafeBufferPointer(rebasing: features[((firstRow + k) * columns)..<((firstRow + k + 1) * columns)])
                    for (t, root) in roots.enumerated() { out[t * count + k] = Int32(TreeEnsemble.leaf(flat, root: root, row: row)) }
                }
                return
            }
            if lockstep.strict {
                TreeEnsemble.walk(lockstep, Less.self, flat: flat, roots: roots, rows: rows, features: features, columns: columns, out: out)
            } else {
                TreeEnsemble.walk(lockstep, LessOrEqual.self, flat: flat, roots: roots, rows: rows, features: features, columns: columns, out: out)
            }
        }
    }

    /// The reduced comparison, as a type so each walk is compiled for it.
    protocol Comparison {
        static func goesTrue<T: BinaryFloatingPoint>(_ v: T, _ t: T) -> Bool
    }

    enum LessOrEqual: Comparison {
        @inline(__always) static func goesTrue<T: BinaryFloatingPoint>(_ v: T, _ t: T) -> Bool { v <= t }
    }

    enum Less: Comparison {
        @inline(__always) static func goesTrue<T: BinaryFloatingPoint>(_ v: T, _ t: T) -> Bool { v < t }
    }

    private static func walk<T: BinaryFloatingPoint & Sendable, C: Comparison>(
        _ lockstep: Lockstep<T>, _: C.Type, flat: UnsafeBufferPointer<FlatNode>, roots: [Int32], rows: Range<Int>,
        features: UnsafeBufferPointer<T>, columns: Int, out: UnsafeMutablePointer<Int32>
    ) {
        let count = rows.count
        guard count > 0, let x = features.baseAddress else { return }
        let firstRow = rows.lowerBound
        lockstep.nodes.withUnsafeBufferPointer { nodesBuffer in
            guard let nodes = nodesBuffer.baseAddress else { return }
            // Groups of eight rows walk each tree together.
            let fullGroups = count / lockstepRows
            for group in 0..<fullGroups {
                let k0 = group * lockstepRows
                let r0 = x + (firstRow + k0) * columns, r1 = r0 + columns, r2 = r1 + columns, r3 = r2 + columns
                let r4 = r3 + columns, r5 = r4 + columns, r6 = r5 + columns, r7 = r6 + columns
                for t in lockstep.shallowTrees {
                    let root = roots[t]
                    let leaves = walk8(C.self, nodes, steps: lockstep.heights[t], (root, root, root, root, root, root, root, root),
                                       (r0, r1, r2, r3, r4, r5, r6, r7))
                    let o = out + t * count + k0
                    (o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7]) = leaves
                }
            }
            do {
                // The rows left over: each walks eight trees together.
                let trees = lockstep.shallowTrees
                for k in (fullGroups * lockstepRows)..<count {
                    let r = x + (firstRow + k) * columns
                    var j = 0
                    while j < trees.count {
                        let last = trees.count - 1
                        let t = (trees[j], trees[min(j + 1, last)], trees[min(j + 2, last)], trees[min(j + 3, last)],
                                 trees[min(j + 4, last)], trees[min(j + 5, last)], trees[min(j + 6, last)], trees[min(j + 7, last)])
                        let h = lockstep.heights
                        let steps = max(max(max(h[t.0], h[t.1]), max(h[t.2], h[t.3])), max(max(h[t.4], h[t.5]), max(h[t.6], h[t.7])))
                        let leaves = walk8(C.self, nodes, steps: steps,
                                           (roots[t.0], roots[t.1], roots[t.2], roots[t.3], roots[t.4], roots[t.5], roots[t.6], roots[t.7]),
                                           (r, r, r, r, r, r, r, r))
                        out[t.0 * count + k] = leaves.0
                        out[t.1 * count + k] = leaves.1
                        out[t.2 * count + k] = leaves.2
                        out[t.3 * count + k] = leaves.3
                        out[t.4 * count + k] = leaves.4
                        out[t.5 * count + k] = leaves.5
                        out[t.6 * count + k] = leaves.6
                        out[t.7 * count + k] = leaves.7
                        j += 8
                    }
                }
            }
            for t in lockstep.deepTrees {
                for k in 0..<count {
                    var i = Int(roots[t])
                    let r = x + (firstRow + k) * columns
                    while true {
                        let n = nodes[i]
                        if Int(n.onTrue) == i { break }
                        i = Int(C.goesTrue(r[Int(n.feature)], n.threshold) ? n.onTrue : n.onFalse)
                    }
                    out[t * count + k] = Int32(i)
                }
            }
        }
        // Rows with a NaN: the exact per-node rules (missing-value flags, NaN comparisons).
        for k in 0..<count {
            let row = UnsafeBufferPointer(rebasing: features[((firstRow + k) * columns)..<((firstRow + k + 1) * columns)])
            var hasNaN = false
            for v in row where v.isNaN { hasNaN = true }
            guard hasNaN else { continue }
            for (t, root) in roots.enumerated() { out[t * count + k] = Int32(leaf(flat, root: root, row: row)) }
        }
    }

    /// `a` when `condition` holds, else `b`, by masking: both children are loaded before the
    /// comparison is known, instead of one loaded after it.
    @inline(__always)
    private static func choose(_ condition: Bool, _ a: Int32, _ b: Int32) -> Int {
        let mask = 0 &- Int(UInt8(truncatingIfNeeded: condition ? 1 : 0))
        return Int(b) ^ ((Int(a) ^ Int(b)) & mask)
    }

    typealias Lanes<E> = (E, E, E, E, E, E, E, E)

    @inline(__always)
    private static func walk8<T: BinaryFloatingPoint & Sendable, C: Comparison>(
        _: C.Type, _ nodes: UnsafePointer<LockstepNode<T>>, steps: Int, _ starts: Lanes<Int32>, _ r: Lanes<UnsafePointer<T>>
    ) -> Lanes<Int32> {
        var i0 = Int(starts.0), i1 = Int(starts.1), i2 = Int(starts.2), i3 = Int(starts.3)
        var i4 = Int(starts.4), i5 = Int(starts.5), i6 = Int(starts.6), i7 = Int(starts.7)
        for _ in 0..<steps {
            let n0 = nodes[i0], n1 = nodes[i1], n2 = nodes[i2], n3 = nodes[i3]
            let n4 = nodes[i4], n5 = nodes[i5], n6 = nodes[i6], n7 = nodes[i7]
            i0 = choose(C.goesTrue(r.0[Int(n0.feature)], n0.threshold), n0.onTrue, n0.onFalse)
            i1 = choose(C.goesTrue(r.1[Int(n1.feature)], n1.threshold), n1.onTrue, n1.onFalse)
            i2 = choose(C.goesTrue(r.2[Int(n2.feature)], n2.threshold), n2.onTrue, n2.onFalse)
            i3 = choose(C.goesTrue(r.3[Int(n3.feature)], n3.threshold), n3.onTrue, n3.onFalse)
            i4 = choose(C.goesTrue(r.4[Int(n4.feature)], n4.threshold), n4.onTrue, n4.onFalse)
            i5 = choose(C.goesTrue(r.5[Int(n5.feature)], n5.threshold), n5.onTrue, n5.onFalse)
            i6 = choose(C.goesTrue(r.6[Int(n6.feature)], n6.threshold), n6.onTrue, n6.onFalse)
            i7 = choose(C.goesTrue(r.7[Int(n7.feature)], n7.threshold), n7.onTrue, n7.onFalse)
        }
        return (Int32(i0), Int32(i1), Int32(i2), Int32(i3), Int32(i4), Int32(i5), Int32(i6), Int32(i7))
    }
}
