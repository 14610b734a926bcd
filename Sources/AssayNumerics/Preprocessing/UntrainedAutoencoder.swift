import AssayCrypto

/// The encoder of an untrained autoencoder (UAE), the dimension-reduction step of *Failing
/// Loudly* drift detection: a randomly initialised network that is never trained.
///
/// The seed's drift detector runs Kolmogorov–Smirnov on a UAE embedding of 32 features. Alibi
/// Detect builds the network in TensorFlow and its weights come from TensorFlow's generator,
/// which cannot be reproduced outside TensorFlow (spec §4). Assay therefore draws the weights
/// from ``SeededGenerator`` by a fixed, documented procedure and stores them (`Codable`) in the
/// detector artifact with their ``weightsDigest()``; a replay uses the stored weights, never a
/// fresh draw. Weights from a real Keras model can be loaded with
/// ``init(inputShape:convolutionLayers:denseLayers:)`` instead.
///
/// ## Architectures
///
/// - ``dense(inputShape:encodingDimension:generator:)``, Alibi Detect's `UAE(shape, enc_dim)`:
///   Flatten → Dense(`enc + 2s`, ReLU) → Dense(`enc + s`, ReLU) → Dense(`enc`, linear), with
///   `s = int((prod(shape) − enc) / 3)` (truncated toward zero).
/// - ``convolutional(imageShape:encodingDimension:channels:generator:)``, the seed's CIFAR-10
///   encoder: for images `H × W × C`, Conv2D layers with 4×4 kernels, stride 2, `same` padding
///   and ReLU, then Flatten (in `H, W, C` order, as Keras' channels-last `Flatten`) →
///   Dense(`enc`, linear). The seed's 32×32×3 encoder has channels 64, 128, 512;
///   ``defaultChannels(height:width:)`` scales that down for small images.
///
/// ## Weight draws (version 1, frozen: changing it changes every recorded embedding)
///
/// Layers are numbered `ℓ = 0, 1, …` in forward order, convolutions first. Layer `ℓ`'s kernel is
/// drawn from its own stream `generator.child("layer.ℓ")` (for example `"layer.0"`), so a layer's
/// weights do not depend on the others. Kernels are Glorot-uniform as Keras' default: entries in
/// row-major order of the Keras layout (`[kh, kw, in, out]` for convolutions, `[in, out]` for
/// dense layers), each `Float(uniform(in: −limit ..< limit))` with
/// `limit = √(6 / (fanIn + fanOut))` computed in `Double` (fans as in
/// ``Conv2DLayer/init(glorotUniformKernelSize:inputChannels:outputChannels:strides:padding:activation:rng:)``
/// and ``DenseLayer/init(glorotUniformInputs:outputs:activation:rng:)``). Biases are zero. The
/// distribution matches Keras; the values, of course, do not.
///
/// ## Forward pass
///
/// `Float` arithmetic in a fixed order per output (see ``Conv2DLayer`` and ``DenseLayer``), each
/// row independent of the others, spread over blocks of 16 rows: the embedding is bit-identical
/// with any pool size and in debug and release builds.
///
/// ```swift
/// let root = SeededGenerator(seed: 0)
/// let uae = try UntrainedAutoencoder.convolutional(
///     imageShape: [32, 32, 3], encodingDimension: 32, generator: root.child("preprocess.uae"))
/// let z = try uae.encode(images)        // images: [n, 32, 32, 3] → z: [n, 32]
/// ```
public struct UntrainedAutoencoder: Sendable, Equatable, Codable {
    /// The shape of one input row, for example `[32, 32, 3]` (height, width, channels) or `[64]`.
    public let inputShape: [Int]
    /// The convolutions, applied first (empty for the dense architecture).
    public let convolutionLayers: [Conv2DLayer]
    /// The dense layers, applied after flattening; at least one.
    public let denseLayers: [DenseLayer]
    /// The number of scalars in one input row, the product of ``inputShape``.
    public let inputWidth: Int
    /// The number of output features, the last dense layer's outputs.
    public let encodingDimension: Int

    /// Images per block in ``encode(_:pool:)``; a constant, so blocks depend on the data only.
    static let rowBlock = 16

    /// Makes an encoder from given layers, checking that their shapes chain.
    ///
    /// - Parameters:
    ///   - inputShape: the shape of one input row; `[height, width, channels]` when there are
    ///     convolutions.
    ///   - convolutionLayers: applied first, in order.
    ///   - denseLayers: applied after flattening, in order; at least one.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when a dimension is below 1, the shape is
    ///   too large, there is no dense layer, or one layer's output does not fit the next layer's
    ///   input (the message names the layer).
    public init(inputShape: [Int], convolutionLayers: [Conv2DLayer], denseLayers: [DenseLayer]) throws(NumericsError) {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch("UAE input shape \(inputShape) needs at least one dimension, each at least 1")
        }
        guard let width = Self.checkedProduct(inputShape) else {
            throw .shapeMismatch("UAE input shape \(inputShape) is too large")
        }
        var flat = width
        if !convolutionLayers.isEmpty {
            guard inputShape.count == 3 else {
                throw .shapeMismatch("UAE convolutions need images [height, width, channels], got input shape \(inputShape)")
            }
            var shape = inputShape
            for (i, layer) in convolutionLayers.enumerated() {
                do { shape = try layer.outputShape(forInput: shape) } catch {
                    throw .shapeMismatch("UAE layer \(i): \(error.description)")
                }
            }
            guard let f = Self.checkedProduct(shape) else { throw .shapeMismatch("UAE convolution output \(shape) is too large") }
            flat = f
        }
        guard let last = denseLayers.last else { throw .shapeMismatch("UAE needs at least one dense layer") }
        for (i, layer) in denseLayers.enumerated() {
            guard layer.inputCount == flat else {
                throw .shapeMismatch("UAE layer \(convolutionLayers.count + i): dense layer takes \(layer.inputCount) inputs, the previous layer gives \(flat)")
            }
            flat = layer.outputCount
        }
        self.inputShape = inputShape
        self.convolutionLayers = convolutionLayers
        self.denseLayers = denseLayers
        self.inputWidth = width
        self.encodingDimension = last.outputCount
    }

    /// Alibi Detect's dense UAE for inputs of `inputShape`: Flatten → Dense(`enc + 2s`, ReLU) →
    /// Dense(`enc + s`, ReLU) → Dense(`enc`, linear), `s = int((prod(shape) − enc) / 3)`, with
    /// weights drawn as the type's documentation says.
    ///
    /// - Throws: ``NumericsError/domain(_:)`` when `encodingDimension < 1` or a hidden layer
    ///   would have fewer than one unit (an input much smaller than the encoding);
    ///   ``NumericsError/shapeMismatch(_:)`` for an invalid `inputShape`.
    /// - Complexity: O(`prod(shape)²`) draws.
    public static func dense(
        inputShape: [Int], encodingDimension enc: Int, generator: SeededGenerator
    ) throws(NumericsError) -> UntrainedAutoencoder {
        guard enc >= 1 else { throw .domain("UAE encoding dimension must be at least 1, got \(enc)") }
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 >= 1 }), let d = checkedProduct(inputShape) else {
            throw .shapeMismatch("UAE input shape \(inputShape) needs at least one dimension, each at least 1")
        }
        let s = (d - enc) / 3  // Swift and Python's int() both truncate toward zero
        let sizes = [enc + 2 * s, enc + s, enc]
        guard sizes.allSatisfy({ $0 >= 1 }) else {
            throw .domain("UAE dense layers for \(d) inputs and encoding \(enc) would have sizes \(sizes); every layer needs at least 1 unit")
        }
        var layers: [DenseLayer] = []
        var inputs = d
        for (i, size) in sizes.enumerated() {
            var rng = generator.child("layer.\(i)")
            layers.append(DenseLayer(
                glorotUniformInputs: inputs, outputs: size,
                activation: i < 2 ? .relu : .linear, rng: &rng))
            inputs = size
        }
        return try UntrainedAutoencoder(inputShape: inputShape, convolutionLayers: [], denseLayers: layers)
    }

    /// The seed's convolutional UAE for images `imageShape = [height, width, channels]`: one
    /// Conv2D(4×4, stride 2, `same`, ReLU) per entry of `channels`, then Flatten →
    /// Dense(`encodingDimension`, linear), with weights drawn as the type's documentation says.
    ///
    /// - Parameters:
    ///   - imageShape: `[height, width, channels]`, for example `[32, 32, 3]`.
    ///   - encodingDimension: the number of output features (the seed uses 32).
    ///   - channels: output channels per convolution; nil means
    ///     ``defaultChannels(height:width:)``.
    ///   - generator: the stream this encoder's weights come from (name it by component).
    /// - Throws: ``NumericsError/domain(_:)`` when `encodingDimension` or a channel count is
    ///   below 1 or `channels` is empty; ``NumericsError/shapeMismatch(_:)`` when `imageShape`
    ///   is not three positive sizes.
    /// - Complexity: O(Σ 16·inChannels·outChannels + flattened·enc) draws.
    public static func convolutional(
        imageShape: [Int], encodingDimension enc: Int = 32, channels: [Int]? = nil,
        generator: SeededGenerator
    ) throws(NumericsError) -> UntrainedAutoencoder {
        guard imageShape.count == 3, imageShape.allSatisfy({ $0 >= 1 }) else {
            throw .shapeMismatch("UAE images need shape [height, width, channels] with positive sizes, got \(imageShape)")
        }
        guard enc >= 1 else { throw .domain("UAE encoding dimension must be at least 1, got \(enc)") }
        let channels = channels ?? defaultChannels(height: imageShape[0], width: imageShape[1])
        guard !channels.isEmpty, channels.allSatisfy({ $0 >= 1 }) else {
            throw .domain("UAE convolution channels must be a non-empty list of positive counts, got \(channels)")
        }
        var convs: [Conv2DLayer] = []
        var shape = imageShape
        for (i, out) in channels.enumerated() {
            var rng = generator.child("layer.\(i)")
            let layer = Conv2DLayer(
                glorotUniformKernelSize: 4, inputChannels: shape[2], outputChannels: out, strides: 2,
                padding: .same, activation: .relu, rng: &rng)
            shape = try layer.outputShape(forInput: shape)
            convs.append(layer)
        }
        guard let flat = checkedProduct(shape) else { throw .shapeMismatch("UAE convolution output \(shape) is too large") }
        var rng = generator.child("layer.\(channels.count)")
        let dense = DenseLayer(glorotUniformInputs: flat, outputs: enc, activation: .linear, rng: &rng)
        return try UntrainedAutoencoder(inputShape: imageShape, convolutionLayers: convs, denseLayers: [dense])
    }

    /// The default convolution channels for `height × width` images: the seed's CIFAR-10
    /// channels scaled to the image size.
    ///
    /// The number of layers `L` is the number of stride-2 halvings (`n → ⌈n/2⌉`) that bring
    /// `min(height, width)` down to 4 or less, at least 1. The channels are the seed's
    /// `64, 128, 512` (then 512 for any further layer), divided by `2^(3 − L)` when `L < 3`:
    /// 8×8 → `[16]`, 16×16 → `[32, 64]`, 32×32 → `[64, 128, 512]` (the seed's encoder),
    /// 64×64 → `[64, 128, 512, 512]`.
    public static func defaultChannels(height: Int, width: Int) -> [Int] {
        var side = max(1, min(height, width))
        var layers = 0
        while side > 4 {
            side = (side - 1) / 2 + 1
            layers += 1
        }
        layers = max(layers, 1)
        let base = [64, 128, 512]
        let divisor = layers < 3 ? 1 << (3 - layers) : 1
        return (0..<layers).map { base[min($0, 2)] / divisor }
    }

    /// Encodes the rows of `x`: an `[n, encodingDimension]` tensor.
    ///
    /// - Parameters:
    ///   - x: `n` rows of ``inputWidth`` scalars, for images NHWC (`[n, height, width,
    ///     channels]`, or already flattened to `[n, height·width·channels]`).
    ///   - pool: a running pool to spread blocks of 16 rows over; the result does not depend on
    ///     it.
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` when the rows do not have ``inputWidth``
    ///   scalars; ``NumericsError/nonFinite(where:)`` naming the first NaN or infinity by row and
    ///   offset.
    /// - Complexity: O(*n* × the network's multiply–adds); for the 32×32×3 seed encoder about
    ///   26 million per image.
    public func encode(_ x: Tensor<Float>, pool: BlockPool? = nil) throws(NumericsError) -> Tensor<Float> {
        guard x.rank >= 1, x.rowWidth == inputWidth else {
            throw .shapeMismatch("UAE takes rows of \(inputWidth) scalars (shape \(inputShape)), got a tensor of shape \(x.shape)")
        }
        let width = inputWidth
        if let (i, _) = x.firstNonFinite() { throw .nonFinite(where: "UAE input row \(i / width), offset \(i % width)") }
        let n = x.rowCount
        let xs = x.scalars
        let parts = mapBlocks(pool, fixedBlocks(count: n, size: Self.rowBlock)) { block in
            self.forward(xs, rows: block)
        }
        return Tensor(uncheckedShape: [n, encodingDimension],
                      scalars: MatrixKernels.concatenate(parts, count: n * encodingDimension))
    }

    /// The encoder's output for rows `rows` of `xs`.
    func forward(_ xs: [Float], rows: Range<Int>) -> [Float] {
        let r = rows.count
        var current = Array(xs[(rows.lowerBound * inputWidth)..<(rows.upperBound * inputWidth)])
        if !convolutionLayers.isEmpty {
            var h = inputShape[0], w = inputShape[1]
            for layer in convolutionLayers {
                // The shapes were checked when the encoder was made.
                guard let oh = layer.outputSide(h, kernel: layer.kernelHeight),
                      let ow = layer.outputSide(w, kernel: layer.kernelWidth) else {
                    preconditionFailure("UAE: convolution shapes changed after validation")
                }
                current = layer.apply(
                    current, images: r, height: h, width: w,
                    out: (oh.size, ow.size, oh.before, ow.before))
                h = oh.size
                w = ow.size
            }
        }
        for layer in denseLayers { current = layer.apply(current, rows: r) }
        return current
    }

    /// `sha256:` and the hex SHA-256 of the weights in a fixed binary layout (version 1), to
    /// name the exact network in lineage and reports.
    ///
    /// The bytes hashed, integers as 8-byte big-endian, floats as their 4-byte IEEE bit patterns
    /// big-endian: `"assay.uae.weights.v1"` and a NUL; the rank of ``inputShape`` then each
    /// dimension; the number of convolutions, then for each `kh, kw, in, out, strides`, a padding
    /// byte (0 `same`, 1 `valid`), an activation byte (0 linear, 1 ReLU), the kernel in storage
    /// order and the biases; the number of dense layers, then for each `in, out`, the activation
    /// byte, the kernel and the biases.
    /// - Throws: `CryptoError` (from AssayCrypto) only if OpenSSL cannot compute a digest.
    /// - Complexity: O(number of weights).
    public func weightsDigest() throws(CryptoError) -> String {
        var bytes: [UInt8] = Array("assay.uae.weights.v1".utf8) + [0]
        func int(_ v: Int) {
            let u = UInt64(truncatingIfNeeded: v)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: u >> UInt64(shift))) }
        }
        func floats(_ values: [Float]) {
            bytes.reserveCapacity(bytes.count + 4 * values.count)
            for v in values {
                let u = v.bitPattern
                bytes.append(UInt8(truncatingIfNeeded: u >> 24))
                bytes.append(UInt8(truncatingIfNeeded: u >> 16))
                bytes.append(UInt8(truncatingIfNeeded: u >> 8))
                bytes.append(UInt8(truncatingIfNeeded: u))
            }
        }
        int(inputShape.count)
        inputShape.forEach(int)
        int(convolutionLayers.count)
        for layer in convolutionLayers {
            layer.kernel.shape.forEach(int)
            int(layer.strides)
            bytes.append(layer.padding == .same ? 0 : 1)
            bytes.append(layer.activation.digestCode)
            floats(layer.kernel.scalars)
            floats(layer.bias)
        }
        int(denseLayers.count)
        for layer in denseLayers {
            layer.kernel.shape.forEach(int)
            bytes.append(layer.activation.digestCode)
            floats(layer.kernel.scalars)
            floats(layer.bias)
        }
        return "sha256:" + (try SHA256.hash(bytes)).hex
    }

    static func checkedProduct(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            let (q, overflow) = p.multipliedReportingOverflow(by: d)
            if overflow { return nil }
            p = q
        }
        return p
    }

    enum CodingKeys: String, CodingKey {
        case inputShape = "input_shape"
        case convolutionLayers = "conv_layers"
        case denseLayers = "dense_layers"
    }

    /// Decodes stored weights and checks them as
    /// ``init(inputShape:convolutionLayers:denseLayers:)`` does; stored weights are untrusted.
    /// - Throws: `DecodingError.dataCorrupted` naming the problem.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(
                inputShape: c.decode([Int].self, forKey: .inputShape),
                convolutionLayers: c.decode([Conv2DLayer].self, forKey: .convolutionLayers),
                denseLayers: c.decode([DenseLayer].self, forKey: .denseLayers))
        } catch let error as NumericsError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes the input shape and the layers (``inputWidth`` and ``encodingDimension`` are
    /// derived on decoding).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(inputShape, forKey: .inputShape)
        try c.encode(convolutionLayers, forKey: .convolutionLayers)
        try c.encode(denseLayers, forKey: .denseLayers)
    }
}
