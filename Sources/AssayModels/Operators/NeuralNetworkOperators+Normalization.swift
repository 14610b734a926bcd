extension NeuralNetworkOperators {
    /// BatchNormalization in inference mode: per channel `c`,
    /// `a = (1 / √(var[c] + epsilon)) · scale[c]`, `d = B[c] − mean[c]·a` (each operation
    /// rounded), and `y = fma(x, a, d)` — one fused multiply–add, written explicitly — per
    /// element (the folding ONNX Runtime's CPU kernel uses, with one rounding less). `epsilon` default 1e-5; `momentum` is
    /// ignored; `training_mode = 1` (opset 14+) and `spatial = 0` (before opset 9) are refused.
    static func batchNormalization(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let (x, shape) = try floatInput(context, inputs, 0)
        guard shape.count >= 2 else { throw context.error("input X must be [N, C, …], got shape \(shape)") }
        if try context.int("training_mode", default: 0) != 0 {
            throw context.error("training_mode = 1 is not supported; export the model in inference (eval) mode")
        }
        if context.opsetVersion < 9, try context.int("spatial", default: 1) == 0 {
            throw context.error("spatial = 0 (per-element statistics) is not supported")
        }
        if context.node.outputs.dropFirst().contains(where: { !$0.isEmpty }) {
            throw context.error("only output Y is supported (running mean and variance outputs are for training)")
        }
        let epsilon = try context.float("epsilon", default: 1e-5)
        let channels = shape[1]
        var parameters: [[Float]] = []
        for (index, name) in [(1, "scale"), (2, "B"), (3, "input_mean"), (4, "input_var")] {
            let (v, s) = try floatInput(context, inputs, index)
            guard v.count == channels, s.count == 1 else {
                throw context.error("input \(name) must have shape [\(channels)] (one value per channel of X \(shape)), got \(s)")
            }
            parameters.append(v)
        }
        let (scale, shift, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        var a = [Float](repeating: 0, count: channels), d = [Float](repeating: 0, count: channels)
        for ch in 0..<channels {
            a[ch] = (1 / (variance[ch] + epsilon).squareRoot()) * scale[ch]
            d[ch] = shift[ch] - mean[ch] * a[ch]
        }
        let inner = shape[2...].reduce(1, *), outer = shape[0]
        let y = x.withUnsafeBufferPointer { xb in
            [Float].filled(count: x.count) { yp in
                guard let xp = xb.baseAddress else { return }
                a.withUnsafeBufferPointer { ab in
                    d.withUnsafeBufferPointer { db in
                        var offset = 0
                        for _ in 0..<outer {
                            for ch in 0..<channels {
                                scaleAndShift(xp + offset, yp + offset, inner, ab[ch], db[ch])
                                offset += inner
                            }
                        }
                    }
                }
            }
        }
        return [floatValue(y, shape)]
    }

    /// `y[i] = fma(x[i], a, d)` for `i < count`, eight lanes at a time; every lane computes the
    /// scalar formula.
    @inline(__always)
    static func scaleAndShift(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ a: Float, _ d: Float) {
        let av = SIMD8<Float>(repeating: a), dv = SIMD8<Float>(repeating: d)
        let xr = UnsafeRawPointer(x), yr = UnsafeMutableRawPointer(y)
        var i = 0
        while i + 8 <= count {
            let v = xr.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            yr.storeBytes(of: dv.addingProduct(v, av), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            y[i] = d.addingProduct(x[i], a)
            i += 1
        }
    }
}
