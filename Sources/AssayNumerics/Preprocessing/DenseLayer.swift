/// A fully connected layer in `Float`: `y = activation(x · kernel + bias)`, Keras' `Dense`.
///
/// The kernel is stored as Keras stores it, `[inputs, outputs]`, row-major. Each output is
/// `activation((Σᵢ xᵢ·kernel[i, j]) + bias[j])`, the products summed in input order from +0
/// (``Tensor/matmul(_:pool:)``'s order), then the bias added, then the activation — the same
/// operations in the same order on every machine and build.
public struct DenseLayer: Sendable, Equatable, Codable {
    /// The weights, shape `[inputs, outputs]`.
    public let kernel: Tensor<Float>
    /// One bias per output.
    public let bias: [Float]
    /// The activation applied last.
    public let activation: Activation

    /// The number of inputs.
    public var inputCount: Int { kernel.shape[0] }
    /// The number of outputs.
    public var outputCount: Int { kernel.shape[1] }

    /// Makes a layer from its weights.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when `kernel` is not a matrix with at least
    ///   one row and column or `bias` does not have one value per column;
    ///   ``NumericsError/nonFinite(where:)`` when a weight is NaN or infinite.
    public init(kernel: Tensor<Float>, bias: [Float], activation: Activation) throws(NumericsError) {
        guard kernel.rank == 2, kernel.shape[0] >= 1, kernel.shape[1] >= 1 else {
            throw .shapeMismatch("a dense kernel must be [inputs, outputs] with both at least 1, got \(kernel.shape)")
        }
        guard bias.count == kernel.shape[1] else {
            throw .shapeMismatch("dense layer with \(kernel.shape[1]) outputs has \(bias.count) biases")
        }
        if let (i, _) = kernel.firstNonFinite() { throw .nonFinite(where: "dense kernel entry \(i)") }
        if let i = bias.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(where: "dense bias[\(i)]") }
        self.kernel = kernel
        self.bias = bias
        self.activation = activation
    }

    /// A layer with Glorot-uniform weights and zero biases (Keras' defaults), drawn from `rng`.
    ///
    /// `limit = √(6 / (inputs + outputs))` in `Double`; the kernel's entries, in row-major order
    /// of `[inputs, outputs]`, are each `Float(rng.uniform(in: -limit ..< limit))` (see
    /// `SeededGenerator.uniform(in:)` on a half-open range), rounded to nearest.
    /// Preconditions: `inputs >= 1`, `outputs >= 1`.
    public init(glorotUniformInputs inputs: Int, outputs: Int, activation: Activation, rng: inout SeededGenerator) {
        precondition(inputs >= 1 && outputs >= 1, "a dense layer needs at least one input and one output")
        let limit = (6 / Double(inputs + outputs)).squareRoot()
        var w = [Float]()
        w.reserveCapacity(inputs * outputs)
        for _ in 0..<(inputs * outputs) { w.append(Float(rng.uniform(in: -limit..<limit))) }
        self.kernel = Tensor(uncheckedShape: [inputs, outputs], scalars: w)
        self.bias = [Float](repeating: 0, count: outputs)
        self.activation = activation
    }

    /// Applies the layer to `rows` rows of ``inputCount`` values (row-major).
    func apply(_ x: [Float], rows: Int) -> [Float] {
        let outputs = outputCount
        var y = x.withUnsafeBufferPointer { xb in
            kernel.scalars.withUnsafeBufferPointer { wb in
                MatrixKernels.multiplyRows(xb, wb, rows: 0..<rows, inner: inputCount, columns: outputs)
            }
        }
        for i in 0..<rows {
            for j in 0..<outputs { y[i * outputs + j] = activation.apply(y[i * outputs + j] + bias[j]) }
        }
        return y
    }

    enum CodingKeys: String, CodingKey { case kernel, bias, activation }

    /// Decodes a layer and checks it as ``init(kernel:bias:activation:)`` does.
    /// - Throws: `DecodingError.dataCorrupted` naming the problem.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                kernel: c.decode(Tensor<Float>.self, forKey: .kernel),
                bias: c.decode([Float].self, forKey: .bias),
                activation: c.decode(Activation.self, forKey: .activation))
        } catch let error as NumericsError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }
}
