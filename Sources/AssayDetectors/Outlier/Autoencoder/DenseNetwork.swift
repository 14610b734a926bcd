import AssayNumerics

/// The scalar types the trainable networks compute in.
///
/// The detectors store and train their networks in `Float`, as Keras does (float32): it halves
/// memory and doubles the SIMD width. `Double` runs the very same code and is what the tests use to
/// check the analytic gradients against finite differences.
public protocol NetworkScalar: BinaryFloatingPoint, SIMDScalar, Sendable, Codable, BitwiseCopyable {
    /// `value` rounded to nearest (exact for `Double`).
    init(_ value: Double)
    /// The value as a `Double` (exact).
    var doubleValue: Double { get }
}

extension Float: NetworkScalar {
    @inlinable public var doubleValue: Double { Double(self) }
}

extension Double: NetworkScalar {
    @inlinable public var doubleValue: Double { self }
}

/// The activation applied after a trainable dense layer's affine map.
public enum NetworkActivation: String, Sendable, Equatable, Codable, CaseIterable {
    /// The identity (Keras' `None` / `'linear'`).
    case linear
    /// `v > 0 ? v : 0` (Keras' `'relu'`); its derivative is 1 where the output is positive, else 0.
    case relu
    /// `1 / (1 + e^(−v))` (Keras' `'sigmoid'`), with `e^(−v)` computed by
    /// `DeterministicMath.exp` in `Double` and the result rounded to the network's scalar type.
    case sigmoid
}

/// A stack of fully connected layers, `y = activation(x · kernel + bias)` each, trained by this
/// module's own backpropagation (see ``AutoencoderOutlier`` and ``VAEOutlier``).
///
/// ## Arithmetic (the same bits on every machine, build and thread count)
///
/// Each output of a layer is `activation((Σₖ xₖ·kernel[k, j]) + bias[j])`: the products summed in
/// input order starting from +0, then the bias, then the activation. Gradients are sums over the
/// batch in row order (`∂kernel`, `∂bias`) or over outputs in index order (`∂input`). Parallel
/// work is only ever split across *independent outputs*, each summed completely by one thread,
/// so results do not depend on how many threads run. No fused multiply–add is used and Swift does
/// not contract `a * b + c`, so debug and release builds agree. Transcendental functions go
/// through `DeterministicMath` in `Double`.
///
/// An empty stack is the identity on ``inputCount`` features.
public struct DenseNetwork<Scalar: NetworkScalar>: Sendable, Equatable, Codable {
    /// The number of input features.
    public let inputCount: Int
    /// The layers in forward order.
    public internal(set) var layers: [Layer]

    /// The number of outputs: the last layer's, or ``inputCount`` for an empty stack.
    public var outputCount: Int { layers.last?.outputCount ?? inputCount }

    /// Makes a network from its layers, checking that they chain.
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when `inputCount < 1` or
    ///   a layer's inputs differ from the previous layer's outputs.
    public init(inputCount: Int, layers: [Layer]) throws(DetectorError) {
        guard inputCount >= 1 else {
            throw .invalidParameter(name: "network", problem: "input count \(inputCount) is below 1", valid: "Pass at least one input feature.")
        }
        var width = inputCount
        for (i, layer) in layers.enumerated() {
            guard layer.inputCount == width else {
                throw .invalidParameter(name: "network", problem: "layer \(i) takes \(layer.inputCount) inputs but receives \(width)", valid: "Chain the layers so each takes the previous one's outputs.")
            }
            width = layer.outputCount
        }
        self.inputCount = inputCount
        self.layers = layers
    }

    /// A network of layers with the given widths (`widths[0]` inputs, then one layer per further
    /// width) and activations, Glorot-uniform kernels and zero biases (Keras' defaults).
    ///
    /// Layer `ℓ` (0-based) draws its kernel from `generator.child("layer.ℓ")`, in row-major order
    /// of `[inputs, outputs]`, each entry `Scalar(uniform(in: −limit ..< limit))` with
    /// `limit = √(6 / (inputs + outputs))` in `Double` (as `UntrainedAutoencoder` draws).
    /// Preconditions: every width ≥ 1 and one activation per layer.
    static func glorotUniform(widths: [Int], activations: [NetworkActivation], generator: SeededGenerator) -> DenseNetwork {
        precondition(!widths.isEmpty && widths.allSatisfy { $0 >= 1 } && activations.count == widths.count - 1)
        var layers: [Layer] = []
        for l in 0..<(widths.count - 1) {
            var rng = generator.child("layer.\(l)")
            layers.append(Layer(glorotUniformInputs: widths[l], outputs: widths[l + 1], activation: activations[l], rng: &rng))
        }
        return DenseNetwork(uncheckedInputCount: widths[0], layers: layers)
    }

    init(uncheckedInputCount inputCount: Int, layers: [Layer]) {
        self.inputCount = inputCount
        self.layers = layers
    }

    /// Applies the network to `rows` rows of ``inputCount`` values (row-major), serially.
    /// Precondition: `x.count >= rows · inputCount`.
    public func apply(_ x: [Scalar], rows: Int) -> [Scalar] {
        precondition(x.count >= rows * inputCount, "apply: \(x.count) values for \(rows) rows of \(inputCount)")
        var current = Array(x.prefix(rows * inputCount))
        for layer in layers {
            var next = [Scalar](repeating: 0, count: rows * layer.outputCount)
            layer.forward(current, rows: rows, into: &next, pool: nil, parallelWork: .max)
            current = next
        }
        return current
    }

    enum CodingKeys: String, CodingKey { case inputCount = "input_count", layers }

    /// Decodes a network and checks it as ``init(inputCount:layers:)`` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let count = try c.decode(Int.self, forKey: .inputCount)
        let layers = try c.decode([Layer].self, forKey: .layers)
        do {
            try self.init(inputCount: count, layers: layers)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }
}

extension DenseNetwork {
    /// One fully connected layer: the kernel in Keras' layout `[inputs, outputs]` (row-major) and
    /// one bias per output.
    public struct Layer: Sendable, Equatable, Codable {
        /// The number of inputs.
        public let inputCount: Int
        /// The number of outputs.
        public let outputCount: Int
        /// The activation applied last.
        public let activation: NetworkActivation
        /// The weights, `inputCount × outputCount`, row-major.
        public internal(set) var kernel: [Scalar]
        /// One bias per output.
        public internal(set) var bias: [Scalar]

        /// Makes a layer from its weights.
        /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when a size is below 1,
        ///   the arrays do not have `inputCount · outputCount` and `outputCount` values, or a
        ///   weight is not finite.
        public init(inputCount: Int, outputCount: Int, activation: NetworkActivation, kernel: [Scalar], bias: [Scalar]) throws(DetectorError) {
            guard inputCount >= 1, outputCount >= 1 else {
                throw .invalidParameter(name: "layer", problem: "size \(inputCount) × \(outputCount) has a dimension below 1", valid: "Pass at least one input and one output.")
            }
            guard kernel.count == inputCount * outputCount, bias.count == outputCount else {
                throw .invalidParameter(name: "layer", problem: "a \(inputCount) × \(outputCount) layer has \(kernel.count) kernel values and \(bias.count) biases", valid: "Pass inputs·outputs kernel values (row-major [inputs, outputs]) and one bias per output.")
            }
            if let i = kernel.firstIndex(where: { !$0.isFinite }) {
                throw .invalidParameter(name: "layer", problem: "kernel entry \(i) is \(kernel[i])", valid: "Weights must be finite.")
            }
            if let i = bias.firstIndex(where: { !$0.isFinite }) {
                throw .invalidParameter(name: "layer", problem: "bias \(i) is \(bias[i])", valid: "Weights must be finite.")
            }
            self.inputCount = inputCount
            self.outputCount = outputCount
            self.activation = activation
            self.kernel = kernel
            self.bias = bias
        }

        /// Glorot-uniform kernel and zero biases, drawn from `rng` (see
        /// ``DenseNetwork/glorotUniform(widths:activations:generator:)``).
        init(glorotUniformInputs inputs: Int, outputs: Int, activation: NetworkActivation, rng: inout SeededGenerator) {
            let limit = (6 / Double(inputs + outputs)).squareRoot()
            var w = [Scalar]()
            w.reserveCapacity(inputs * outputs)
            for _ in 0..<(inputs * outputs) { w.append(Scalar(rng.uniform(in: -limit..<limit))) }
            self.inputCount = inputs
            self.outputCount = outputs
            self.activation = activation
            self.kernel = w
            self.bias = [Scalar](repeating: 0, count: outputs)
        }

        enum CodingKeys: String, CodingKey { case inputCount = "inputs", outputCount = "outputs", activation, kernel, bias }

        /// Decodes a layer and checks it as ``init(inputCount:outputCount:activation:kernel:bias:)`` does.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            do {
                try self.init(
                    inputCount: c.decode(Int.self, forKey: .inputCount),
                    outputCount: c.decode(Int.self, forKey: .outputCount),
                    activation: c.decode(NetworkActivation.self, forKey: .activation),
                    kernel: c.decode([Scalar].self, forKey: .kernel),
                    bias: c.decode([Scalar].self, forKey: .bias))
            } catch let error as DetectorError {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
            }
        }
    }
}
