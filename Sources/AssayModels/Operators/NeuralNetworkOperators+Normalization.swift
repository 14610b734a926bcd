extension NeuralNetworkOperators {
    /// BatchNormalization in inference mode: per channel `c`,
    /// `a = (1 / √(var[c] + epsilon)) · scale[c]`, `d = B[c] − mean[c]·a`, and `y = x·a + d`
    /// (the folding ONNX Runtime's CPU kernel uses). `epsilon` default 1e-5; `momentum` is
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
                var offset = 0
                for _ in 0..<outer {
                    for ch in 0..<channels {
                        let s = a[ch], t = d[ch]
                        for i in 0..<inner { yp[offset + i] = xp[offset + i] * s + t }
                        offset += inner
                    }
                }
            }
        }
        return [floatValue(y, shape)]
    }
}
