extension NeuralNetworkOperators {
    /// A tensor of the input's type with new elements from `pick`, which maps output index →
    /// input index (or nil for the pad value, float32 only).
    static func rearranged(_ context: OperatorContext, _ t: ModelTensor, shape: [Int], padValue: Float = 0,
                           _ pick: (Int) -> Int?) throws(ModelError) -> ModelValue {
        let count = try checkedCount(context, shape)
        func gather<T>(_ v: [T], _ fill: T) -> [T] {
            (0..<count).map { i in pick(i).map { v[$0] } ?? fill }
        }
        let storage: ModelTensor.Storage
        switch t.storage {
        case .float(let v): storage = .float(gather(v, padValue))
        case .double(let v): storage = .double(gather(v, Double(padValue)))
        case .int64(let v): storage = .int64(gather(v, Int64(exactly: padValue.rounded(.towardZero)) ?? 0))
        case .bool(let v): storage = .bool(gather(v, padValue != 0))
        case .string(let v): storage = .string(gather(v, ""))
        }
        do {
            return .tensor(try ModelTensor(elementType: t.elementType, shape: shape, storage: storage))
        } catch {
            throw context.error("cannot build the output: \(error)")
        }
    }

    /// Flatten: `[∏ shape[..<axis], ∏ shape[axis...]]`, `axis` default 1 (negative from opset
    /// 11). The elements are unchanged.
    static func flatten(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let t = try context.tensor(inputs, 0)
        let axis = try normalizedAxis(context, try context.int("axis", default: 1), rank: t.shape.count, extra: 1)
        let shape = [t.shape[..<axis].reduce(1, *), t.shape[axis...].reduce(1, *)]
        do {
            return [.tensor(try ModelTensor(elementType: t.elementType, shape: shape, storage: t.storage))]
        } catch {
            throw context.error("cannot build the output: \(error)")
        }
    }

    /// Transpose by `perm` (default: the dimensions reversed), any element type.
    static func transpose(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let t = try context.tensor(inputs, 0)
        let rank = t.shape.count
        let perm64 = try context.ints("perm", default: (0..<Int64(rank)).reversed())
        guard perm64.count == rank, Set(perm64) == Set(0..<Int64(rank)) else {
            throw context.error("attribute 'perm' = \(perm64) is not a permutation of 0..<\(rank)")
        }
        let perm = perm64.map { Int($0) }
        let outShape = perm.map { t.shape[$0] }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * t.shape[d + 1] }
        let strides = perm.map { inStrides[$0] }
        return [try rearranged(context, t, shape: outShape) { flat in
            var rem = flat, offset = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                offset += (rem % outShape[d]) * strides[d]
                rem /= outShape[d]
            }
            return offset
        }]
    }

    /// Pad in mode `constant` (default; value 0 or the given one), `reflect` (mirror without
    /// repeating the edge) or `edge`. `pads` is `[begin₀, …, end₀, …]`, an attribute before
    /// opset 11 and an int64 input from opset 11 (with optional `constant_value` input and,
    /// from opset 18, `axes`); negative pads crop.
    static func pad(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let t = try context.tensor(inputs, 0)
        let rank = t.shape.count
        let mode = try context.string("mode", default: "constant")
        guard ["constant", "reflect", "edge"].contains(mode) else {
            throw context.error("mode '\(mode)' is not supported (use constant, reflect or edge)")
        }
        var pads: [Int64]
        var value: Float = 0
        if context.opsetVersion < 11 {
            pads = try context.ints(context.opsetVersion < 2 ? "paddings" : "pads")
            value = try context.float("value", default: 0)
        } else {
            let p = try context.tensor(inputs, 1)
            guard let v = p.int64s, p.shape.count == 1 else {
                throw context.error("input 'pads' must be a 1-D int64 tensor, got \(p.elementType) of shape \(p.shape)")
            }
            pads = v
            if let cv = try context.optionalTensor(inputs, 2) {
                switch cv.storage {
                case .float(let f) where f.count == 1: value = f[0]
                case .double(let f) where f.count == 1: value = Float(f[0])
                case .int64(let f) where f.count == 1: value = Float(f[0])
                default: throw context.error("input 'constant_value' must be a scalar, got shape \(cv.shape)")
                }
            }
            if let axesTensor = try context.optionalTensor(inputs, 3) {
                guard let axes = axesTensor.int64s else { throw context.error("input 'axes' must be int64") }
                guard pads.count == 2 * axes.count else {
                    throw context.error("'pads' has \(pads.count) values for \(axes.count) axes; expected \(2 * axes.count)")
                }
                var full = [Int64](repeating: 0, count: 2 * rank)
                for (i, a) in axes.enumerated() {
                    let axis = try normalizedAxis(context, a, rank: rank, name: "axes")
                    full[axis] = pads[i]
                    full[axis + rank] = pads[i + axes.count]
                }
                pads = full
            }
        }
        guard pads.count == 2 * rank else {
            throw context.error("'pads' has \(pads.count) values; expected \(2 * rank) (begin and end for each of \(rank) dimensions)")
        }
        guard pads.allSatisfy({ abs($0) <= maximumAttribute }) else {
            throw context.error("'pads' = \(pads) has values too large")
        }
        let begin = pads[..<rank].map { Int($0) }, end = pads[rank...].map { Int($0) }
        var outShape = [Int]()
        for d in 0..<rank {
            let size = t.shape[d] + begin[d] + end[d]
            guard size >= 0 else { throw context.error("'pads' crop dimension \(d) (size \(t.shape[d])) below zero") }
            if mode == "reflect" && (begin[d] >= t.shape[d] || end[d] >= t.shape[d]) && (begin[d] > 0 || end[d] > 0) {
                throw context.error("reflect padding of \(max(begin[d], end[d])) needs dimension \(d) larger than that, got \(t.shape[d])")
            }
            if mode != "constant" && t.shape[d] == 0 && size > 0 {
                throw context.error("\(mode) padding cannot extend the empty dimension \(d)")
            }
            outShape.append(size)
        }
        var inStrides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { inStrides[d] = inStrides[d + 1] * t.shape[d + 1] }
        let inShape = t.shape
        return [try rearranged(context, t, shape: outShape, padValue: value) { flat in
            var rem = flat, offset = 0
            for d in stride(from: rank - 1, through: 0, by: -1) {
                var i = rem % outShape[d] - begin[d]
                rem /= outShape[d]
                let n = inShape[d]
                if i < 0 || i >= n {
                    switch mode {
                    case "edge": i = i < 0 ? 0 : n - 1
                    case "reflect":
                        if n == 1 { i = 0 } else {
                            let period = 2 * (n - 1)
                            i = ((i % period) + period) % period
                            if i >= n { i = period - i }
                        }
                    default: return nil
                    }
                }
                offset += i * inStrides[d]
            }
            return offset
        }]
    }
}
