import AssayNumerics

/// im2col and its adjoint for ``ConvolutionalNetwork``'s layers, on row-major NHWC buffers.
enum ConvolutionKernels {
    /// The im2col matrix of `rows` images for `layer`: row `r·P + oy·outputWidth + ox` (P output
    /// pixels per image) holds the taps of output pixel `(oy, ox)` of image `r` in the order
    /// `(ky, kx, c)`, tap `(ky·k + kx)·channels + c` being `x[r, oy·s + ky − top, ox·s + kx − left, c]`,
    /// or +0 where that falls in the padding. Writes the first `rows · P · patchSize` values of
    /// `patches`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func gatherPatches<T: NetworkScalar>(_ x: [T], rows: Int, layer: ConvolutionalNetwork<T>.Layer, into patches: inout [T]) {
        let h = layer.inputHeight, w = layer.inputWidth, c = layer.inputChannels, k = layer.kernelSize, s = layer.stride
        let oh = layer.outputHeight, ow = layer.outputWidth, top = layer.paddingTop, left = layer.paddingLeft
        let image = h * w * c
        precondition(x.count >= rows * image && patches.count >= rows * oh * ow * layer.patchSize)
        x.withUnsafeBufferPointer { xb in
            patches.withUnsafeMutableBufferPointer { pb in
                guard let xp = xb.baseAddress, var dst = pb.baseAddress else { return }
                for r in 0..<rows {
                    let img = xp + r * image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            for ky in 0..<k {
                                let iy = oy * s + ky - top
                                if iy < 0 || iy >= h {
                                    dst.update(repeating: 0, count: k * c)
                                    dst += k * c
                                    continue
                                }
                                for kx in 0..<k {
                                    let ix = ox * s + kx - left
                                    if ix < 0 || ix >= w {
                                        dst.update(repeating: 0, count: c)
                                    } else {
                                        dst.update(from: img + (iy * w + ix) * c, count: c)
                                    }
                                    dst += c
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of ``gatherPatches(_:rows:layer:into:)``: `dx[r, iy, ix, c]` is the sum of the
    /// entries of `patchGradient` that were gathered from that input, added from +0 in the order
    /// of the im2col matrix (output pixel `(oy, ox)` ascending, then tap `(ky, kx)`); entries for
    /// the padding are dropped. Writes the first `rows · inputCount` values of `dx`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    static func scatterPatches<T: NetworkScalar>(_ patchGradient: [T], rows: Int, layer: ConvolutionalNetwork<T>.Layer, into dx: inout [T]) {
        let h = layer.inputHeight, w = layer.inputWidth, c = layer.inputChannels, k = layer.kernelSize, s = layer.stride
        let oh = layer.outputHeight, ow = layer.outputWidth, top = layer.paddingTop, left = layer.paddingLeft
        let image = h * w * c
        precondition(dx.count >= rows * image && patchGradient.count >= rows * oh * ow * layer.patchSize)
        patchGradient.withUnsafeBufferPointer { gb in
            dx.withUnsafeMutableBufferPointer { db in
                guard var src = gb.baseAddress, let dp = db.baseAddress else { return }
                dp.update(repeating: 0, count: rows * image)
                for r in 0..<rows {
                    let img = dp + r * image
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            for ky in 0..<k {
                                let iy = oy * s + ky - top
                                if iy < 0 || iy >= h {
                                    src += k * c
                                    continue
                                }
                                for kx in 0..<k {
                                    let ix = ox * s + kx - left
                                    if ix >= 0 && ix < w {
                                        let d = img + (iy * w + ix) * c
                                        for j in 0..<c { d[j] += src[j] }
                                    }
                                    src += c
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A ``ConvolutionalNetwork`` with the buffers for training on batches of up to `batchCapacity`
/// images: each layer's im2col matrix and outputs, the gradients with respect to the outputs,
/// and the weight gradients. Used like ``StackTrainer``:
/// ``forward(_:rows:pool:parallelWork:)``, then the caller writes `∂L/∂output` with
/// ``takeOutputGradient()`` / ``restoreOutputGradient(_:)``, then
/// ``backward(input:rows:inputGradient:computeInputGradient:pool:parallelWork:)``:
///
/// - `δ = ∂L/∂y ⊙ activation′` (in place; rows of `δ` are output pixels, columns filters),
/// - `∂kernel = patchesᵀ · δ` (each entry summed over the batch's output pixels in order),
/// - `∂bias[o] = Σ δ[·, o]` (same order),
/// - `∂patches = δ · kernelᵀ` (each entry summed over the filters in order), then
///   `∂x = col2im(∂patches)` (``ConvolutionKernels/scatterPatches(_:rows:layer:into:)``).
///
/// Each gradient element is computed by one thread in a fixed order; only the matrix products
/// go to the pool, split across independent outputs.
struct ConvolutionalTrainer<T: NetworkScalar>: Sendable {
    var network: ConvolutionalNetwork<T>
    let batchCapacity: Int
    /// Each layer's im2col matrix of its input (`batchCapacity · outputPixels × patchSize`).
    var patches: [[T]]
    /// Each layer's outputs (`batchCapacity × outputCount`).
    var outputs: [[T]]
    /// `∂L/∂(layer output)`, turned into `δ` by the backward pass.
    var gradients: [[T]]
    var kernelGradients: [[T]]
    var biasGradients: [[T]]
    private var transposedPatches: [T]
    private var transposedKernel: [T]
    private var patchGradient: [T]

    init(network: ConvolutionalNetwork<T>, batchCapacity: Int) {
        self.network = network
        self.batchCapacity = batchCapacity
        let layers = network.layers
        patches = layers.map { [T](repeating: 0, count: batchCapacity * $0.outputPixels * $0.patchSize) }
        outputs = layers.map { [T](repeating: 0, count: batchCapacity * $0.outputCount) }
        gradients = outputs
        kernelGradients = layers.map { [T](repeating: 0, count: $0.kernel.count) }
        biasGradients = layers.map { [T](repeating: 0, count: $0.filters) }
        let largestPatches = patches.map(\.count).max() ?? 0
        transposedPatches = [T](repeating: 0, count: largestPatches)
        patchGradient = [T](repeating: 0, count: largestPatches)
        transposedKernel = [T](repeating: 0, count: layers.map(\.kernel.count).max() ?? 0)
    }

    /// The sizes of the parameter arrays in update order: each layer's kernel, then its bias.
    var slotSizes: [Int] { network.layers.flatMap { [$0.kernel.count, $0.bias.count] } }

    /// The last layer's outputs for the last forward pass (`batchCapacity × outputCount`).
    var output: [T] { outputs[outputs.count - 1] }

    mutating func forward(_ input: [T], rows: Int, pool: BlockPool?, parallelWork: Int) {
        precondition(rows <= batchCapacity)
        for l in network.layers.indices {
            var p = take(&patches[l])
            var y = take(&outputs[l])
            network.layers[l].forward(l == 0 ? input : outputs[l - 1], rows: rows, patches: &p, into: &y, pool: pool, parallelWork: parallelWork)
            patches[l] = p
            outputs[l] = y
        }
    }

    /// Moves out the gradient buffer of the last layer's outputs (`batchCapacity × outputCount`)
    /// for the caller to write `∂L/∂output` into; hand it back with ``restoreOutputGradient(_:)``.
    mutating func takeOutputGradient() -> [T] { take(&gradients[gradients.count - 1]) }

    mutating func restoreOutputGradient(_ g: [T]) {
        precondition(g.count == batchCapacity * network.outputCount)
        gradients[gradients.count - 1] = g
    }

    /// Backpropagates the output gradient through the layers; writes `∂L/∂input` (`rows ·
    /// inputCount` values) into `inputGradient` when `computeInputGradient` is true.
    mutating func backward(
        input: [T], rows: Int, inputGradient: inout [T], computeInputGradient: Bool,
        pool: BlockPool?, parallelWork: Int
    ) {
        var l = network.layers.count - 1
        while l >= 0 {
            let layer = network.layers[l]
            let pixels = rows * layer.outputPixels
            var delta = take(&gradients[l])
            DenseKernels.multiplyByDerivative(&delta, outputs: outputs[l], count: pixels * layer.filters, activation: layer.activation)
            // ∂kernel = patchesᵀ · δ: rows of the product are taps, summed over the batch's pixels.
            DenseKernels.transpose(patches[l], rows: pixels, columns: layer.patchSize, into: &transposedPatches)
            DenseKernels.multiply(transposedPatches, delta, rows: layer.patchSize, inner: pixels, columns: layer.filters,
                                  into: &kernelGradients[l], pool: pool, parallelWork: parallelWork)
            DenseKernels.columnSums(delta, rows: pixels, columns: layer.filters, into: &biasGradients[l])
            if l > 0 || computeInputGradient {
                DenseKernels.transpose(layer.kernel, rows: layer.patchSize, columns: layer.filters, into: &transposedKernel)
                DenseKernels.multiply(delta, transposedKernel, rows: pixels, inner: layer.filters, columns: layer.patchSize,
                                      into: &patchGradient, pool: pool, parallelWork: parallelWork)
                if l > 0 {
                    ConvolutionKernels.scatterPatches(patchGradient, rows: rows, layer: layer, into: &gradients[l - 1])
                } else {
                    ConvolutionKernels.scatterPatches(patchGradient, rows: rows, layer: layer, into: &inputGradient)
                }
            }
            gradients[l] = delta
            l -= 1
        }
    }

    /// Applies the current Adam step to every layer, kernel then bias, slots from `firstSlot` on.
    mutating func applyGradients(_ adam: inout AdamOptimizer<T>, firstSlot: Int) {
        for l in network.layers.indices {
            adam.update(slot: firstSlot + 2 * l, parameters: &network.layers[l].kernel, gradients: kernelGradients[l])
            adam.update(slot: firstSlot + 2 * l + 1, parameters: &network.layers[l].bias, gradients: biasGradients[l])
        }
    }

    /// The parameter arrays in update order (for gradient checks).
    var parameters: [[T]] {
        get { network.layers.flatMap { [$0.kernel, $0.bias] } }
        set {
            for l in network.layers.indices {
                network.layers[l].kernel = newValue[2 * l]
                network.layers[l].bias = newValue[2 * l + 1]
            }
        }
    }

    /// The gradients in the order of ``parameters``.
    var parameterGradients: [[T]] {
        network.layers.indices.flatMap { [kernelGradients[$0], biasGradients[$0]] }
    }
}
