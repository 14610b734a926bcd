extension NeuralNetworkOperators {
    /// Input 0 as float32, or an error naming the operator.
    static func floatInput(_ context: OperatorContext, _ inputs: [ModelValue?], _ index: Int = 0) throws(ModelError) -> (values: [Float], shape: [Int]) {
        try context.floatTensor(inputs, index)
    }

    /// `y = f(x)` element-wise on a float32 input.
    @inline(__always)
    static func map(_ context: OperatorContext, _ inputs: [ModelValue?], _ f: (Float) -> Float) throws(ModelError) -> [ModelValue] {
        let (x, shape) = try floatInput(context, inputs)
        let y = x.withUnsafeBufferPointer { xb in
            [Float].filled(count: x.count) { yp in
                guard let xp = xb.baseAddress else { return }
                for i in 0..<xb.count { yp[i] = f(xp[i]) }
            }
        }
        return [floatValue(y, shape)]
    }

    /// `y = f(x)` on a float32 input, eight lanes at a time (the tail padded with zeros, whose
    /// lanes are dropped); each lane is computed on its own, so the padding changes no bits.
    @inline(__always)
    static func mapLanes(_ context: OperatorContext, _ inputs: [ModelValue?], _ f: (SIMD8<Float>) -> SIMD8<Float>) throws(ModelError) -> [ModelValue] {
        let (x, shape) = try floatInput(context, inputs)
        return [floatValue(mapLanes(x, f), shape)]
    }

    @inline(__always)
    static func mapLanes(_ x: [Float], _ f: (SIMD8<Float>) -> SIMD8<Float>) -> [Float] {
        let n = x.count
        return x.withUnsafeBufferPointer { xb in
            [Float].filled(count: n) { y in
                guard let xp = xb.baseAddress else { return }
                var i = 0
                while i + 8 <= n {
                    let v = UnsafeRawPointer(xp + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD8<Float>.self)
                    i += 8
                }
                if i < n {
                    var v = SIMD8<Float>()
                    for j in 0..<(n - i) { v[j] = xp[i + j] }
                    let r = f(v)
                    for j in 0..<(n - i) { y[i + j] = r[j] }
                }
            }
        }
    }

    /// Relu: `x < 0 ? 0 : x` (NaN and −0 pass through).
    static func relu(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        try map(context, inputs) { $0 < 0 ? 0 : $0 }
    }

    /// LeakyRelu: `x < 0 ? alpha·x : x`, `alpha` default 0.01.
    static func leakyRelu(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let alpha = try context.float("alpha", default: 0.01)
        return try map(context, inputs) { $0 < 0 ? alpha * $0 : $0 }
    }

    /// Sigmoid: `1 / (1 + exp(−x))` with Assay's float `exp`.
    static func sigmoid(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        try mapLanes(context, inputs) { FloatElementary.sigmoid($0) }
    }

    /// Tanh with Assay's `tanh` (Double `exp`, rounded once).
    static func tanh(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        try map(context, inputs) { FloatElementary.tanh($0) }
    }

    /// Clip: `x < lo ? lo : (x > hi ? hi : x)`. Bounds are the `min`/`max` attributes before
    /// opset 11 and optional scalar inputs 1 and 2 from opset 11; a missing bound is ±∞.
    static func clip(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        var lo = -Float.infinity, hi = Float.infinity
        if context.opsetVersion < 11 {
            lo = try context.float("min", default: -Float.greatestFiniteMagnitude)
            hi = try context.float("max", default: Float.greatestFiniteMagnitude)
        } else {
            for (index, name) in [(1, "min"), (2, "max")] {
                guard let t = try context.optionalTensor(inputs, index) else { continue }
                guard let v = t.floats, v.count == 1 else {
                    throw context.error("input \(index) ('\(name)') must be a float32 scalar, got \(t.elementType) of shape \(t.shape)")
                }
                if index == 1 { lo = v[0] } else { hi = v[0] }
            }
        }
        return try map(context, inputs) { x in x < lo ? lo : (x > hi ? hi : x) }
    }

    /// Softmax and LogSoftmax.
    ///
    /// Before opset 13 the input is seen as 2-D, `[∏ shape[..<axis], ∏ shape[axis...]]`
    /// (axis default 1), and each row is normalized; from opset 13 only dimension `axis`
    /// (default −1) is. For each slice: `m` = the largest element; `eᵢ = exp(xᵢ − m)`; `s` =
    /// the sum of the `eᵢ` in index order from +0; Softmax is `eᵢ / s`, LogSoftmax
    /// `(xᵢ − m) − log s`.
    static func softmax(_ context: OperatorContext, _ inputs: [ModelValue?], logarithm: Bool) throws(ModelError) -> [ModelValue] {
        let (x, shape) = try floatInput(context, inputs)
        let rank = shape.count
        let legacy = context.opsetVersion < 13
        let axisAttribute = try context.int("axis", default: legacy ? 1 : -1)
        guard rank >= 1 else { throw context.error("the input must have at least one dimension, got a scalar") }
        let axis = try normalizedAxis(context, axisAttribute, rank: rank, extra: legacy ? 1 : 0)
        let outer = shape[..<axis].reduce(1, *)
        let length = legacy ? shape[axis...].reduce(1, *) : shape[axis]
        let inner = legacy ? 1 : shape[(axis + 1)...].reduce(1, *)
        if x.isEmpty || length == 0 { return [floatValue(x, shape)] }
        let y = x.withUnsafeBufferPointer { xb in
            [Float].filled(count: x.count) { yp in
                guard let xp = xb.baseAddress else { return }
                if inner == 1 {
                    // Rows are contiguous: shift every row by its maximum, exponentiate the whole
                    // buffer eight lanes at a time, then sum and normalize each row.
                    for o in 0..<outer { shiftByMaximum(xp + o * length, yp + o * length, length) }
                    exponentiate(yp, x.count)
                    for o in 0..<outer { normalize(xp + o * length, yp + o * length, length, logarithm) }
                    return
                }
                let row = UnsafeMutablePointer<Float>.allocate(capacity: 2 * length)
                defer { row.deallocate() }
                let rowOut = row + length
                for o in 0..<outer {
                    for i in 0..<inner {
                        let base = o * length * inner + i
                        for k in 0..<length { row[k] = xp[base + k * inner] }
                        shiftByMaximum(row, rowOut, length)
                        exponentiate(rowOut, length)
                        normalize(row, rowOut, length, logarithm)
                        for k in 0..<length { yp[base + k * inner] = rowOut[k] }
                    }
                }
            }
        }
        return [floatValue(y, shape)]
    }

    /// `y[k] = x[k] − m` with `m` the largest of the `n ≥ 1` elements (NaN if any is NaN).
    @inline(__always)
    static func shiftByMaximum(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = x[0]
        for k in 1..<max(n, 1) where x[k] > m || x[k] != x[k] { m = x[k] }
        for k in 0..<n { y[k] = x[k] - m }
    }

    /// `y[k] = exp(y[k])` for `k < n`, eight lanes at a time (lanes are independent, so the
    /// grouping changes no bits).
    @inline(__always)
    static func exponentiate(_ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var k = 0
        while k + 8 <= n {
            let v = UnsafeMutableRawPointer(y + k).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + k).storeBytes(of: FloatElementary.exp(v), as: SIMD8<Float>.self)
            k += 8
        }
        if k < n {
            var v = SIMD8<Float>()
            for j in 0..<(n - k) { v[j] = y[k + j] }
            let e = FloatElementary.exp(v)
            for j in 0..<(n - k) { y[k + j] = e[j] }
        }
    }

    /// Given `y[k] = exp(x[k] − m)`: the sum `s` in index order from +0, then `y[k] / s`
    /// (Softmax) or `(x[k] − m) − log s` (LogSoftmax).
    @inline(__always)
    static func normalize(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, _ logarithm: Bool) {
        var sum: Float = 0
        for k in 0..<n { sum += y[k] }
        if logarithm {
            var m = x[0]
            for k in 1..<max(n, 1) where x[k] > m || x[k] != x[k] { m = x[k] }
            let logSum = FloatElementary.log(sum)
            for k in 0..<n { y[k] = (x[k] - m) - logSum }
        } else {
            for k in 0..<n { y[k] = y[k] / sum }
        }
    }
}
