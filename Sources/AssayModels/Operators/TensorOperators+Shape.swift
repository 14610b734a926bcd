extension TensorOperators {
    /// Identity: the input, unchanged.
    static let identity: OperatorKernel = { context, inputs throws(ModelError) in
        [.tensor(try context.tensor(inputs, 0))]
    }

    /// Reshape: same elements, new shape. A 0 copies the input's dimension (unless `allowzero`
    /// is 1, opset 14+); one -1 takes whatever size holds the rest.
    static let reshape: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        let requested = try integers(context, inputs, 1)
        let allowZero = context.opsetVersion >= 14 ? try context.int("allowzero", default: 0) != 0 : false
        var shape: [Int] = []
        var inferred: Int? = nil
        for (i, d) in requested.enumerated() {
            switch d {
            case -1:
                guard inferred == nil else { throw context.error("shape \(requested) has more than one -1") }
                inferred = i
                shape.append(1)
            case 0 where !allowZero:
                guard i < x.shape.count else {
                    throw context.error("shape \(requested) copies dimension \(i) (0) but the input \(x.shape) has rank \(x.shape.count)")
                }
                shape.append(x.shape[i])
            default:
                guard d >= 0, let dim = Int(exactly: d) else { throw context.error("shape \(requested) has a negative dimension \(d)") }
                shape.append(dim)
            }
        }
        if let inferred {
            guard allowZero == false || !requested.contains(0) else {
                throw context.error("shape \(requested) has both -1 and 0 with allowzero=1")
            }
            guard let known = ModelTensor.elementCount(shape), known > 0, x.count % known == 0 else {
                throw context.error("cannot reshape \(x.shape) (\(x.count) elements) to \(requested)")
            }
            shape[inferred] = x.count / known
        }
        guard ModelTensor.elementCount(shape) == x.count else {
            throw context.error("cannot reshape \(x.shape) (\(x.count) elements) to \(requested)")
        }
        return [try context.output(x.elementType, shape: shape, x.storage)]
    }

    /// Shape: the input's dimensions as int64, sliced by `start`/`end` (opset 15+).
    static let shape: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        let rank = x.shape.count
        var lo = 0, hi = rank
        if context.opsetVersion >= 15 {
            func clamp(_ v: Int64) -> Int {
                let r = Int64(rank)
                let c = v < 0 ? max(v + r, 0) : min(v, r)
                return Int(c)
            }
            lo = clamp(try context.int("start", default: 0))
            if case .int(let end)? = context.node.attributes["end"] { hi = clamp(end) }
        }
        let dims = lo < hi ? x.shape[lo..<hi].map { Int64($0) } : []
        return [try context.output(.int64, shape: [dims.count], .int64(dims))]
    }

    /// The axes of Squeeze/Unsqueeze: the `axes` attribute before opset 13, the second input
    /// from 13 on; nil when absent.
    private static func axes(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [Int64]? {
        if context.opsetVersion >= 13 {
            guard inputs.count > 1, inputs[1] != nil else { return nil }
            return try integers(context, inputs, 1)
        }
        guard context.node.attributes["axes"] != nil else { return nil }
        return try context.ints("axes")
    }

    /// Squeeze: drops the given axes (each of size 1), or every axis of size 1.
    static let squeeze: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        var drop = Set<Int>()
        if let axes = try axes(context, inputs) {
            for a in axes {
                let axis = try context.normalizedAxis(a, rank: x.shape.count, name: "axes entry")
                guard x.shape[axis] == 1 else {
                    throw context.error("cannot squeeze axis \(a) of shape \(x.shape): its size is not 1")
                }
                drop.insert(axis)
            }
        } else {
            for (axis, d) in x.shape.enumerated() where d == 1 { drop.insert(axis) }
        }
        let shape = x.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element)
        return [try context.output(x.elementType, shape: shape, x.storage)]
    }

    /// Unsqueeze: inserts axes of size 1 at the given positions of the output.
    static let unsqueeze: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        guard let axes = try axes(context, inputs) else { throw context.error("axes are required") }
        let rank = x.shape.count + axes.count
        var insert = Set<Int>()
        for a in axes {
            let axis = try context.normalizedAxis(a, rank: rank, name: "axes entry")
            guard insert.insert(axis).inserted else { throw context.error("axes \(axes) repeat axis \(axis)") }
        }
        var shape: [Int] = []
        var source = x.shape.makeIterator()
        for axis in 0..<rank {
            if insert.contains(axis) {
                shape.append(1)
            } else if let d = source.next() {
                shape.append(d)
            }
        }
        return [try context.output(x.elementType, shape: shape, x.storage)]
    }
}
