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

        let result: [Int64]
        switch x.storage {
        case .float(let v): result = argMaxIndices(v, outer: outer, size: size, inner: inner, last: last)
        case .double(let v): result = argMaxIndices(v, outer: outer, size: size, inner: inner, last: last)
        case .int64(let v): result = argMaxIndices(v, outer: outer, size: size, inner: inner, last: last)
        case .string, .bool: throw context.error("input should be numeric, got \(x.elementType)")
        }
        var shape = x.shape
        if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) }
        return [try context.output(.int64, shape: shape, .int64(result))]
    }

    /// The ArgMax index of every (outer, inner) line of `v` along the middle axis of `size`.
    @inline(__always)
    private static func argMaxIndices<T: Comparable>(_ v: [T], outer: Int, size: Int, inner: Int, last: Bool) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: outer * inner) { out, initialized in
            v.withUnsafeBufferPointer { v in
                @inline(__always)
                func scan(_ beats: (T, T) -> Bool) {
                    for o in 0..<outer {
                        for i in 0..<inner {
                            let base = o * size * inner + i
                            var best = v[base]
                            var bestIndex = 0
                            for k in 1..<size {
                                let e = v[base + k * inner]
                                if beats(e, best) {
                                    best = e
                                    bestIndex = k
                                }
                            }
                            out[o * inner + i] = Int64(bestIndex)
                        }
                    }
                }
                if last { scan { $0 >= $1 } } else { scan { $0 > $1 } }
            }
            initialized = outer * inner
        }
    }
}
