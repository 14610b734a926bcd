import AssayNumerics

/// Alibi Detect's `OutlierAE` (spec §7.4): an autoencoder trained on normal data; an instance is
/// an outlier when it is reconstructed badly.
///
/// - **Network.** `features → hidden… (relu) → latent (linear) → reversed hidden… (relu) →
///   features` (linear output, or sigmoid when asked). Alibi takes any Keras encoder and decoder;
///   here they are dense stacks. ``defaultArchitecture(features:)`` gives
///   `features → max(⌈F/2⌉, 2) → max(⌈F/4⌉, 2)` and the mirror.
/// - **Images.** With a ``ConvolutionalEncoder``, the encoder starts with convolutions (relu,
///   TensorFlow's `'same'` padding) over the rows seen as NHWC images, then flattens into the
///   dense layers: `image → conv… → flatten → hidden… → latent`. The decoder stays dense
///   (`latent → reversed hidden… → features`); it has no transposed convolutions, unlike the
///   decoder of Alibi's CIFAR-10 example, which is enough for small images.
/// - **Training** (``train(x:hidden:latent:outputActivation:convolution:epochs:batchSize:learningRate:rng:pool:progress:)``):
///   mean squared error over the batch and the features (Keras' `MeanSquaredError`), Adam with
///   Keras' defaults (see `AdamOptimizer`), Glorot-uniform kernels and zero biases, mini-batches
///   of shuffled rows. Everything is computed in `Float` (Keras' float32) by this module's own
///   backpropagation (see ``DenseNetwork``).
/// - **Scores** (``score(_:outlierPercent:pool:)``): `feature_score = (x − x̂)²` per feature (in
///   `Double`, from the `Float` reconstruction), `instance_score` = the mean of the top
///   ⌈`outlier_perc`/100 · F⌉ feature scores. ``inferThreshold(_:outlierPercent:thresholdPercent:pool:)``
///   sets the threshold to a NumPy-linear percentile of reference scores; an instance is an outlier
///   when its score is strictly above it.
///
/// ## Reproducibility
///
/// Training with the same data, parameters and generator gives bit-identical weights on every
/// machine, in debug and release builds and with any pool size: the kernels never split a sum
/// across threads, every reduction has one fixed order, and randomness comes only from child
/// streams of `rng` — `rng.child("init").child("convolution" | "encoder" | "decoder")` for the
/// weights (layer `ℓ` from `.child("layer.ℓ")`) and `rng.child("epoch.e")` for epoch `e`'s
/// shuffle. The weights differ from Keras' for the same seed (TensorFlow's generator cannot be
/// reproduced); the detector is `Codable`, so a trained detector is stored and reloaded with
/// identical scores.
///
/// ```swift
/// var rng = SeededGenerator(seed: 0).child("detector.ae")
/// let (hidden, latent) = AutoencoderOutlier.defaultArchitecture(features: 64)
/// var ae = try AutoencoderOutlier.train(x: reference, hidden: hidden, latent: latent, rng: &rng, pool: nil)
/// try ae.inferThreshold(reference, pool: nil)
/// let result = try ae.predict(batch, pool: nil)     // OutlierResult
/// ```
public struct AutoencoderOutlier: Detector, Equatable, Codable {
    public static let kind = "outlier.ae"
    public static let version = 1

    /// The convolutional front end of the encoder, `image → … → flattened feature maps`; `nil`
    /// for a dense autoencoder (and in detectors stored before it existed).
    public let convolution: ConvolutionalNetwork<Float>?
    /// `features → … → latent`, or `flattened feature maps → … → latent` after ``convolution``.
    public let encoder: DenseNetwork<Float>
    /// `latent → … → features`.
    public let decoder: DenseNetwork<Float>
    /// The instance-score threshold (Alibi's `threshold`); `nil` until set or inferred.
    public var threshold: Double?
    /// The `outlier_perc` used by ``detect(_:rng:)``.
    public var outlierPercent: Double = 100

    /// The number of features per instance.
    public var featureCount: Int { convolution?.inputCount ?? encoder.inputCount }

    /// Makes a detector from trained networks.
    /// - Throws: ``DetectorError`` when the encoder does not take the convolution's outputs, or
    ///   the decoder does not take the encoder's outputs or does not give back the features.
    public init(convolution: ConvolutionalNetwork<Float>? = nil, encoder: DenseNetwork<Float>, decoder: DenseNetwork<Float>,
                threshold: Double? = nil) throws(DetectorError) {
        if let convolution, encoder.inputCount != convolution.outputCount {
            throw .invalidParameter(name: "encoder", problem: "takes \(encoder.inputCount) features but the convolution gives \(convolution.outputCount)", valid: "Pass an encoder on the flattened output of the convolution.")
        }
        let features = convolution?.inputCount ?? encoder.inputCount
        guard decoder.inputCount == encoder.outputCount, decoder.outputCount == features else {
            throw .invalidParameter(name: "decoder", problem: "maps \(decoder.inputCount) → \(decoder.outputCount) features but the encoder maps \(features) → \(encoder.outputCount)", valid: "Pass a decoder from the encoder's outputs back to its inputs.")
        }
        self.convolution = convolution
        self.encoder = encoder
        self.decoder = decoder
        self.threshold = threshold
    }

    /// The default hidden sizes and latent dimension for `features` features:
    /// `[max(⌈F/2⌉, 2)]` and `max(⌈F/4⌉, 2)`.
    public static func defaultArchitecture(features: Int) -> (hidden: [Int], latent: Int) {
        ([max((features + 1) / 2, 2)], max((features + 3) / 4, 2))
    }

    /// Trains an autoencoder on `x` (rows are instances, flattened).
    ///
    /// - Parameters:
    ///   - x: the training data, at least one row; all values finite.
    ///   - hidden: the encoder's hidden layer sizes (relu), mirrored in the decoder; may be empty.
    ///   - latent: the encoding dimension (a linear layer).
    ///   - outputActivation: the decoder's last activation, `.linear` (default) or `.sigmoid` for
    ///     data in [0, 1].
    ///   - convolution: for images, the convolution layers that start the encoder (see
    ///     ``ConvolutionalEncoder``); `nil` (default) for a dense encoder.
    ///   - epochs, batchSize, learningRate: as Alibi's `fit` (20, 64) and Keras' Adam (1e-3).
    ///   - rng: the generator whose child streams give the weights and shuffles (it is not
    ///     advanced: the result depends on its seed and path only).
    ///   - pool: spreads large layer products over threads (same bits with any pool).
    ///   - progress: called after each epoch with the 1-based epoch and its mean loss.
    /// - Throws: ``DetectorError`` for empty or non-finite data, sizes below 1, `epochs < 1`,
    ///   `batchSize < 1`, a non-positive learning rate, a convolution that does not fit the data
    ///   (``ConvolutionalEncoder/check(features:)``), or a loss that became NaN or infinite.
    public static func train(
        x: Tensor<Double>, hidden: [Int], latent: Int, outputActivation: NetworkActivation = .linear,
        convolution: ConvolutionalEncoder? = nil,
        epochs: Int = 20, batchSize: Int = 64, learningRate: Double = 1e-3,
        rng: inout SeededGenerator, pool: BlockPool?, progress: ((Int, Double) -> Void)? = nil
    ) throws(DetectorError) -> AutoencoderOutlier {
        try train(x: x, hidden: hidden, latent: latent, outputActivation: outputActivation, convolution: convolution, epochs: epochs,
                  batchSize: batchSize, learningRate: learningRate, rng: rng, pool: pool, parallelWork: DenseKernels.parallelWork, progress: progress)
    }

    /// ``train(x:hidden:latent:outputActivation:convolution:epochs:batchSize:learningRate:rng:pool:progress:)``
    /// with the size from which a product goes to the pool (tests set 0 to exercise the pool).
    static func train(
        x: Tensor<Double>, hidden: [Int], latent: Int, outputActivation: NetworkActivation, convolution configuration: ConvolutionalEncoder? = nil,
        epochs: Int, batchSize: Int, learningRate: Double,
        rng: SeededGenerator, pool: BlockPool?, parallelWork: Int, progress: ((Int, Double) -> Void)?
    ) throws(DetectorError) -> AutoencoderOutlier {
        try AutoencoderTraining.checkParameters(hidden: hidden, latent: latent, epochs: epochs, batchSize: batchSize, learningRate: learningRate)
        guard outputActivation != .relu else {
            throw .invalidParameter(name: "output_activation", problem: "relu is not offered for the reconstruction", valid: "Pass linear or sigmoid.")
        }
        try configuration?.check(features: nil)
        let (data, n, f) = try AutoencoderTraining.rows(x, place: "training data", features: nil)
        try configuration?.check(features: f)
        let initRNG = rng.child("init")
        let convolution = configuration.map { ConvolutionalNetwork<Float>.glorotUniform($0, generator: initRNG.child("convolution")) }
        let encoder = DenseNetwork<Float>.glorotUniform(
            widths: [convolution?.outputCount ?? f] + hidden + [latent], activations: hidden.map { _ in .relu } + [.linear], generator: initRNG.child("encoder"))
        let decoder = DenseNetwork<Float>.glorotUniform(
            widths: [latent] + hidden.reversed() + [f], activations: hidden.map { _ in .relu } + [outputActivation], generator: initRNG.child("decoder"))
        var trainer = AutoencoderTrainer(convolution: convolution, encoder: encoder, decoder: decoder, batchCapacity: min(batchSize, n), learningRate: learningRate)
        try AutoencoderTraining.runEpochs(data: data, rows: n, features: f, epochs: epochs, batchSize: batchSize, rng: rng, progress: progress) { batch, rows, _, _ in
            let loss = trainer.computeGradients(batch, rows: rows, pool: pool, parallelWork: parallelWork)
            trainer.applyGradients()
            return loss
        }
        let (trainedEncoder, trainedDecoder) = trainer.networks
        try AutoencoderTraining.checkFinite([trainedEncoder, trainedDecoder])
        try AutoencoderTraining.checkFinite(trainer.convolution?.network)
        return try AutoencoderOutlier(convolution: trainer.convolution?.network, encoder: trainedEncoder, decoder: trainedDecoder)
    }

    /// The reconstruction of `rows` rows (`Float`, row-major), serially.
    public func reconstruct(_ x: [Float], rows: Int) -> [Float] {
        let flat = convolution.map { $0.apply(x, rows: rows) } ?? x
        return decoder.apply(encoder.apply(flat, rows: rows), rows: rows)
    }

    /// Alibi's `score`: feature scores `(x − x̂)²` and instance scores (the mean of the top
    /// ⌈`outlierPercent`/100 · F⌉ feature scores) for each row of `x`.
    /// - Throws: ``DetectorError`` for empty or non-finite data, a feature count other than the
    ///   training data's, or `outlierPercent` outside (0, 100].
    public func score(_ x: Tensor<Double>, outlierPercent: Double = 100, pool: BlockPool?) throws(DetectorError) -> (instance: [Double], feature: [[Double]]) {
        try AutoencoderTraining.checkOutlierPercent(outlierPercent)
        let (values, n, f) = try AutoencoderTraining.rows(x, place: "input", features: featureCount)
        let original = x.rowMatrix().scalars
        let model = self
        let parts = AutoencoderTraining.mapBlocks(count: n, size: AutoencoderTraining.scoreBlockRows, pool: pool) { block in
            let input = Array(values[(block.lowerBound * f)..<(block.upperBound * f)])
            let recon = model.reconstruct(input, rows: block.count)
            return (0..<block.count).map { r in
                let base = (block.lowerBound + r) * f
                return (0..<f).map { j in
                    let d = original[base + j] - recon[r * f + j].doubleValue
                    return d * d
                }
            }
        }
        let feature = parts.flatMap { $0 }
        return (AutoencoderTraining.instanceScores(feature, outlierPercent: outlierPercent), feature)
    }

    /// Alibi's `infer_threshold`: sets ``threshold`` to the `thresholdPercent` percentile (NumPy
    /// linear) of the instance scores of `x`, and ``outlierPercent`` to `outlierPercent`.
    @discardableResult
    public mutating func inferThreshold(_ x: Tensor<Double>, outlierPercent: Double = 100, thresholdPercent: Double = 95, pool: BlockPool?) throws(DetectorError) -> Double {
        guard thresholdPercent >= 0, thresholdPercent <= 100 else {
            throw .invalidParameter(name: "threshold_perc", problem: "\(thresholdPercent) is not in [0, 100]", valid: "Pass a percentile such as 95.")
        }
        let s = try score(x, outlierPercent: outlierPercent, pool: pool).instance
        let t = OutlierThreshold.percentile(s, thresholdPercent)
        threshold = t
        self.outlierPercent = outlierPercent
        return t
    }

    /// Alibi's `predict` with `outlier_type='instance'`: scores and flags against ``threshold``.
    /// - Throws: ``DetectorError`` as ``score(_:outlierPercent:pool:)``, or when no threshold is set.
    public func predict(_ x: Tensor<Double>, outlierPercent: Double? = nil, pool: BlockPool?) throws(DetectorError) -> OutlierResult {
        guard let threshold else {
            throw .invalidParameter(name: "threshold", problem: "is not set", valid: "Call inferThreshold on reference data or set threshold first.")
        }
        let s = try score(x, outlierPercent: outlierPercent ?? self.outlierPercent, pool: pool)
        return OutlierResult(instanceScore: s.instance, featureScore: s.feature, threshold: threshold)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> OutlierResult {
        try predict(x, pool: nil)
    }

    enum CodingKeys: String, CodingKey { case convolution, encoder, decoder, threshold, outlierPercent = "outlier_perc" }

    /// Decodes a detector; a stored detector without `convolution` (dense, or stored before
    /// convolutions existed) has none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(convolution: c.decodeIfPresent(ConvolutionalNetwork<Float>.self, forKey: .convolution),
                          encoder: c.decode(DenseNetwork<Float>.self, forKey: .encoder),
                          decoder: c.decode(DenseNetwork<Float>.self, forKey: .decoder),
                          threshold: c.decodeIfPresent(Double.self, forKey: .threshold))
        } catch let error as DetectorError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
        outlierPercent = try c.decodeIfPresent(Double.self, forKey: .outlierPercent) ?? 100
    }

    /// Encodes the networks, `threshold` (`null` when not set) and `outlier_perc`. The
    /// `convolution` key is written only when there is one, so a dense detector has the same
    /// bytes as before convolutions existed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(convolution, forKey: .convolution)
        try c.encode(self.encoder, forKey: .encoder)
        try c.encode(decoder, forKey: .decoder)
        if let threshold { try c.encode(threshold, forKey: .threshold) } else { try c.encodeNil(forKey: .threshold) }
        try c.encode(outlierPercent, forKey: .outlierPercent)
    }
}

/// The autoencoder's training state: the convolution (if any), encoder and decoder stacks and Adam.
struct AutoencoderTrainer<T: NetworkScalar>: Sendable {
    var convolution: ConvolutionalTrainer<T>?
    var encoder: StackTrainer<T>
    var decoder: StackTrainer<T>
    var adam: AdamOptimizer<T>
    /// `∂L/∂code`, the decoder's input gradient (`batchCapacity × latent`).
    private var codeGradient: [T]

    init(convolution: ConvolutionalNetwork<T>? = nil, encoder: DenseNetwork<T>, decoder: DenseNetwork<T>, batchCapacity: Int, learningRate: Double) {
        self.convolution = convolution.map { ConvolutionalTrainer(network: $0, batchCapacity: batchCapacity) }
        self.encoder = StackTrainer(network: encoder, batchCapacity: batchCapacity)
        self.decoder = StackTrainer(network: decoder, batchCapacity: batchCapacity)
        adam = AdamOptimizer(slotSizes: (self.convolution?.slotSizes ?? []) + self.encoder.slotSizes + self.decoder.slotSizes, learningRate: learningRate)
        codeGradient = [T](repeating: 0, count: batchCapacity * decoder.inputCount)
    }

    var networks: (DenseNetwork<T>, DenseNetwork<T>) { (encoder.network, decoder.network) }

    /// Forward and backward passes for the first `rows` rows of `batch`: fills the gradients of
    /// `mean((x̂ − x)²)` over the batch's rows and features (`∂L/∂x̂ = (x̂ − x)·(2 / (rows·F))`,
    /// the factor computed in `Double` and rounded) and returns that loss, summed in `Double`.
    mutating func computeGradients(_ batch: [T], rows: Int, pool: BlockPool?, parallelWork: Int) -> Double {
        convolution?.forward(batch, rows: rows, pool: pool, parallelWork: parallelWork)
        let encoderInput = convolution?.output ?? batch
        encoder.forward(encoderInput, rows: rows, pool: pool, parallelWork: parallelWork)
        let code = encoder.output(forInput: encoderInput)
        decoder.forward(code, rows: rows, pool: pool, parallelWork: parallelWork)
        let recon = decoder.output(forInput: code)
        let count = rows * decoder.network.outputCount
        let scale = T(2 / Double(count))
        var sum = 0.0
        decoder.withOutputGradient { g in
            for i in 0..<count {
                let d = recon[i] - batch[i]
                let dd = d.doubleValue
                sum += dd * dd
                g[i] = d * scale
            }
        }
        decoder.backward(input: code, rows: rows, inputGradient: &codeGradient, computeInputGradient: true, pool: pool, parallelWork: parallelWork)
        let codeCount = rows * decoder.network.inputCount
        let codeGradientValues = codeGradient
        encoder.withOutputGradient { g in
            for i in 0..<codeCount { g[i] = codeGradientValues[i] }
        }
        var none: [T] = []
        if var conv = convolution {
            convolution = nil  // the only reference now, so its buffers are written in place
            var g = conv.takeOutputGradient()
            encoder.backward(input: encoderInput, rows: rows, inputGradient: &g, computeInputGradient: true, pool: pool, parallelWork: parallelWork)
            conv.restoreOutputGradient(g)
            conv.backward(input: batch, rows: rows, inputGradient: &none, computeInputGradient: false, pool: pool, parallelWork: parallelWork)
            convolution = conv
        } else {
            encoder.backward(input: batch, rows: rows, inputGradient: &none, computeInputGradient: false, pool: pool, parallelWork: parallelWork)
        }
        return sum / Double(count)
    }

    /// One Adam step over the convolution's, the encoder's, then the decoder's parameters.
    mutating func applyGradients() {
        adam.beginStep()
        let first = convolution?.slotSizes.count ?? 0
        convolution?.applyGradients(&adam, firstSlot: 0)
        encoder.applyGradients(&adam, firstSlot: first)
        decoder.applyGradients(&adam, firstSlot: first + encoder.slotSizes.count)
    }

    /// The parameter arrays in update order (for gradient checks).
    var parameters: [[T]] {
        get { (convolution?.parameters ?? []) + encoder.parameters + decoder.parameters }
        set {
            let c = convolution?.slotSizes.count ?? 0, e = encoder.slotSizes.count
            convolution?.parameters = Array(newValue[0..<c])
            encoder.parameters = Array(newValue[c..<(c + e)])
            decoder.parameters = Array(newValue[(c + e)...])
        }
    }

    /// The gradients in the order of ``parameters``.
    var parameterGradients: [[T]] {
        (convolution?.parameterGradients ?? []) + encoder.parameterGradients + decoder.parameterGradients
    }
}
