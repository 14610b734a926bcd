extension TensorOperators {
    /// ArgMax: the index of the largest element along `axis` (int64). Ties go to the first
    /// index, or the last with `select_last_index`; a NaN is never larger than anything, so it
    /// wins only as the first element, as in ONNX Runtime.
    static let argMax: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        guard !x.shape.isEmpty else { throw context.error("input must have rank 1 or more") }
        let axis = try context.normalizedAxis(try context.int("axis", default: 0), rank: x.shape.count)
        let keepDims = try context.int("keepdims", default: 1) != 0
        let last = try context.int("select_last_index", default: 0) != 0
        let size = x.shape[axis]
        guard size > 0 else { throw context.error("cannot take ArgMax over an empty axis \(axis)") }
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)

        func indices<T: Comparable>(_ v: [T]) -> [Int64] {
            var out = [Int64](repeating: 0, count: outer * inner)
            for o in 0..<outer {
                for i in 0..<inner {
                    let base = o * size * inner + i
                    var best = v[base]
                    var bestIndex = 0
                    for k in 1..<size {
                        let e = v[base + k * inner]
                        if last ? e >= best : e > best {
                            best = e
                            bestIndex = k
                        }
                    }
                    out[o * inner + i] = Int64(bestIndex)
                }
            }
            return out
        }
        let result: [Int64]
        switch x.storage {
        case .float(let v): result = indices(v)
        case .double(let v): result = indices(v)
        case .int64(let v): result = indices(v)
        case .string, .bool: throw context.error("input should be numeric, got \(x.elementType)")
        }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return [try context.output(.int64, shape: shape, .int64(result))]
    }
}
