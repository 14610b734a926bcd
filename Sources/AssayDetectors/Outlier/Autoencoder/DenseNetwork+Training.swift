import AssayNumerics

extension DenseNetwork.Layer {
    /// `y = activation(x · kernel + bias)` for `rows` rows into the first `rows · outputCount`
    /// values of `y`.
    func forward(_ x: [Scalar], rows: Int, into y: inout [Scalar], pool: BlockPool?, parallelWork: Int) {
        DenseKernels.multiply(x, kernel, rows: rows, inner: inputCount, columns: outputCount, into: &y, pool: pool, parallelWork: parallelWork)
        DenseKernels.addBiasAndActivate(&y, bias: bias, rows: rows, activation: activation)
    }
}

/// A ``DenseNetwork`` with the buffers for training on batches of up to `batchCapacity` rows:
/// each layer's outputs, the gradients with respect to them, and the weight gradients.
///
/// ``forward(_:rows:pool:parallelWork:)`` keeps every layer's output;
/// ``backward(input:rows:inputGradient:computeInputGradient:pool:parallelWork:)`` then takes
/// the loss gradient the caller wrote with ``withOutputGradient(_:)`` and fills
/// ``kernelGradients`` and ``biasGradients``:
///
/// - `δ = ∂L/∂y ⊙ activation′` (in place),
/// - `∂kernel = xᵀ · δ` (each entry summed over the batch in row order),
/// - `∂bias[j] = Σᵢ δ[i, j]` (row order),
/// - `∂x = δ · kernelᵀ` (each entry summed over the layer's outputs in index order).
struct StackTrainer<T: NetworkScalar>: Sendable {
    var network: DenseNetwork<T>
    let batchCapacity: Int
    /// Each layer's outputs for the current batch (`batchCapacity × outputs`).
    var outputs: [[T]]
    /// `∂L/∂(layer output)`, turned into `∂L/∂(pre-activation)` by the backward pass.
    var gradients: [[T]]
    var kernelGradients: [[T]]
    var biasGradients: [[T]]
    private var transposedInput: [T]
    private var transposedKernel: [T]

    init(network: DenseNetwork<T>, batchCapacity: Int) {
        self.network = network
        self.batchCapacity = batchCapacity
        let layers = network.layers
        outputs = layers.map { [T](repeating: 0, count: batchCapacity * $0.outputCount) }
        gradients = outputs
        kernelGradients = layers.map { [T](repeating: 0, count: $0.kernel.count) }
        biasGradients = layers.map { [T](repeating: 0, count: $0.outputCount) }
        transposedInput = [T](repeating: 0, count: batchCapacity * (layers.map(\.inputCount).max() ?? 0))
        transposedKernel = [T](repeating: 0, count: layers.map(\.kernel.count).max() ?? 0)
    }

    /// The sizes of the parameter arrays in update order: each layer's kernel, then its bias.
    var slotSizes: [Int] { network.layers.flatMap { [$0.kernel.count, $0.bias.count] } }

    /// The output of the last forward pass, or `input` for an empty stack.
    func output(forInput input: [T]) -> [T] { outputs.last ?? input }

    mutating func forward(_ input: [T], rows: Int, pool: BlockPool?, parallelWork: Int) {
        precondition(rows <= batchCapacity)
        for l in network.layers.indices {
            var y = take(&outputs[l])
            network.layers[l].forward(l == 0 ? input : outputs[l - 1], rows: rows, into: &y, pool: pool, parallelWork: parallelWork)
            outputs[l] = y
        }
    }

    /// Gives `body` the gradient buffer of the last layer's outputs (`batchCapacity × outputs`)
    /// to write `∂L/∂output` into. Precondition: the stack has a layer.
    mutating func withOutputGradient<R>(_ body: (inout [T]) -> R) -> R {
        let last = gradients.count - 1
        var g = take(&gradients[last])
        defer { gradients[last] = g }
        return body(&g)
    }

    /// Backpropagates the gradient written with ``withOutputGradient(_:)`` through the stack;
    /// writes `∂L/∂input` into `inputGradient` when `computeInputGradient` is true.
    mutating func backward(
        input: [T], rows: Int, inputGradient: inout [T], computeInputGradient: Bool,
        pool: BlockPool?, parallelWork: Int
    ) {
        var l = network.layers.count - 1
        while l >= 0 {
            let layer = network.layers[l]
            let x = l == 0 ? input : outputs[l - 1]
            var delta = take(&gradients[l])
            DenseKernels.multiplyByDerivative(&delta, outputs: outputs[l], count: rows * layer.outputCount, activation: layer.activation)
            // ∂kernel = xᵀ · δ: rows of the product are the layer's inputs, summed over the batch.
            DenseKernels.transpose(x, rows: rows, columns: layer.inputCount, into: &transposedInput)
            DenseKernels.multiply(transposedInput, delta, rows: layer.inputCount, inner: rows, columns: layer.outputCount,
                                  into: &kernelGradients[l], pool: pool, parallelWork: parallelWork)
            DenseKernels.columnSums(delta, rows: rows, columns: layer.outputCount, into: &biasGradients[l])
            if l > 0 || computeInputGradient {
                DenseKernels.transpose(layer.kernel, rows: layer.inputCount, columns: layer.outputCount, into: &transposedKernel)
                if l > 0 {
                    DenseKernels.multiply(delta, transposedKernel, rows: rows, inner: layer.outputCount, columns: layer.inputCount,
                                          into: &gradients[l - 1], pool: pool, parallelWork: parallelWork)
                } else {
                    DenseKernels.multiply(delta, transposedKernel, rows: rows, inner: layer.outputCount, columns: layer.inputCount,
                                          into: &inputGradient, pool: pool, parallelWork: parallelWork)
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

/// Moves the array out of `a`, leaving it empty, so it can be mutated without a copy.
@inline(__always)
func take<T>(_ a: inout [T]) -> [T] {
    var out: [T] = []
    swap(&out, &a)
    return out
}
