extension MachineLearningOperators {
    /// Scaler: `(x − offset) · scale` per feature (or with one offset and scale for all), in
    /// float32 for float32 and integer inputs and in float64 for float64 inputs, then float32.
    static let scaler: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        guard !x.shape.isEmpty else { throw context.error("input must have rank 1 or more") }
        let scale = try context.floats("scale", default: [])
        let offset = try context.floats("offset", default: [])
        let stride = x.shape.count == 1 ? x.shape[0] : x.shape[1]
        guard !scale.isEmpty, scale.count == offset.count, scale.count == 1 || scale.count == stride else {
            throw context.error("scale (\(scale.count) values) and offset (\(offset.count)) must both have 1 or \(stride) values")
        }
        let perFeature = scale.count > 1
        let out: [Float]
        switch x.storage {
        case .float(let v):
            out = v.indices.map { i in
                let k = perFeature ? i % stride : 0
                return (v[i] - offset[k]) * scale[k]
            }
        case .double(let v):
            out = v.indices.map { i in
                let k = perFeature ? i % stride : 0
                return Float((v[i] - Double(offset[k])) * Double(scale[k]))
            }
        case .int64(let v):
            out = v.indices.map { i in
                let k = perFeature ? i % stride : 0
                return (Float(v[i]) - offset[k]) * scale[k]
            }
        case .string, .bool:
            throw context.error("input should be numeric, got \(x.elementType)")
        }
        return [try context.output(.float32, shape: x.shape, .float(out))]
    }

    /// Normalizer: divides each row (axis 1) by its MAX, L1 or L2 norm, in float32; a row whose
    /// norm is 0 is copied unchanged.
    static let normalizer: OperatorKernel = { context, inputs throws(ModelError) in
        let x = try context.tensor(inputs, 0)
        guard !x.shape.isEmpty else { throw context.error("input must have rank 1 or more") }
        let norm = try context.string("norm", default: "MAX")
        guard ["MAX", "L1", "L2"].contains(norm) else { throw context.error("norm '\(norm)' is not MAX, L1 or L2") }
        let (values, _) = try context.floatValues(inputs, 0)
        // Squares in the input's own type, then float32, as ONNX Runtime computes them.
        let squares: [Float]
        switch x.storage {
        case .float(let v): squares = v.map { $0 * $0 }
        case .double(let v): squares = v.map { Float($0 * $0) }
        case .int64(let v): squares = v.map { Float($0 &* $0) }
        case .string, .bool: squares = []
        }
        let stride = x.shape.count == 1 ? x.shape[0] : x.shape[1]
        let step = x.shape.count > 1 ? x.shape[2...].reduce(1, *) : 1
        var out = values
        guard stride > 0, step > 0 else { return [try context.output(.float32, shape: x.shape, .float(out))] }
        let loops = values.count / stride
        for n in 0..<loops {
            let start = (n % step) + (n / step) * (stride * step)
            let idx = (0..<stride).map { start + $0 * step }
            switch norm {
            case "MAX":
                var m = -Float.greatestFiniteMagnitude
                for i in idx { m = max(m, values[i]) }
                if m != 0 { for i in idx { out[i] = values[i] / m } }
            case "L1":
                var sum: Float = 0
                for i in idx { sum += abs(values[i]) }
                if sum != 0 { for i in idx { out[i] = values[i] / sum } }
            default:
                var sum: Float = 0
                for i in idx { sum += squares[i] }
                if sum != 0 {
                    for i in idx {
                        let r = (squares[i] / sum).squareRoot()
                        out[i] = values[i] < 0 ? -r : r
                    }
                }
            }
        }
        return [try context.output(.float32, shape: x.shape, .float(out))]
    }
}
