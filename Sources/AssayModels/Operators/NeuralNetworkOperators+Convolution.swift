import Foundation

extension NeuralNetworkOperators {
    /// Conv over `[N, C, W]` or `[N, C, H, W]` float32 input with weights `[M, C/group, kH, kW]`
    /// and an optional bias `[M]`; arithmetic as documented on ``Convolution``.
    ///
    /// `cache`, given by a prepared node, keeps the weights packed for the direct kernel from
    /// one run to the next. `relu`, set when the session fused a following Relu into the node,
    /// applies the Relu's `y < 0 ? 0 : y` to each element as it is stored.
    static func conv(_ context: OperatorContext, _ inputs: [ModelValue?], cache: PackedWeightCache? = nil, relu: Bool = false) throws(ModelError) -> [ModelValue] {
        let (x, xShape) = try floatInput(context, inputs, 0)
        let (w, wShape) = try floatInput(context, inputs, 1)
        let bias = try context.optionalTensor(inputs, 2)
        guard xShape.count == 3 || xShape.count == 4 else {
            throw context.error("input X must be [N, C, W] or [N, C, H, W], got shape \(xShape)")
        }
        guard wShape.count == xShape.count else {
            throw context.error("weights W must have the rank of X (\(xShape.count)), got shape \(wShape)")
        }
        let group64 = try context.int("group", default: 1)
        guard group64 >= 1, group64 <= maximumAttribute else {
            throw context.error("attribute 'group' = \(group64) must be at least 1")
        }
        let group = Int(group64)
        let (n, c, m) = (xShape[0], xShape[1], wShape[0])
        guard c % group == 0, m % group == 0 else {
            throw context.error("group = \(group) must divide both the input channels (\(c)) and the output channels (\(m))")
        }
        guard wShape[1] * group == c else {
            throw context.error("X has \(c) channels but W \(wShape) expects \(wShape[1] * group) (W[1] × group = \(wShape[1]) × \(group)). Check the input's channel count")
        }
        let kernel = Array(wShape.dropFirst(2))
        if let k = try context.optionalInts("kernel_shape"), k.map({ Int($0) }) != kernel {
            throw context.error("attribute 'kernel_shape' = \(k) does not match the weights' spatial shape \(kernel)")
        }
        var b: [Float] = []
        if let bias {
            guard let v = bias.floats, bias.shape == [m] else {
                throw context.error("bias B must be float32 of shape [\(m)], got \(bias.elementType) of shape \(bias.shape)")
            }
            b = v
        }
        let geometry = try windowGeometry(context, spatial: Array(xShape.dropFirst(2)), kernel: kernel, ceilMode: false)
        let outShape = xShape.count == 3 ? [n, m, geometry.outputX] : [n, m, geometry.outputY, geometry.outputX]
        _ = try checkedCount(context, outShape)
        let kg = wShape[1] * geometry.kernelY * geometry.kernelX
        _ = try checkedCount(context, [kg, geometry.outputY, geometry.outputX])
        let convolution = Convolution(geometry: geometry, batch: n, inputChannels: c, outputChannels: m, groups: group)
        var packed: [Float]? = nil
        var offsets: [Int]? = nil
        if let cache, convolution.supportsDirect, !w.isEmpty {
            packed = cache.packed(w, key: wShape + [group]) { convolution.packedWeights($0) }
            offsets = cache.offsets(convolution)
        }
        return [floatValue(convolution.apply(x, w, b, pool: context.pool, packed: packed, offsets: offsets, relu: relu), outShape)]
    }

    /// A Conv node prepared once per session: the same kernel, with its packed weights kept.
    static func prepareConv(_ context: OperatorContext, _ constants: [ModelValue?]) throws(ModelError) -> OperatorKernel {
        let cache = PackedWeightCache()
        return { c, i throws(ModelError) in try conv(c, i, cache: cache) }
    }

    /// A Conv node with the nodes the session fused into it (see `InferenceSession`): a
    /// BatchNormalization folded into its weights and bias (`folded`, from
    /// ``foldBatchNormalization(conv:batchNorm:constants:)``), and/or a Relu applied as each
    /// output element is stored. Errors are the Conv's, reported with the Conv node's name.
    static func prepareFusedConv(_ context: OperatorContext, folded: (weights: ModelValue, bias: ModelValue)?, relu: Bool) -> OperatorKernel {
        let cache = PackedWeightCache()
        guard let folded else {
            return { c, i throws(ModelError) in try conv(c, i, cache: cache, relu: relu) }
        }
        return { c, i throws(ModelError) in
            var inputs = i
            while inputs.count < 3 { inputs.append(nil) }
            inputs[1] = folded.weights
            inputs[2] = folded.bias
            return try conv(c, inputs, cache: cache, relu: relu)
        }
    }

    /// The weights and bias of a Conv followed by an inference-mode BatchNormalization, folded
    /// into one convolution as ONNX Runtime's Conv–BatchNormalization fusion does, in float32,
    /// each operation rounded once (no fused multiply–add), per output channel `m`:
    ///
    ///     s[m]  = scale[m] / √(var[m] + epsilon)
    ///     w'[m, …] = w[m, …] · s[m]
    ///     b'[m] = (b[m] − mean[m]) · s[m] + B[m]      (without a Conv bias: (−mean[m]) · s[m] + B[m])
    ///
    /// The fused node then computes the documented Conv sum with `w'` and adds `b'`; its outputs
    /// differ from Conv then BatchNormalization in the last bits (the same tolerance against
    /// ONNX Runtime applies, which folds the same way), and are fixed by this formula.
    ///
    /// `conv` holds the Conv's constant inputs (W, and B when given), `constants` the
    /// BatchNormalization's. Nil — no fusion, the nodes run separately and report their own
    /// errors — unless W is float32 of rank 3 or 4, the Conv bias (if any) and the four
    /// parameters are float32 `[M]` for `M` = W's output channels, and the BatchNormalization
    /// is in inference mode with output Y only.
    static func foldBatchNormalization(conv: [ModelValue?], batchNorm context: OperatorContext, constants: [ModelValue?]) -> (weights: ModelValue, bias: ModelValue)? {
        guard conv.count >= 2, case .tensor(let wt)? = conv[1], let w = wt.floats,
              wt.shape.count == 3 || wt.shape.count == 4, wt.shape[0] > 0 else { return nil }
        let m = wt.shape[0], perChannel = w.count / m
        guard perChannel * m == w.count else { return nil }
        var convBias: [Float]? = nil
        if conv.count >= 3, let b = conv[2] {
            guard case .tensor(let bt) = b, let v = bt.floats, bt.shape == [m] else { return nil }
            convBias = v
        }
        guard (try? context.int("training_mode", default: 0)) == 0,
              context.opsetVersion >= 9 || (try? context.int("spatial", default: 1)) == 1,
              context.node.inputs.count == 5,
              !context.node.outputs.dropFirst().contains(where: { !$0.isEmpty }),
              let epsilon = try? context.float("epsilon", default: 1e-5),
              constants.count == 5 else { return nil }
        var parameters: [[Float]] = []
        for index in 1...4 {
            guard case .tensor(let t)? = constants[index], let v = t.floats, t.shape == [m] else { return nil }
            parameters.append(v)
        }
        let (scale, shift, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
        var folded = w, bias = [Float](repeating: 0, count: m)
        for ch in 0..<m {
            let s = scale[ch] / (variance[ch] + epsilon).squareRoot()
            for k in (ch * perChannel)..<((ch + 1) * perChannel) { folded[k] = w[k] * s }
            let centered = convBias.map { $0[ch] - mean[ch] } ?? -mean[ch]
            let product = centered * s
            bias[ch] = product + shift[ch]
        }
        return (floatValue(folded, wt.shape), floatValue(bias, [m]))
    }

    /// The weights of one node in a kernel's packed layout, made on the first run and reused
    /// while the node gets the same weights (an initializer: the same array every run).
    ///
    /// `@unchecked Sendable`: it owns its lock, and every access to the stored arrays holds it.
    /// Concurrent runs of one session share the cache; the packed array is immutable once
    /// made, and a run that finds different weights (a weight fed as a graph input) packs its
    /// own and replaces the entry, so results never depend on which run packed first.
    final class PackedWeightCache: @unchecked Sendable {
        private let lock = NSLock()
        private var weights: [Float] = []
        private var key: [Int] = []
        private var packed: [Float]? = nil

        /// The packed form of `w` (with shape key `key`), from the cache when `w` equals the
        /// cached weights (a pointer check for the same array), else made by `pack` and kept.
        func packed(_ w: [Float], key: [Int], _ pack: (UnsafePointer<Float>) -> [Float]) -> [Float] {
            lock.lock()
            if let packed, self.key == key, weights == w {
                lock.unlock()
                return packed
            }
            lock.unlock()
            let made = w.withUnsafeBufferPointer { buffer -> [Float] in
                guard let base = buffer.baseAddress else { return [] }
                return pack(base)
            }
            lock.lock()
            (weights, self.key, packed) = (w, key, made)
            lock.unlock()
            return made
        }

        private var offsetsKey: [Int] = []
        private var tapOffsets: [Int] = []

        /// The direct kernel's tap offsets for `convolution` (they depend on its geometry and
        /// channels only), from the cache when the geometry is the last one's.
        func offsets(_ convolution: Convolution) -> [Int] {
            let g = convolution.geometry
            let key = [g.inputY, g.inputX, g.kernelY, g.kernelX, g.strideY, g.strideX, g.dilationY, g.dilationX,
                       g.padTop, g.padLeft, g.padBottom, g.padRight, g.outputY, g.outputX, convolution.inputChannels, convolution.groups]
            lock.lock()
            if offsetsKey == key {
                defer { lock.unlock() }
                return tapOffsets
            }
            lock.unlock()
            let made = convolution.tapOffsets(convolution.paddedLayout)
            lock.lock()
            (offsetsKey, tapOffsets) = (key, made)
            lock.unlock()
            return made
        }
    }
}
