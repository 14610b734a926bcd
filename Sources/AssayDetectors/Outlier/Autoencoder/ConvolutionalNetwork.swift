import AssayNumerics

/// A stack of trainable 2-D convolutions over images flattened in NHWC order, Keras' `Conv2D`
/// with `padding='same'`, square kernels and equal strides; the convolutional front end of an
/// encoder (see ``ConvolutionalEncoder``).
///
/// ## Layout
///
/// Each row of the data is one image `[height, width, channels]` flattened row-major (pixel
/// `(y, x)` channel `c` at `(y·width + x)·channels + c`), and each layer's output is an image of
/// the same layout, so the flattened output of the last layer (Keras' `Flatten` after a
/// `channels_last` convolution) is simply its row. A kernel is stored as Keras stores it,
/// `[kernel, kernel, inputChannels, filters]` row-major.
///
/// ## Padding (TensorFlow's `'same'`)
///
/// Output side `⌈n/s⌉`; total padding `max((⌈n/s⌉ − 1)·s + k − n, 0)`, of which `⌊total/2⌋`
/// goes before (top, left) and the rest after. So a 5-pixel side with `k = 4, s = 2` pads 1 before
/// and 2 after, and an 8-pixel side pads 1 and 1.
///
/// ## Arithmetic (the same bits on every machine, build and thread count)
///
/// Output `(oy, ox, o)` of a layer is
///
///     activation( (Σ over ky, kx, c of x[oy·s + ky − top, ox·s + kx − left, c] · kernel[ky, kx, c, o]) + bias[o] )
///
/// with the taps in the order `ky`, `kx`, `c` (each ascending), summed from +0, a tap in the
/// padding contributing `0 · kernel` (which leaves the sum's bits unchanged: see
/// `Conv2DLayer` in AssayNumerics, whose inference loop skips those taps and gives the same
/// values), then the bias, then the activation. It is computed as an im2col matrix (one row of
/// `kernel²·channels` taps per output pixel) times the kernel by ``DenseNetwork``'s
/// multiplication, so every output element is summed by one thread in that order.
public struct ConvolutionalNetwork<Scalar: NetworkScalar>: Sendable, Equatable, Codable {
    /// The input image shape `[height, width, channels]`.
    public let inputShape: [Int]
    /// The layers in forward order (at least one).
    public internal(set) var layers: [Layer]

    /// The number of input values per row, `height · width · channels`.
    public var inputCount: Int { inputShape[0] * inputShape[1] * inputShape[2] }
    /// The last layer's output shape `[height, width, filters]`.
    public var outputShape: [Int] {
        let last = layers[layers.count - 1]
        return [last.outputHeight, last.outputWidth, last.filters]
    }
    /// The number of output values per row (the flattened last feature map).
    public var outputCount: Int { layers[layers.count - 1].outputCount }

    /// The configuration the network has: its shape, filters, kernel side and stride (those of
    /// the first layer, which all layers share when built from a ``ConvolutionalEncoder``).
    public var configuration: ConvolutionalEncoder {
        ConvolutionalEncoder(shape: inputShape, filters: layers.map(\.filters), kernel: layers[0].kernelSize, stride: layers[0].stride)
    }

    /// Makes a network from its layers, checking that they chain.
    /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when the shape is not
    ///   three sizes of at least 1, there is no layer, or a layer's input shape differs from the
    ///   previous layer's output shape (the first layer's from `inputShape`).
    public init(inputShape: [Int], layers: [Layer]) throws(DetectorError) {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .invalidParameter(name: "convolution", problem: "input shape \(inputShape) is not [height, width, channels] with every size at least 1", valid: "Pass the images' shape.")
        }
        guard !layers.isEmpty else {
            throw .invalidParameter(name: "convolution", problem: "has no layer", valid: "Pass at least one convolution layer.")
        }
        var shape = inputShape
        for (i, layer) in layers.enumerated() {
            guard layer.inputShape == shape else {
                throw .invalidParameter(name: "convolution", problem: "layer \(i) takes images of shape \(layer.inputShape) but receives \(shape)", valid: "Chain the layers so each takes the previous one's output shape.")
            }
            shape = [layer.outputHeight, layer.outputWidth, layer.filters]
        }
        for s in [inputShape] + layers.map({ [$0.outputHeight, $0.outputWidth, $0.filters] }) where checkedProduct(s) == nil {
            throw .invalidParameter(name: "convolution", problem: "image shape \(s) is too large", valid: "Pass images of a size that fits in memory.")
        }
        self.inputShape = inputShape
        self.layers = layers
    }

    init(uncheckedInputShape inputShape: [Int], layers: [Layer]) {
        self.inputShape = inputShape
        self.layers = layers
    }

    /// A network built from `configuration` (assumed checked): one relu layer per filter count,
    /// Glorot-uniform kernels and zero biases (Keras' defaults). Layer `ℓ` (0-based) draws from
    /// `generator.child("layer.ℓ")` (see ``Layer/init(glorotUniformInputShape:filters:kernelSize:stride:activation:rng:)``).
    static func glorotUniform(_ configuration: ConvolutionalEncoder, generator: SeededGenerator) -> ConvolutionalNetwork {
        var layers: [Layer] = []
        var shape = configuration.shape
        for (l, filters) in configuration.filters.enumerated() {
            var rng = generator.child("layer.\(l)")
            let layer = Layer(glorotUniformInputShape: shape, filters: filters, kernelSize: configuration.kernel,
                              stride: configuration.stride, activation: .relu, rng: &rng)
            layers.append(layer)
            shape = [layer.outputHeight, layer.outputWidth, layer.filters]
        }
        return ConvolutionalNetwork(uncheckedInputShape: configuration.shape, layers: layers)
    }

    /// Applies the network to `rows` images of ``inputCount`` values (row-major NHWC), serially;
    /// returns `rows` rows of ``outputCount`` values. Precondition: `x.count >= rows · inputCount`.
    public func apply(_ x: [Scalar], rows: Int) -> [Scalar] {
        precondition(x.count >= rows * inputCount, "apply: \(x.count) values for \(rows) images of \(inputCount)")
        var current = x
        for layer in layers {
            var patches = [Scalar](repeating: 0, count: rows * layer.outputPixels * layer.patchSize)
            var next = [Scalar](repeating: 0, count: rows * layer.outputCount)
            layer.forward(current, rows: rows, patches: &patches, into: &next, pool: nil, parallelWork: .max)
            current = next
        }
        return current
    }

    /// Whether every weight is finite.
    var isFinite: Bool { layers.allSatisfy { $0.kernel.allSatisfy(\.isFinite) && $0.bias.allSatisfy(\.isFinite) } }

    enum CodingKeys: String, CodingKey { case inputShape = "input_shape", layers }

    /// Decodes a network and checks it as ``init(inputShape:layers:)`` does.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let shape = try c.decode([Int].self, forKey: .inputShape)
        let layers = try c.decode([Layer].self, forKey: .layers)
        do {
            try self.init(inputShape: shape, layers: layers)
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }
}

extension ConvolutionalNetwork {
    /// One convolution layer: `kernelSize × kernelSize` kernels, stride ``stride`` in both
    /// directions, TensorFlow's `'same'` padding, then an activation (relu in the detectors).
    public struct Layer: Sendable, Equatable, Codable {
        /// The input image height.
        public let inputHeight: Int
        /// The input image width.
        public let inputWidth: Int
        /// The number of input channels.
        public let inputChannels: Int
        /// The number of filters (output channels).
        public let filters: Int
        /// The kernel side.
        public let kernelSize: Int
        /// The stride in both directions.
        public let stride: Int
        /// The activation applied last.
        public let activation: NetworkActivation
        /// The weights, `[kernelSize, kernelSize, inputChannels, filters]` row-major (Keras' layout).
        public internal(set) var kernel: [Scalar]
        /// One bias per filter.
        public internal(set) var bias: [Scalar]

        /// `[inputHeight, inputWidth, inputChannels]`.
        public var inputShape: [Int] { [inputHeight, inputWidth, inputChannels] }
        /// The output height, `⌈inputHeight / stride⌉`.
        public var outputHeight: Int { (inputHeight - 1) / stride + 1 }
        /// The output width, `⌈inputWidth / stride⌉`.
        public var outputWidth: Int { (inputWidth - 1) / stride + 1 }
        /// The padding above the image (the rest of the total goes below).
        public var paddingTop: Int { max((outputHeight - 1) * stride + kernelSize - inputHeight, 0) / 2 }
        /// The padding left of the image (the rest of the total goes right).
        public var paddingLeft: Int { max((outputWidth - 1) * stride + kernelSize - inputWidth, 0) / 2 }
        /// Input values per image.
        public var inputCount: Int { inputHeight * inputWidth * inputChannels }
        /// Output values per image.
        public var outputCount: Int { outputPixels * filters }
        /// Output pixels per image.
        var outputPixels: Int { outputHeight * outputWidth }
        /// Taps per output pixel, `kernelSize² · inputChannels` (an im2col row).
        var patchSize: Int { kernelSize * kernelSize * inputChannels }

        /// Makes a layer from its weights.
        /// - Throws: ``DetectorError/invalidParameter(name:problem:valid:)`` when a size, the
        ///   kernel side or the stride is below 1, the arrays do not have
        ///   `kernelSize²·inputChannels·filters` and `filters` values, or a weight is not finite.
        public init(inputHeight: Int, inputWidth: Int, inputChannels: Int, filters: Int, kernelSize: Int, stride: Int,
                    activation: NetworkActivation, kernel: [Scalar], bias: [Scalar]) throws(DetectorError) {
            guard inputHeight >= 1, inputWidth >= 1, inputChannels >= 1, filters >= 1 else {
                throw .invalidParameter(name: "convolution layer", problem: "input \(inputHeight)×\(inputWidth)×\(inputChannels) with \(filters) filters has a size below 1", valid: "Pass sizes of at least 1.")
            }
            guard kernelSize >= 1, stride >= 1 else {
                throw .invalidParameter(name: "convolution layer", problem: "kernel side \(kernelSize) or stride \(stride) is below 1", valid: "Pass a kernel side and a stride of at least 1.")
            }
            guard let count = checkedProduct([kernelSize, kernelSize, inputChannels, filters]), kernel.count == count, bias.count == filters else {
                throw .invalidParameter(name: "convolution layer", problem: "a \(kernelSize)×\(kernelSize)×\(inputChannels)×\(filters) layer has \(kernel.count) kernel values and \(bias.count) biases", valid: "Pass kernel²·channels·filters kernel values (row-major [kh, kw, in, out]) and one bias per filter.")
            }
            if let i = kernel.firstIndex(where: { !$0.isFinite }) {
                throw .invalidParameter(name: "convolution layer", problem: "kernel entry \(i) is \(kernel[i])", valid: "Weights must be finite.")
            }
            if let i = bias.firstIndex(where: { !$0.isFinite }) {
                throw .invalidParameter(name: "convolution layer", problem: "bias \(i) is \(bias[i])", valid: "Weights must be finite.")
            }
            self.inputHeight = inputHeight
            self.inputWidth = inputWidth
            self.inputChannels = inputChannels
            self.filters = filters
            self.kernelSize = kernelSize
            self.stride = stride
            self.activation = activation
            self.kernel = kernel
            self.bias = bias
        }

        /// Glorot-uniform kernel and zero biases, drawn from `rng` as Keras initialises `Conv2D`:
        /// with the fans `fanIn = k²·inputChannels` and `fanOut = k²·filters`,
        /// `limit = √(6 / (fanIn + fanOut))` in `Double`, and the kernel's entries, in row-major
        /// order of `[k, k, inputChannels, filters]`, each `Scalar(uniform(in: −limit ..< limit))`
        /// (as `Conv2DLayer` draws). Preconditions: `inputShape` is three sizes ≥ 1, the others ≥ 1.
        init(glorotUniformInputShape inputShape: [Int], filters: Int, kernelSize: Int, stride: Int,
             activation: NetworkActivation, rng: inout SeededGenerator) {
            precondition(inputShape.count == 3 && inputShape.allSatisfy { $0 >= 1 } && filters >= 1 && kernelSize >= 1 && stride >= 1)
            let k2 = kernelSize * kernelSize
            let limit = (6 / Double(k2 * inputShape[2] + k2 * filters)).squareRoot()
            let count = k2 * inputShape[2] * filters
            var w = [Scalar]()
            w.reserveCapacity(count)
            for _ in 0..<count { w.append(Scalar(rng.uniform(in: -limit..<limit))) }
            inputHeight = inputShape[0]
            inputWidth = inputShape[1]
            inputChannels = inputShape[2]
            self.filters = filters
            self.kernelSize = kernelSize
            self.stride = stride
            self.activation = activation
            kernel = w
            bias = [Scalar](repeating: 0, count: filters)
        }

        /// `y = activation(im2col(x) · kernel + bias)` for `rows` images; `patches` receives the
        /// im2col matrix (`rows · outputPixels × patchSize`, kept for the backward pass) and `y`
        /// the `rows · outputCount` outputs.
        func forward(_ x: [Scalar], rows: Int, patches: inout [Scalar], into y: inout [Scalar], pool: BlockPool?, parallelWork: Int) {
            ConvolutionKernels.gatherPatches(x, rows: rows, layer: self, into: &patches)
            DenseKernels.multiply(patches, kernel, rows: rows * outputPixels, inner: patchSize, columns: filters,
                                  into: &y, pool: pool, parallelWork: parallelWork)
            DenseKernels.addBiasAndActivate(&y, bias: bias, rows: rows * outputPixels, activation: activation)
        }

        enum CodingKeys: String, CodingKey {
            case inputHeight = "height", inputWidth = "width", inputChannels = "channels", filters
            case kernelSize = "kernel_size", stride = "strides", activation, kernel, bias
        }

        /// Decodes a layer and checks it as the memberwise initialiser does.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            do {
                try self.init(
                    inputHeight: c.decode(Int.self, forKey: .inputHeight),
                    inputWidth: c.decode(Int.self, forKey: .inputWidth),
                    inputChannels: c.decode(Int.self, forKey: .inputChannels),
                    filters: c.decode(Int.self, forKey: .filters),
                    kernelSize: c.decode(Int.self, forKey: .kernelSize),
                    stride: c.decode(Int.self, forKey: .stride),
                    activation: c.decode(NetworkActivation.self, forKey: .activation),
                    kernel: c.decode([Scalar].self, forKey: .kernel),
                    bias: c.decode([Scalar].self, forKey: .bias))
            } catch let error as DetectorError {
                throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
            }
        }
    }
}

/// The product of `sizes`, or nil when it overflows `Int`.
func checkedProduct(_ sizes: [Int]) -> Int? {
    var product = 1
    for s in sizes {
        let (p, overflow) = product.multipliedReportingOverflow(by: s)
        if overflow { return nil }
        product = p
    }
    return product
}
