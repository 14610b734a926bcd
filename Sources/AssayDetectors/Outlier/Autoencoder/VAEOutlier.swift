import AssayNumerics

/// Alibi Detect's `OutlierVAE` (spec §7.5), the seed's outlier detector: a variational
/// autoencoder trained on normal data; an instance is an outlier when its sampled reconstructions
/// are far from it.
///
/// - **Network.** An encoder `features → hidden… (relu)`, two linear heads giving `μ` and
///   `log σ²` (``latentDimension`` each), the sample `z = μ + exp(½·log σ²)·ε` with `ε ~ N(0, I)`,
///   and a decoder `z → reversed hidden… (relu) → features` (linear, or sigmoid when asked).
///   With a ``ConvolutionalEncoder`` the encoder starts with convolutions over the rows seen as
///   NHWC images (`image → conv… (relu) → flatten → hidden…`), as the encoder of Alibi's CIFAR-10
///   example; the decoder stays dense, with no transposed convolutions (see ``AutoencoderOutlier``).
/// - **Loss** (Alibi's `elbo` with `cov_elbo = dict(sim=s)`, s = ``reconstructionScale``, 0.05 by
///   default, plus the KL term it adds):
///
///       L = mean over rows of −log N(x; x̂, diag(s²))
///           + β · (−½) · mean over rows and latent dims of (1 + log σ² − μ² − e^{log σ²})
///
///   with `−log N(x; x̂, s²I) = Σ_f (x_f − x̂_f)² / (2s²) + F·log s + (F/2)·log 2π`. Its gradients
///   (B rows, D latent dims): `∂L/∂x̂ = (x̂ − x)/(s²·B)`; through `z`,
///   `∂L/∂μ = ∂L/∂z + β·μ/(B·D)` and `∂L/∂log σ² = ∂L/∂z · ε · exp(½·log σ²) · ½ + β·(e^{log σ²} − 1)/(2·B·D)`.
///   `exp` is `DeterministicMath.exp` in `Double`, rounded to `Float`.
/// - **Training** as ``AutoencoderOutlier`` (Adam, Glorot, seeded shuffles, `Float`); the ε of an
///   epoch's batches are drawn in order (row, then latent dim, ``SeededGenerator/normal()``) from
///   `rng.child("epoch.e").child("epsilon")`.
/// - **Scores** (``score(_:samples:outlierPercent:rng:pool:)``): each instance is repeated
///   `samples` times (Alibi's `np.repeat`), each copy decoded from its own ε, drawn from `rng` in
///   the order of the repeated batch (instance, copy, latent dim); `feature_score` is the mean over
///   the copies of `(x − x̂)²` (in `Double`, copies added in order), `instance_score` the mean of
///   the top ⌈`outlier_perc`%⌉ feature scores.
///
/// Reproducibility is as ``AutoencoderOutlier``'s: same data, parameters and generator give the
/// same weights, and the same scoring generator the same scores, to the bit, with any pool, in
/// debug and release builds. Alibi draws ε from TensorFlow's generator, so its scores agree with
/// these statistically, never draw for draw.
public struct VAEOutlier: Detector, Equatable, Codable {
    public static let kind = "outlier.vae"
    public static let version = 1

    /// The convolutional front end of the encoder, `image → … → flattened feature maps`; `nil`
    /// for a dense VAE (and in detectors stored before it existed).
    public let convolution: ConvolutionalNetwork<Float>?
    /// `features → hidden…`, or `flattened feature maps → hidden…` after ``convolution`` (may
    /// have no layers: then the heads read the features or the feature maps).
    public let encoder: DenseNetwork<Float>
    /// The `μ` head (linear).
    public let mean: DenseNetwork<Float>.Layer
    /// The `log σ²` head (linear).
    public let logVariance: DenseNetwork<Float>.Layer
    /// `latent → … → features`.
    public let decoder: DenseNetwork<Float>
    /// The weight of the KL term used in training (Alibi's `beta`).
    public let beta: Double
    /// The `sim` scale of the ELBO's reconstruction term used in training.
    public let reconstructionScale: Double
    /// The instance-score threshold; `nil` until set or inferred.
    public var threshold: Double?
    /// The number of reconstructions per instance used by ``predict(_:outlierPercent:rng:pool:)``
    /// and ``detect(_:rng:)`` (Alibi's `samples`).
    public var samples: Int = 10
    /// The `outlier_perc` used by ``detect(_:rng:)``.
    public var outlierPercent: Double = 100

    /// The number of features per instance.
    public var featureCount: Int { convolution?.inputCount ?? encoder.inputCount }
    /// The latent dimension.
    public var latentDimension: Int { mean.outputCount }

    /// Makes a detector from trained networks.
    /// - Throws: ``DetectorError`` when the parts do not chain (`convolution → encoder → mean,
    ///   logVariance → decoder → features`), `beta` is negative, or the scale is not positive.
    public init(convolution: ConvolutionalNetwork<Float>? = nil, encoder: DenseNetwork<Float>, mean: DenseNetwork<Float>.Layer,
                logVariance: DenseNetwork<Float>.Layer, decoder: DenseNetwork<Float>, beta: Double = 1, reconstructionScale: Double = 0.05,
                threshold: Double? = nil) throws(DetectorError) {
        if let convolution, encoder.inputCount != convolution.outputCount {
            throw .invalidParameter(name: "vae", problem: "the encoder takes \(encoder.inputCount) features but the convolution gives \(convolution.outputCount)", valid: "Pass an encoder on the flattened output of the convolution.")
        }
        let features = convolution?.inputCount ?? encoder.inputCount
        guard mean.inputCount == encoder.outputCount, logVariance.inputCount == encoder.outputCount,
              mean.outputCount == logVariance.outputCount, decoder.inputCount == mean.outputCount,
              decoder.outputCount == features, mean.activation == .linear, logVariance.activation == .linear else {
            throw .invalidParameter(name: "vae", problem: "the parts do not chain: features \(features), encoder \(encoder.inputCount) → \(encoder.outputCount), μ \(mean.inputCount) → \(mean.outputCount), log σ² \(logVariance.inputCount) → \(logVariance.outputCount), decoder \(decoder.inputCount) → \(decoder.outputCount)", valid: "Pass linear heads on the encoder's outputs with equal sizes, and a decoder from that size back to the features.")
        }
        try Self.checkBeta(beta)
        try Self.checkScale(reconstructionScale)
        self.convolution = convolution
        self.encoder = encoder
        self.mean = mean
        self.logVariance = logVariance
        self.decoder = decoder
        self.beta = beta
        self.reconstructionScale = reconstructionScale
        self.threshold = threshold
    }

    static func checkBeta(_ beta: Double) throws(DetectorError) {
        guard beta >= 0, beta.isFinite else {
            throw .invalidParameter(name: "beta", problem: "\(beta) is not a non-negative number", valid: "Pass a KL weight such as 1.")
        }
    }

    static func checkScale(_ s: Double) throws(DetectorError) {
        guard s > 0, s.isFinite else {
            throw .invalidParameter(name: "cov_elbo.sim", problem: "\(s) is not a positive number", valid: "Pass a scale such as 0.05.")
        }
    }

    static func checkSamples(_ samples: Int) throws(DetectorError) {
        guard samples >= 1 else {
            throw .invalidParameter(name: "samples", problem: "\(samples) is below 1", valid: "Pass at least 1 reconstruction per instance (Alibi Detect's default is 10).")
        }
    }

    /// Trains a VAE on `x` (rows are instances, flattened).
    ///
    /// - Parameters:
    ///   - hidden: the encoder's hidden sizes (relu), mirrored in the decoder; may be empty.
    ///   - latent: the latent dimension (the size of each head).
    ///   - outputActivation: the decoder's last activation, `.linear` (default) or `.sigmoid`.
    ///   - convolution: for images, the convolution layers that start the encoder (see
    ///     ``ConvolutionalEncoder``); `nil` (default) for a dense encoder.
    ///   - beta: the KL weight (Alibi's default 1).
    ///   - reconstructionScale: `cov_elbo`'s `sim` (default 0.05).
    ///   - rng: its child streams give the weights (`"init"`, then `"convolution"`, `"encoder"`,
    ///     `"mean"`, `"log_variance"`, `"decoder"`), shuffles and ε (`"epoch.e"`); it is not advanced.
    ///   - Others as ``AutoencoderOutlier/train(x:hidden:latent:outputActivation:convolution:epochs:batchSize:learningRate:rng:pool:progress:)``.
    /// - Throws: ``DetectorError`` as the autoencoder's, and for a negative `beta` or a
    ///   non-positive scale.
    public static func train(
        x: Tensor<Double>, hidden: [Int], latent: Int, outputActivation: NetworkActivation = .linear,
        convolution: ConvolutionalEncoder? = nil,
        beta: Double = 1, reconstructionScale: Double = 0.05,
        epochs: Int = 20, batchSize: Int = 64, learningRate: Double = 1e-3,
        rng: inout SeededGenerator, pool: BlockPool?, progress: ((Int, Double) -> Void)? = nil
    ) throws(DetectorError) -> VAEOutlier {
        try train(x: x, hidden: hidden, latent: latent, outputActivation: outputActivation, convolution: convolution, beta: beta,
                  reconstructionScale: reconstructionScale, epochs: epochs, batchSize: batchSize, learningRate: learningRate, rng: rng, pool: pool,
                  parallelWork: DenseKernels.parallelWork, progress: progress)
    }

    static func train(
        x: Tensor<Double>, hidden: [Int], latent: Int, outputActivation: NetworkActivation, convolution configuration: ConvolutionalEncoder? = nil,
        beta: Double, reconstructionScale: Double, epochs: Int, batchSize: Int, learningRate: Double,
        rng: SeededGenerator, pool: BlockPool?, parallelWork: Int, progress: ((Int, Double) -> Void)?
    ) throws(DetectorError) -> VAEOutlier {
        try AutoencoderTraining.checkParameters(hidden: hidden, latent: latent, epochs: epochs, batchSize: batchSize, learningRate: learningRate)
        try checkBeta(beta)
        try checkScale(reconstructionScale)
        guard outputActivation != .relu else {
            throw .invalidParameter(name: "output_activation", problem: "relu is not offered for the reconstruction", valid: "Pass linear or sigmoid.")
        }
        try configuration?.check(features: nil)
        let (data, n, f) = try AutoencoderTraining.rows(x, place: "training data", features: nil)
        try configuration?.check(features: f)
        let initRNG = rng.child("init")
        let convolution = configuration.map { ConvolutionalNetwork<Float>.glorotUniform($0, generator: initRNG.child("convolution")) }
        let encoderInputs = convolution?.outputCount ?? f
        let encoder = DenseNetwork<Float>.glorotUniform(widths: [encoderInputs] + hidden, activations: hidden.map { _ in .relu }, generator: initRNG.child("encoder"))
        let top = hidden.last ?? encoderInputs
        var meanRNG = initRNG.child("mean")
        var logVarRNG = initRNG.child("log_variance")
        let meanHead = DenseNetwork<Float>.Layer(glorotUniformInputs: top, outputs: latent, activation: .linear, rng: &meanRNG)
        let logVarHead = DenseNetwork<Float>.Layer(glorotUniformInputs: top, outputs: latent, activation: .linear, rng: &logVarRNG)
        let decoder = DenseNetwork<Float>.glorotUniform(
            widths: [latent] + hidden.reversed() + [f], activations: hidden.map { _ in .relu } + [outputActivation], generator: initRNG.child("decoder"))
        var trainer = VAETrainer(convolution: convolution, encoder: encoder, mean: meanHead, logVariance: logVarHead, decoder: decoder,
                                 batchCapacity: min(batchSize, n), learningRate: learningRate, beta: beta, scale: reconstructionScale)
        var noise = rng
        try AutoencoderTraining.runEpochs(data: data, rows: n, features: f, epochs: epochs, batchSize: batchSize, rng: rng, progress: progress) { batch, rows, epoch, batchIndex in
            if batchIndex == 0 { noise = rng.child("epoch.\(epoch)").child("epsilon") }
            trainer.drawEpsilon(rows: rows, rng: &noise)
            let loss = trainer.computeGradients(batch, rows: rows, pool: pool, parallelWork: parallelWork)
            trainer.applyGradients()
            return loss
        }
        try AutoencoderTraining.checkFinite([trainer.encoder.network, trainer.meanHead.network, trainer.logVarianceHead.network, trainer.decoder.network])
        try AutoencoderTraining.checkFinite(trainer.convolution?.network)
        let heads = trainer.headLayers
        return try VAEOutlier(convolution: trainer.convolution?.network, encoder: trainer.encoder.network, mean: heads.mean, logVariance: heads.logVariance,
                              decoder: trainer.decoder.network, beta: beta, reconstructionScale: reconstructionScale)
    }

    /// `μ` and `log σ²` for `rows` rows of `x`, serially.
    func encode(_ x: [Float], rows: Int) -> (mean: [Float], logVariance: [Float]) {
        let h = encoder.apply(convolution.map { $0.apply(x, rows: rows) } ?? x, rows: rows)
        var mu = [Float](repeating: 0, count: rows * latentDimension)
        var lv = mu
        mean.forward(h, rows: rows, into: &mu, pool: nil, parallelWork: .max)
        logVariance.forward(h, rows: rows, into: &lv, pool: nil, parallelWork: .max)
        return (mu, lv)
    }

    /// Instances whose ε are drawn before their reconstructions are spread over the pool.
    static let scoreChunkRows = 256

    /// Alibi's `score`: feature scores (the mean over `samples` sampled reconstructions of
    /// `(x − x̂)²`) and instance scores (the mean of the top ⌈`outlierPercent`/100 · F⌉ feature
    /// scores) for each row of `x`. Draws `rows · samples · latentDimension` normals from `rng`.
    /// - Throws: ``DetectorError`` for empty or non-finite data, a feature count other than the
    ///   training data's, `samples < 1`, or `outlierPercent` outside (0, 100].
    public func score(_ x: Tensor<Double>, samples: Int = 10, outlierPercent: Double = 100,
                      rng: inout SeededGenerator, pool: BlockPool?) throws(DetectorError) -> (instance: [Double], feature: [[Double]]) {
        try Self.checkSamples(samples)
        try AutoencoderTraining.checkOutlierPercent(outlierPercent)
        let (values, n, f) = try AutoencoderTraining.rows(x, place: "input", features: featureCount)
        let original = x.rowMatrix().scalars
        let d = latentDimension
        let model = self
        var feature: [[Double]] = []
        feature.reserveCapacity(n)
        var chunkStart = 0
        while chunkStart < n {
            let chunk = chunkStart..<min(chunkStart + Self.scoreChunkRows, n)
            var eps = [Float]()
            eps.reserveCapacity(chunk.count * samples * d)
            for _ in 0..<(chunk.count * samples * d) { eps.append(Float(rng.normal())) }
            let epsilon = eps
            let parts = AutoencoderTraining.mapBlocks(count: chunk.count, size: AutoencoderTraining.scoreBlockRows, pool: pool) { local in
                let block = (chunk.lowerBound + local.lowerBound)..<(chunk.lowerBound + local.upperBound)
                let input = Array(values[(block.lowerBound * f)..<(block.upperBound * f)])
                let (mu, lv) = model.encode(input, rows: block.count)
                let sigma = lv.map { Float(DeterministicMath.exp(0.5 * Double($0))) }
                // z for every copy: row (i, s) of the repeated batch is instance i, copy s.
                let copies = block.count * samples
                var z = [Float](repeating: 0, count: copies * d)
                for i in 0..<block.count {
                    for s in 0..<samples {
                        let row = i * samples + s
                        let e = (local.lowerBound * samples + row) * d
                        for k in 0..<d { z[row * d + k] = mu[i * d + k] + sigma[i * d + k] * epsilon[e + k] }
                    }
                }
                let recon = model.decoder.apply(z, rows: copies)
                return (0..<block.count).map { i in
                    let base = (block.lowerBound + i) * f
                    return (0..<f).map { j in
                        var sum = 0.0
                        for s in 0..<samples {
                            let diff = original[base + j] - recon[(i * samples + s) * f + j].doubleValue
                            sum += diff * diff
                        }
                        return sum / Double(samples)
                    }
                }
            }
            for p in parts { feature.append(contentsOf: p) }
            chunkStart = chunk.upperBound
        }
        return (AutoencoderTraining.instanceScores(feature, outlierPercent: outlierPercent), feature)
    }

    /// Alibi's `infer_threshold`: sets ``threshold`` to the `thresholdPercent` percentile (NumPy
    /// linear) of the instance scores of `x` (with ``samples`` copies), and ``outlierPercent``.
    @discardableResult
    public mutating func inferThreshold(_ x: Tensor<Double>, outlierPercent: Double = 100, thresholdPercent: Double = 95,
                                        rng: inout SeededGenerator, pool: BlockPool?) throws(DetectorError) -> Double {
        guard thresholdPercent >= 0, thresholdPercent <= 100 else {
            throw .invalidParameter(name: "threshold_perc", problem: "\(thresholdPercent) is not in [0, 100]", valid: "Pass a percentile such as 95.")
        }
        let s = try score(x, samples: samples, outlierPercent: outlierPercent, rng: &rng, pool: pool).instance
        let t = OutlierThreshold.percentile(s, thresholdPercent)
        threshold = t
        self.outlierPercent = outlierPercent
        return t
    }

    /// Alibi's `predict` with `outlier_type='instance'`: scores (``samples`` copies) and flags.
    /// - Throws: ``DetectorError`` as ``score(_:samples:outlierPercent:rng:pool:)``, or when no
    ///   threshold is set.
    public func predict(_ x: Tensor<Double>, outlierPercent: Double? = nil, rng: inout SeededGenerator, pool: BlockPool?) throws(DetectorError) -> OutlierResult {
        guard let threshold else {
            throw .invalidParameter(name: "threshold", problem: "is not set", valid: "Call inferThreshold on reference data or set threshold first.")
        }
        let s = try score(x, samples: samples, outlierPercent: outlierPercent ?? self.outlierPercent, rng: &rng, pool: pool)
        return OutlierResult(instanceScore: s.instance, featureScore: s.feature, threshold: threshold)
    }

    public func detect(_ x: Tensor<Double>, rng: inout SeededGenerator) throws -> OutlierResult {
        try predict(x, rng: &rng, pool: nil)
    }

    enum CodingKeys: String, CodingKey {
        case convolution, encoder, mean, logVariance = "log_variance", decoder, beta, reconstructionScale = "cov_elbo_sim"
        case threshold, samples, outlierPercent = "outlier_perc"
    }

    /// Decodes a detector; a stored detector without `convolution` (dense, or stored before
    /// convolutions existed) has none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        do {
            try self.init(convolution: c.decodeIfPresent(ConvolutionalNetwork<Float>.self, forKey: .convolution),
                          encoder: c.decode(DenseNetwork<Float>.self, forKey: .encoder),
                          mean: c.decode(DenseNetwork<Float>.Layer.self, forKey: .mean),
                          logVariance: c.decode(DenseNetwork<Float>.Layer.self, forKey: .logVariance),
                          decoder: c.decode(DenseNetwork<Float>.self, forKey: .decoder),
                          beta: c.decode(Double.self, forKey: .beta),
                          reconstructionScale: c.decode(Double.self, forKey: .reconstructionScale),
                          threshold: c.decodeIfPresent(Double.self, forKey: .threshold))
            let samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 10
            try Self.checkSamples(samples)
            self.samples = samples
        } catch let error as DetectorError {
            throw DecodingError.dataCorrupted(.init(codingPath: c.codingPath, debugDescription: error.description))
        }
        outlierPercent = try c.decodeIfPresent(Double.self, forKey: .outlierPercent) ?? 100
    }

    /// Encodes the networks, the training constants, `threshold` (`null` when not set),
    /// `samples` and `outlier_perc`; `convolution` only when there is one, so a dense detector
    /// has the same bytes as before convolutions existed.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(convolution, forKey: .convolution)
        try c.encode(self.encoder, forKey: .encoder)
        try c.encode(mean, forKey: .mean)
        try c.encode(logVariance, forKey: .logVariance)
        try c.encode(decoder, forKey: .decoder)
        try c.encode(beta, forKey: .beta)
        try c.encode(reconstructionScale, forKey: .reconstructionScale)
        if let threshold { try c.encode(threshold, forKey: .threshold) } else { try c.encodeNil(forKey: .threshold) }
        try c.encode(samples, forKey: .samples)
        try c.encode(outlierPercent, forKey: .outlierPercent)
    }
}

/// The VAE's training state: convolution (if any), encoder, heads, decoder, Adam, and the batch's
/// ε and intermediates.
struct VAETrainer<T: NetworkScalar>: Sendable {
    var convolution: ConvolutionalTrainer<T>?
    var encoder: StackTrainer<T>
    var meanHead: StackTrainer<T>
    var logVarianceHead: StackTrainer<T>
    var decoder: StackTrainer<T>
    var adam: AdamOptimizer<T>
    let beta: Double
    let scale: Double
    let latent: Int
    /// ε for the current batch (`rows × latent`), set by ``drawEpsilon(rows:rng:)`` or directly.
    var epsilon: [T]
    private var sigma: [T]
    private var expLogVariance: [T]
    private var z: [T]
    private var latentGradient: [T]
    private var hiddenGradientFromMean: [T]
    private var hiddenGradientFromLogVariance: [T]

    init(convolution: ConvolutionalNetwork<T>? = nil, encoder: DenseNetwork<T>, mean: DenseNetwork<T>.Layer, logVariance: DenseNetwork<T>.Layer,
         decoder: DenseNetwork<T>, batchCapacity: Int, learningRate: Double, beta: Double, scale: Double) {
        self.convolution = convolution.map { ConvolutionalTrainer(network: $0, batchCapacity: batchCapacity) }
        self.encoder = StackTrainer(network: encoder, batchCapacity: batchCapacity)
        meanHead = StackTrainer(network: DenseNetwork(uncheckedInputCount: mean.inputCount, layers: [mean]), batchCapacity: batchCapacity)
        logVarianceHead = StackTrainer(network: DenseNetwork(uncheckedInputCount: logVariance.inputCount, layers: [logVariance]), batchCapacity: batchCapacity)
        self.decoder = StackTrainer(network: decoder, batchCapacity: batchCapacity)
        adam = AdamOptimizer(slotSizes: (self.convolution?.slotSizes ?? []) + self.encoder.slotSizes + meanHead.slotSizes + logVarianceHead.slotSizes + self.decoder.slotSizes,
                             learningRate: learningRate)
        self.beta = beta
        self.scale = scale
        latent = mean.outputCount
        let latentBuffer = [T](repeating: 0, count: batchCapacity * latent)
        epsilon = latentBuffer
        sigma = latentBuffer
        expLogVariance = latentBuffer
        z = latentBuffer
        latentGradient = latentBuffer
        hiddenGradientFromMean = [T](repeating: 0, count: batchCapacity * encoder.outputCount)
        hiddenGradientFromLogVariance = hiddenGradientFromMean
    }

    var headLayers: (mean: DenseNetwork<T>.Layer, logVariance: DenseNetwork<T>.Layer) {
        (meanHead.network.layers[0], logVarianceHead.network.layers[0])
    }

    /// Fills ε for `rows` rows with `rng.normal()`, row by row, latent dims in order.
    mutating func drawEpsilon(rows: Int, rng: inout SeededGenerator) {
        for i in 0..<(rows * latent) { epsilon[i] = T(rng.normal()) }
    }

    /// Forward and backward passes for the first `rows` rows of `batch` with the current ε:
    /// fills the gradients of the ELBO loss (see ``VAEOutlier``) and returns the loss, its sums
    /// taken in `Double`.
    mutating func computeGradients(_ batch: [T], rows: Int, pool: BlockPool?, parallelWork: Int) -> Double {
        convolution?.forward(batch, rows: rows, pool: pool, parallelWork: parallelWork)
        let encoderInput = convolution?.output ?? batch
        encoder.forward(encoderInput, rows: rows, pool: pool, parallelWork: parallelWork)
        let h = encoder.output(forInput: encoderInput)
        meanHead.forward(h, rows: rows, pool: pool, parallelWork: parallelWork)
        logVarianceHead.forward(h, rows: rows, pool: pool, parallelWork: parallelWork)
        let mu = meanHead.outputs[0], lv = logVarianceHead.outputs[0]
        let latentCount = rows * latent
        for i in 0..<latentCount {
            let v = lv[i].doubleValue
            sigma[i] = T(DeterministicMath.exp(0.5 * v))
            expLogVariance[i] = T(DeterministicMath.exp(v))
            z[i] = mu[i] + sigma[i] * epsilon[i]
        }
        decoder.forward(z, rows: rows, pool: pool, parallelWork: parallelWork)
        let recon = decoder.output(forInput: z)
        let features = decoder.network.outputCount
        let count = rows * features
        let reconScale = T(1 / (scale * scale * Double(rows)))
        var squares = 0.0
        decoder.withOutputGradient { g in
            for i in 0..<count {
                let d = recon[i] - batch[i]
                let dd = d.doubleValue
                squares += dd * dd
                g[i] = d * reconScale
            }
        }
        decoder.backward(input: z, rows: rows, inputGradient: &latentGradient, computeInputGradient: true, pool: pool, parallelWork: parallelWork)

        let dz = latentGradient, eps = epsilon, sig = sigma, ev = expLogVariance
        let klMean = T(beta / Double(latentCount))
        let klLogVariance = T(beta / (2 * Double(latentCount)))
        let half = T(0.5)
        var klSum = 0.0
        meanHead.withOutputGradient { g in
            for i in 0..<latentCount { g[i] = dz[i] + klMean * mu[i] }
        }
        logVarianceHead.withOutputGradient { g in
            for i in 0..<latentCount {
                g[i] = dz[i] * eps[i] * sig[i] * half + klLogVariance * (ev[i] - 1)
                let m = mu[i].doubleValue
                klSum += 1 + lv[i].doubleValue - m * m - ev[i].doubleValue
            }
        }
        let hasHidden = !encoder.network.layers.isEmpty
        let needHidden = hasHidden || convolution != nil
        meanHead.backward(input: h, rows: rows, inputGradient: &hiddenGradientFromMean, computeInputGradient: needHidden, pool: pool, parallelWork: parallelWork)
        logVarianceHead.backward(input: h, rows: rows, inputGradient: &hiddenGradientFromLogVariance, computeInputGradient: needHidden, pool: pool, parallelWork: parallelWork)
        var none: [T] = []
        if needHidden {
            let a = hiddenGradientFromMean, b = hiddenGradientFromLogVariance
            let hiddenCount = rows * encoder.network.outputCount
            // ∂L/∂(convolution output), when there is a convolution: the encoder's input gradient,
            // or the heads' directly when the encoder has no layer.
            var convolutionGradient = convolution?.takeOutputGradient() ?? []
            if hasHidden {
                encoder.withOutputGradient { g in
                    for i in 0..<hiddenCount { g[i] = a[i] + b[i] }
                }
                encoder.backward(input: encoderInput, rows: rows, inputGradient: &convolutionGradient,
                                 computeInputGradient: convolution != nil, pool: pool, parallelWork: parallelWork)
            } else {
                for i in 0..<hiddenCount { convolutionGradient[i] = a[i] + b[i] }
            }
            if var conv = convolution {
                convolution = nil  // the only reference now, so its buffers are written in place
                conv.restoreOutputGradient(convolutionGradient)
                conv.backward(input: batch, rows: rows, inputGradient: &none, computeInputGradient: false, pool: pool, parallelWork: parallelWork)
                convolution = conv
            }
        }
        let logNormalizer = Double(features) * (DeterministicMath.log(scale) + 0.5 * DeterministicMath.log(2 * Double.pi))
        let reconstruction = squares / (2 * scale * scale * Double(rows)) + logNormalizer
        let kl = -0.5 * klSum / Double(latentCount)
        return reconstruction + beta * kl
    }

    /// One Adam step over the convolution, encoder, μ head, log σ² head and decoder, in that order.
    mutating func applyGradients() {
        adam.beginStep()
        var slot = 0
        convolution?.applyGradients(&adam, firstSlot: slot)
        slot += convolution?.slotSizes.count ?? 0
        encoder.applyGradients(&adam, firstSlot: slot)
        slot += encoder.slotSizes.count
        meanHead.applyGradients(&adam, firstSlot: slot)
        slot += meanHead.slotSizes.count
        logVarianceHead.applyGradients(&adam, firstSlot: slot)
        slot += logVarianceHead.slotSizes.count
        decoder.applyGradients(&adam, firstSlot: slot)
    }

    /// The parameter arrays in update order (for gradient checks).
    var parameters: [[T]] {
        get { (convolution?.parameters ?? []) + encoder.parameters + meanHead.parameters + logVarianceHead.parameters + decoder.parameters }
        set {
            var k = 0
            func next(_ count: Int) -> [[T]] {
                defer { k += count }
                return Array(newValue[k..<(k + count)])
            }
            let convolutionSlots = convolution?.slotSizes.count ?? 0
            let convolutionParameters = next(convolutionSlots)
            convolution?.parameters = convolutionParameters
            encoder.parameters = next(encoder.slotSizes.count)
            meanHead.parameters = next(2)
            logVarianceHead.parameters = next(2)
            decoder.parameters = next(decoder.slotSizes.count)
        }
    }

    /// The gradients in the order of ``parameters``.
    var parameterGradients: [[T]] {
        (convolution?.parameterGradients ?? []) + encoder.parameterGradients + meanHead.parameterGradients + logVarianceHead.parameterGradients + decoder.parameterGradients
    }
}
