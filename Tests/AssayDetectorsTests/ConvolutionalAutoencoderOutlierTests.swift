import Foundation
import Testing
@testable import AssayDetectors
import AssayNumerics

/// The convolutional front end of the autoencoder and VAE outlier detectors: the trainable
/// convolution layer (gradients against finite differences, a hand-computed case, Keras' Conv2D),
/// training and ranking on 8×8 images, determinism (seeds, threads, JSON), stored dense detectors
/// that still decode, bad input.
@Suite struct ConvolutionalAutoencoderOutlierTests {
    typealias Base = AutoencoderOutlierTests

    // MARK: Helpers

    /// A network of one layer per entry of `filters` with the given activations, Glorot kernels
    /// and random biases in [−0.3, 0.3).
    static func network<T: NetworkScalar>(
        shape: [Int], filters: [Int], kernel: Int, stride: Int, activations: [NetworkActivation], seed: UInt64
    ) -> ConvolutionalNetwork<T> {
        let root = SeededGenerator(seed: seed)
        var layers: [ConvolutionalNetwork<T>.Layer] = []
        var s = shape
        for (l, f) in filters.enumerated() {
            var rng = root.child("layer.\(l)")
            var layer = ConvolutionalNetwork<T>.Layer(glorotUniformInputShape: s, filters: f, kernelSize: kernel, stride: stride,
                                                      activation: activations[l], rng: &rng)
            var brng = root.child("bias.\(l)")
            layer.bias = layer.bias.map { _ in T(brng.uniform(in: -0.3..<0.3)) }
            layers.append(layer)
            s = [layer.outputHeight, layer.outputWidth, f]
        }
        return ConvolutionalNetwork(uncheckedInputShape: shape, layers: layers)
    }

    /// FNV-1a over the little-endian bytes of every weight of the given arrays, in order.
    static func fingerprint(_ arrays: [[Float]]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for a in arrays {
            for v in a {
                for k in 0..<4 { h = (h ^ UInt64((v.bitPattern >> (8 * UInt32(k))) & 0xff)) &* 0x100_0000_01b3 }
            }
        }
        return h
    }

    static func weights(_ ae: AutoencoderOutlier) -> [[Float]] {
        (ae.convolution?.layers ?? []).flatMap { [$0.kernel, $0.bias] } + (ae.encoder.layers + ae.decoder.layers).flatMap { [$0.kernel, $0.bias] }
    }

    static func weights(_ vae: VAEOutlier) -> [[Float]] {
        (vae.convolution?.layers ?? []).flatMap { [$0.kernel, $0.bias] }
            + (vae.encoder.layers + [vae.mean, vae.logVariance] + vae.decoder.layers).flatMap { [$0.kernel, $0.bias] }
    }

    // MARK: The layer: geometry, a hand-computed case, Keras

    /// TensorFlow's 'same' padding: ⌈n/s⌉ outputs, the odd pixel of padding after.
    @Test func samePaddingFollowsTensorFlow() throws {
        func layer(_ h: Int, _ w: Int, k: Int, s: Int) throws -> ConvolutionalNetwork<Float>.Layer {
            try .init(inputHeight: h, inputWidth: w, inputChannels: 1, filters: 1, kernelSize: k, stride: s, activation: .relu,
                      kernel: [Float](repeating: 0, count: k * k), bias: [0])
        }
        let a = try layer(8, 8, k: 4, s: 2)      // Alibi's CIFAR layers on 8×8: 4×4, pad 1 and 1
        #expect([a.outputHeight, a.outputWidth, a.paddingTop, a.paddingLeft] as [Int] == [4, 4, 1, 1])
        let b = try layer(5, 7, k: 4, s: 2)      // 3×4 out, total 3 in both directions: 1 before, 2 after
        #expect([b.outputHeight, b.outputWidth, b.paddingTop, b.paddingLeft] as [Int] == [3, 4, 1, 1])
        let c = try layer(7, 7, k: 2, s: 3)      // total (3−1)·3 + 2 − 7 = 1: none before, 1 after
        #expect([c.outputHeight, c.outputWidth, c.paddingTop, c.paddingLeft] as [Int] == [3, 3, 0, 0])
        let d = try layer(32, 32, k: 4, s: 2)
        #expect([d.outputHeight, d.outputWidth, d.paddingTop, d.paddingLeft] as [Int] == [16, 16, 1, 1])
        let e = try layer(3, 3, k: 5, s: 1)      // total 4: 2 and 2
        #expect([e.outputHeight, e.paddingTop] as [Int] == [3, 2])
    }

    /// A 3×3 image 1…9, a 2×2 kernel [[1, 2], [3, 4]], stride 2, bias 0.5: 'same' gives 2×2
    /// outputs and pads one row and one column after the image, so
    /// y = [1·1+2·2+4·3+5·4, 3·1+6·3, 7·1+8·2, 9·1] + 0.5. And a 1×2 image of 2 channels with a
    /// 1×1 kernel of 3 filters: the channel layout.
    @Test func forwardMatchesHandComputation() throws {
        let layer = try ConvolutionalNetwork<Float>.Layer(inputHeight: 3, inputWidth: 3, inputChannels: 1, filters: 1, kernelSize: 2, stride: 2,
                                                          activation: .linear, kernel: [1, 2, 3, 4], bias: [0.5])
        let net = try ConvolutionalNetwork(inputShape: [3, 3, 1], layers: [layer])
        #expect(net.outputShape == [2, 2, 1])
        let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, /* a second image */ -1, -2, -3, -4, -5, -6, -7, -8, -9]
        #expect(net.apply(x, rows: 2) == [37.5, 21.5, 23.5, 9.5, -36.5, -20.5, -22.5, -8.5])
        let relu = try ConvolutionalNetwork<Float>(inputShape: [3, 3, 1], layers: [
            .init(inputHeight: 3, inputWidth: 3, inputChannels: 1, filters: 1, kernelSize: 2, stride: 2, activation: .relu, kernel: [1, 2, 3, 4], bias: [0.5]),
        ])
        #expect(relu.apply(x, rows: 2) == [37.5, 21.5, 23.5, 9.5, 0, 0, 0, 0])
        // kernel [1, 1, 2, 3]: y[p, o] = x[p, 0]·K[0, o] + x[p, 1]·K[1, o] + b[o].
        let channels = try ConvolutionalNetwork<Float>(inputShape: [1, 2, 2], layers: [
            .init(inputHeight: 1, inputWidth: 2, inputChannels: 2, filters: 3, kernelSize: 1, stride: 1, activation: .linear,
                  kernel: [1, 10, 100, 2, 20, 200], bias: [0, 0, 1000]),
        ])
        #expect(channels.apply([1, 2, 3, 4], rows: 1) == [5, 50, 1500, 11, 110, 2100])
    }

    /// scripts/fixtures/detectors_conv_autoencoder.py: Keras' Conv2D (padding 'same', float64)
    /// outputs and the gradients of Σ g·y for kernel, bias and input, inputs named by LCG specs.
    struct KerasFixture: Decodable {
        struct Case: Decodable, CustomTestStringConvertible {
            var name: String
            var images: Int, height: Int, width: Int, channels: Int, filters: Int, kernel_size: Int, strides: Int
            var activation: NetworkActivation
            var x: DataSpec, kernel: DataSpec, bias: DataSpec, g: DataSpec
            var y: [Double], d_kernel: [Double], d_bias: [Double], d_x: [Double]
            var testDescription: String { name }
        }
        var cases: [Case]
    }

    static let kerasCases: [KerasFixture.Case] = (try? loadFixture("conv_layer", as: KerasFixture.self).cases) ?? []

    /// Our Double layer against Keras float64: outputs and all three gradients agree to a relative
    /// 1e-12 of the case's largest magnitude (the sums are the same up to order; float64 rounding
    /// of a few hundred terms is ~1e-14). The Float layer's outputs agree to 1e-5.
    @Test(arguments: kerasCases)
    func matchesKerasConv2D(_ c: KerasFixture.Case) throws {
        let layer = try ConvolutionalNetwork<Double>.Layer(
            inputHeight: c.height, inputWidth: c.width, inputChannels: c.channels, filters: c.filters, kernelSize: c.kernel_size,
            stride: c.strides, activation: c.activation, kernel: c.kernel.matrix().scalars, bias: c.bias.matrix().scalars)
        let net = try ConvolutionalNetwork(inputShape: [c.height, c.width, c.channels], layers: [layer])
        var trainer = ConvolutionalTrainer(network: net, batchCapacity: c.images)
        let x = c.x.matrix().scalars
        trainer.forward(x, rows: c.images, pool: nil, parallelWork: .max)
        func close(_ ours: [Double], _ theirs: [Double], _ what: String) {
            #expect(ours.count == theirs.count, "\(c.name) \(what): \(ours.count) values, Keras \(theirs.count)")
            let scale = max(theirs.map(abs).max() ?? 0, 1e-300)
            let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? 0
            #expect(worst <= 1e-12 * scale, "\(c.name) \(what): worst difference \(worst), scale \(scale)")
        }
        close(Array(trainer.output.prefix(c.images * net.outputCount)), c.y, "y")
        var g = trainer.takeOutputGradient()
        let seeds = c.g.matrix().scalars
        for i in seeds.indices { g[i] = seeds[i] }
        trainer.restoreOutputGradient(g)
        var dx = [Double](repeating: .nan, count: c.images * net.inputCount)
        trainer.backward(input: x, rows: c.images, inputGradient: &dx, computeInputGradient: true, pool: nil, parallelWork: .max)
        close(trainer.kernelGradients[0], c.d_kernel, "∂kernel")
        close(trainer.biasGradients[0], c.d_bias, "∂bias")
        close(dx, c.d_x, "∂x")
        // The Float layer (weights and inputs rounded to float32) within float32 rounding.
        let single = try ConvolutionalNetwork<Float>(inputShape: net.inputShape, layers: [
            .init(inputHeight: c.height, inputWidth: c.width, inputChannels: c.channels, filters: c.filters, kernelSize: c.kernel_size,
                  stride: c.strides, activation: c.activation, kernel: layer.kernel.map(Float.init), bias: layer.bias.map(Float.init)),
        ])
        let y32 = single.apply(x.map(Float.init), rows: c.images)
        let scale = c.y.map(abs).max() ?? 1
        for (a, b) in zip(y32, c.y) { #expect(abs(Double(a) - b) <= 1e-5 * scale, "\(c.name) float32: \(a) vs \(b)") }
    }

    @Test func kerasFixtureIsPresent() {
        #expect(Self.kerasCases.count == 6)
    }

    // MARK: Gradients

    struct GradientCase: Sendable, CustomTestStringConvertible {
        var shape: [Int], filters: [Int], kernel: Int, stride: Int, activations: [NetworkActivation]
        var testDescription: String { "\(shape) filters \(filters) k\(kernel) s\(stride) \(activations.map(\.rawValue))" }
    }

    static let gradientCases: [GradientCase] = [
        // Stride 2 on odd sides: pads 1 before and 2 after in both directions; then 3×4 → 2×2.
        .init(shape: [5, 7, 3], filters: [4, 3], kernel: 4, stride: 2, activations: [.relu, .linear]),
        // Stride 1 with an even kernel: pads 1 before and 2 after.
        .init(shape: [5, 6, 2], filters: [3, 2], kernel: 4, stride: 1, activations: [.sigmoid, .relu]),
        // An odd kernel, stride 2 then 2 again on a 7×5 image.
        .init(shape: [7, 5, 2], filters: [3, 4], kernel: 3, stride: 2, activations: [.relu, .sigmoid]),
    ]

    /// The layer's kernel, bias and input gradients against central differences (Double, step
    /// 1e-6, relative tolerance 1e-6 with 1e-8 absolute near 0; see
    /// `AutoencoderOutlierTests.checkGradients`) for the loss `Σ g·y + ½Σ y²` of a two-layer
    /// stack, 3 images in a batch of capacity 4.
    @Test(arguments: gradientCases)
    func convolutionGradientsMatchFiniteDifferences(_ c: GradientCase) {
        let net: ConvolutionalNetwork<Double> = Self.network(shape: c.shape, filters: c.filters, kernel: c.kernel, stride: c.stride,
                                                              activations: c.activations, seed: 21)
        let rows = 3
        var rng = SeededGenerator(seed: 22)
        let x = (0..<(rows * net.inputCount)).map { _ in rng.uniform(in: -1..<1) }
        let g = (0..<(rows * net.outputCount)).map { _ in rng.uniform(in: -1..<1) }
        var trainer = ConvolutionalTrainer(network: net, batchCapacity: 4)
        let layerCount = net.layers.count
        func loss(_ p: [[Double]]) -> Double {
            var t = trainer
            t.parameters = Array(p[0..<(2 * layerCount)])
            t.forward(p[2 * layerCount], rows: rows, pool: nil, parallelWork: .max)
            var sum = 0.0
            for i in 0..<(rows * net.outputCount) { sum += g[i] * t.output[i] + 0.5 * t.output[i] * t.output[i] }
            return sum
        }
        trainer.forward(x, rows: rows, pool: nil, parallelWork: .max)
        let y = trainer.output
        var dy = trainer.takeOutputGradient()
        for i in 0..<(rows * net.outputCount) { dy[i] = g[i] + y[i] }
        trainer.restoreOutputGradient(dy)
        var dx = [Double](repeating: .nan, count: rows * net.inputCount)
        trainer.backward(input: x, rows: rows, inputGradient: &dx, computeInputGradient: true, pool: nil, parallelWork: .max)
        Base.checkGradients(parameters: trainer.parameters + [x], analytic: trainer.parameterGradients + [dx], loss: loss,
                            label: c.testDescription)
    }

    /// The whole autoencoder with a convolution (5×5×2 → conv 3 filters, k 3, s 2 → 3·3·3 → 4 →
    /// 2 → 4 → 50): the MSE gradients of every parameter, convolution included.
    @Test func convolutionalAutoencoderGradientsMatchFiniteDifferences() {
        let conv: ConvolutionalNetwork<Double> = Self.network(shape: [5, 5, 2], filters: [3], kernel: 3, stride: 2, activations: [.relu], seed: 31)
        let root = SeededGenerator(seed: 32)
        let encoder = DenseNetwork<Double>.glorotUniform(widths: [conv.outputCount, 4, 2], activations: [.relu, .linear], generator: root.child("e"))
        let decoder = DenseNetwork<Double>.glorotUniform(widths: [2, 4, 50], activations: [.relu, .sigmoid], generator: root.child("d"))
        var trainer = AutoencoderTrainer(convolution: conv, encoder: encoder, decoder: decoder, batchCapacity: 4, learningRate: 1e-3)
        var rng = root.child("data")
        let batch = (0..<(3 * 50)).map { _ in rng.uniform(in: 0..<1) }
        let params = trainer.parameters
        func loss(_ p: [[Double]]) -> Double {
            var t = trainer
            t.parameters = p
            return t.computeGradients(batch, rows: 3, pool: nil, parallelWork: .max)
        }
        _ = trainer.computeGradients(batch, rows: 3, pool: nil, parallelWork: .max)
        #expect(trainer.parameterGradients.count == 2 + 4 + 4)
        Base.checkGradients(parameters: params, analytic: trainer.parameterGradients, loss: loss, label: "conv AE")
    }

    /// The VAE's ELBO with a convolution (two layers, stride 2 then 1), with and without dense
    /// hidden layers between it and the heads.
    @Test(arguments: [[Int](), [5]])
    func convolutionalVAEGradientsMatchFiniteDifferences(hidden: [Int]) {
        let conv: ConvolutionalNetwork<Double> = Self.network(shape: [5, 4, 1], filters: [2, 3], kernel: 3, stride: 2, activations: [.relu, .relu], seed: 41)
        let root = SeededGenerator(seed: 42)
        let encoder = DenseNetwork<Double>.glorotUniform(widths: [conv.outputCount] + hidden, activations: hidden.map { _ in .relu }, generator: root.child("e"))
        var r1 = root.child("m"), r2 = root.child("v")
        let top = hidden.last ?? conv.outputCount
        let mean = DenseNetwork<Double>.Layer(glorotUniformInputs: top, outputs: 3, activation: .linear, rng: &r1)
        let logVar = DenseNetwork<Double>.Layer(glorotUniformInputs: top, outputs: 3, activation: .linear, rng: &r2)
        let decoder = DenseNetwork<Double>.glorotUniform(widths: [3, 4, 20], activations: [.relu, .linear], generator: root.child("d"))
        var trainer = VAETrainer(convolution: conv, encoder: encoder, mean: mean, logVariance: logVar, decoder: decoder,
                                 batchCapacity: 3, learningRate: 1e-3, beta: 0.7, scale: 0.5)
        var rng = root.child("data")
        let batch = (0..<(3 * 20)).map { _ in rng.uniform(in: 0..<1) }
        trainer.drawEpsilon(rows: 3, rng: &rng)
        let params = trainer.parameters
        func loss(_ p: [[Double]]) -> Double {
            var t = trainer
            t.parameters = p
            return t.computeGradients(batch, rows: 3, pool: nil, parallelWork: .max)
        }
        _ = trainer.computeGradients(batch, rows: 3, pool: nil, parallelWork: .max)
        Base.checkGradients(parameters: params, analytic: trainer.parameterGradients, loss: loss, label: "conv VAE hidden \(hidden)")
    }

    // MARK: Training and ranking

    static let digitShape = ConvolutionalEncoder(shape: [8, 8, 1], filters: [8, 16])

    /// A conv autoencoder on 8×8 smooth images: the loss falls, noisy images score above clean
    /// ones (AUC > 0.9), and the reconstruction of clean images is good.
    @Test func convolutionalAutoencoderTrainsAndRanksNoisyImagesHigher() throws {
        let train = Base.blobs(300, side: 8, seed: 1)
        var losses: [Double] = []
        var rng = SeededGenerator(seed: 5)
        let ae = try AutoencoderOutlier.train(x: train, hidden: [32], latent: 6, convolution: Self.digitShape, epochs: 25, batchSize: 32,
                                              learningRate: 3e-3, rng: &rng, pool: nil) { _, loss in losses.append(loss) }
        #expect(ae.convolution?.outputShape == [2, 2, 16])
        #expect(ae.encoder.inputCount == 64 && ae.featureCount == 64 && ae.decoder.outputCount == 64)
        #expect(losses.count == 25)
        #expect(losses.last! < 0.2 * losses.first!, "loss \(losses.first!) → \(losses.last!)")
        let clean = Base.blobs(100, side: 8, seed: 2)
        let dirty = Base.noisy(clean, sd: 0.15, seed: 3)
        let sc = try ae.score(clean, pool: nil).instance
        let sd = try ae.score(dirty, pool: nil).instance
        let auc = Base.auc(positives: sd, negatives: sc)
        #expect(auc > 0.9, "AUC \(auc)")
        let meanClean = sc.reduce(0, +) / 100
        let variance = clean.scalars.map { $0 * $0 }.reduce(0, +) / Double(clean.scalars.count)
        #expect(meanClean < 0.1 * variance, "reconstruction MSE \(meanClean) vs mean square \(variance)")
    }

    @Test func convolutionalVAETrainsAndRanksNoisyImagesHigher() throws {
        let train = Base.blobs(300, side: 8, seed: 1)
        var losses: [Double] = []
        var rng = SeededGenerator(seed: 6)
        let vae = try VAEOutlier.train(x: train, hidden: [32], latent: 6, outputActivation: .sigmoid, convolution: Self.digitShape,
                                       epochs: 25, batchSize: 32, learningRate: 3e-3, rng: &rng, pool: nil) { _, loss in losses.append(loss) }
        #expect(losses.last! < losses.first! - 10, "loss \(losses.first!) → \(losses.last!)")
        let clean = Base.blobs(100, side: 8, seed: 2)
        let dirty = Base.noisy(clean, sd: 0.2, seed: 3)
        var srng = SeededGenerator(seed: 9)
        let sc = try vae.score(clean, samples: 3, rng: &srng, pool: nil).instance
        let sd = try vae.score(dirty, samples: 3, rng: &srng, pool: nil).instance
        let auc = Base.auc(positives: sd, negatives: sc)
        #expect(auc > 0.9, "AUC \(auc)")
    }

    // MARK: Determinism

    /// Same seed, same bytes; every product on a pool of 1 or 4 threads gives the same bytes;
    /// another seed differs. Pinned, so debug and release builds must agree.
    @Test func convolutionalTrainingIsDeterministic() throws {
        let x = Base.blobs(90, side: 8, seed: 4)
        let conv = ConvolutionalEncoder(shape: [8, 8, 1], filters: [4, 6], kernel: 3, stride: 2)
        func train(seed: UInt64, pool: BlockPool?, parallelWork: Int) throws -> AutoencoderOutlier {
            try AutoencoderOutlier.train(x: x, hidden: [12], latent: 3, outputActivation: .linear, convolution: conv, epochs: 2, batchSize: 16,
                                         learningRate: 1e-3, rng: SeededGenerator(seed: seed), pool: pool, parallelWork: parallelWork, progress: nil)
        }
        let a = try train(seed: 1, pool: nil, parallelWork: .max)
        #expect(try Base.json(a) == Base.json(try train(seed: 1, pool: nil, parallelWork: .max)))
        // A change here changes every trained conv detector: bump AutoencoderOutlier.version.
        #expect(Self.fingerprint(Self.weights(a)) == 0x20d1_fef0_55b9_6411)
        let one = try BlockPool.withPool(threadCount: 1) { p in try train(seed: 1, pool: p, parallelWork: 0) }
        let four = try BlockPool.withPool(threadCount: 4) { p in try train(seed: 1, pool: p, parallelWork: 0) }
        #expect(try Base.json(one) == Base.json(a))
        #expect(try Base.json(four) == Base.json(a))
        #expect(try Base.json(train(seed: 2, pool: nil, parallelWork: .max)) != Base.json(a))
        // The public entry point with a pool (default parallelWork) gives the same bits.
        var rng = SeededGenerator(seed: 1)
        let viaPublic = try BlockPool.withPool(threadCount: 4) { p in
            try AutoencoderOutlier.train(x: x, hidden: [12], latent: 3, convolution: conv, epochs: 2, batchSize: 16, rng: &rng, pool: p)
        }
        #expect(viaPublic == a)
    }

    @Test func convolutionalVAETrainingIsDeterministic() throws {
        let x = Base.blobs(90, side: 8, seed: 4)
        let conv = ConvolutionalEncoder(shape: [8, 8, 1], filters: [4], kernel: 4, stride: 2)
        func train(seed: UInt64, pool: BlockPool?, parallelWork: Int) throws -> VAEOutlier {
            try VAEOutlier.train(x: x, hidden: [], latent: 3, outputActivation: .sigmoid, convolution: conv, beta: 1, reconstructionScale: 0.05,
                                 epochs: 2, batchSize: 16, learningRate: 1e-3, rng: SeededGenerator(seed: seed), pool: pool, parallelWork: parallelWork, progress: nil)
        }
        let a = try train(seed: 1, pool: nil, parallelWork: .max)
        #expect(a.mean.inputCount == 4 * 4 * 4)
        #expect(try Base.json(a) == Base.json(try train(seed: 1, pool: nil, parallelWork: .max)))
        #expect(Self.fingerprint(Self.weights(a)) == 0x96bd_07a4_b980_726b)
        let one = try BlockPool.withPool(threadCount: 1) { p in try train(seed: 1, pool: p, parallelWork: 0) }
        let four = try BlockPool.withPool(threadCount: 4) { p in try train(seed: 1, pool: p, parallelWork: 0) }
        #expect(try Base.json(one) == Base.json(a))
        #expect(try Base.json(four) == Base.json(a))
        var r1 = SeededGenerator(seed: 5), r2 = SeededGenerator(seed: 5)
        let s1 = try a.score(x, samples: 3, rng: &r1, pool: nil)
        let s2 = try BlockPool.withPool(threadCount: 4) { p in try a.score(x, samples: 3, rng: &r2, pool: p) }
        #expect(s1.instance == s2.instance && s1.feature == s2.feature)
    }

    // MARK: Storage

    /// Conv detectors round-trip through JSON and score identically, serially and on a pool.
    @Test func storedConvolutionalDetectorsScoreIdentically() throws {
        let x = Base.blobs(120, side: 8, seed: 7)
        var rng = SeededGenerator(seed: 3)
        var ae = try AutoencoderOutlier.train(x: x, hidden: [8], latent: 3, convolution: .init(shape: [8, 8, 1], filters: [4]), epochs: 2, rng: &rng, pool: nil)
        try ae.inferThreshold(x, pool: nil)
        let bytes = try Base.json(ae)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("\"convolution\":{\"input_shape\":[8,8,1],\"layers\":[{\"activation\":\"relu\""))
        let back = try JSONDecoder().decode(AutoencoderOutlier.self, from: bytes)
        #expect(back == ae)
        #expect(try Base.json(back) == bytes)
        #expect(back.convolution?.configuration == ConvolutionalEncoder(shape: [8, 8, 1], filters: [4], kernel: 4, stride: 2))
        let serial = try ae.score(x, outlierPercent: 50, pool: nil)
        let pooled = try BlockPool.withPool(threadCount: 4) { p in try back.score(x, outlierPercent: 50, pool: p) }
        #expect(serial.instance == pooled.instance && serial.feature == pooled.feature)
        #expect(try ae.predict(x, pool: nil).isOutlier.reduce(0, +) == 6)   // strict >, 95th percentile of 120

        var vae = try VAEOutlier.train(x: x, hidden: [8], latent: 3, convolution: .init(shape: [8, 8, 1], filters: [4, 4]), epochs: 2, rng: &rng, pool: nil)
        vae.samples = 2
        var t1 = SeededGenerator(seed: 8)
        try vae.inferThreshold(x, rng: &t1, pool: nil)
        let vaeBack = try JSONDecoder().decode(VAEOutlier.self, from: Base.json(vae))
        #expect(vaeBack == vae)
        var r1 = SeededGenerator(seed: 4), r2 = SeededGenerator(seed: 4)
        #expect(try vae.score(x, rng: &r1, pool: nil).instance == vaeBack.score(x, rng: &r2, pool: nil).instance)

        // A stored conv detector whose layers do not chain is refused when decoded.
        let broken = text.replacingOccurrences(of: "\"input_shape\":[8,8,1]", with: "\"input_shape\":[8,7,1]")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AutoencoderOutlier.self, from: Data(broken.utf8)) }
    }

    /// Detectors stored before convolutions existed (no `convolution` key) decode as dense ones
    /// and encode to the very same bytes.
    @Test func storedDenseDetectorsStillDecode() throws {
        let aeJSON = #"{"decoder":{"input_count":1,"layers":[{"activation":"linear","bias":[0.5,-0.25],"inputs":1,"kernel":[1,2],"outputs":2}]},"encoder":{"input_count":2,"layers":[{"activation":"linear","bias":[0.125],"inputs":2,"kernel":[0.5,-1],"outputs":1}]},"outlier_perc":100,"threshold":0.75}"#
        let ae = try JSONDecoder().decode(AutoencoderOutlier.self, from: Data(aeJSON.utf8))
        #expect(ae.convolution == nil && ae.featureCount == 2 && ae.threshold == 0.75)
        #expect(String(decoding: try Base.json(ae), as: UTF8.self) == aeJSON)
        // x = (1, 2): code 0.5 − 2 + 0.125 = −1.375; x̂ = (−0.875, −3); scores (1.875², 5²).
        let s = try ae.score(Tensor(shape: [1, 2], scalars: [1, 2]), pool: nil)
        #expect(s.feature == [[1.875 * 1.875, 25]])

        let vaeJSON = #"{"beta":1,"cov_elbo_sim":0.05,"decoder":{"input_count":1,"layers":[{"activation":"sigmoid","bias":[0,0],"inputs":1,"kernel":[1,-1],"outputs":2}]},"encoder":{"input_count":2,"layers":[]},"log_variance":{"activation":"linear","bias":[-2],"inputs":2,"kernel":[0,0],"outputs":1},"mean":{"activation":"linear","bias":[0],"inputs":2,"kernel":[1,1],"outputs":1},"outlier_perc":100,"samples":4,"threshold":null}"#
        let vae = try JSONDecoder().decode(VAEOutlier.self, from: Data(vaeJSON.utf8))
        #expect(vae.convolution == nil && vae.featureCount == 2 && vae.samples == 4 && vae.threshold == nil)
        #expect(String(decoding: try Base.json(vae), as: UTF8.self) == vaeJSON)
    }

    // MARK: Bad input

    @Test func badConvolutionParametersAreRejectedWithAClearError() throws {
        let x = Base.blobs(10, side: 4, seed: 1)   // 16 features
        var rng = SeededGenerator(seed: 1)
        func aeError(_ conv: ConvolutionalEncoder) -> String? {
            do {
                _ = try AutoencoderOutlier.train(x: x, hidden: [4], latent: 2, convolution: conv, epochs: 1, rng: &rng, pool: nil)
                return nil
            } catch { return error.description }
        }
        func vaeError(_ conv: ConvolutionalEncoder) -> String? {
            do {
                _ = try VAEOutlier.train(x: x, hidden: [4], latent: 2, convolution: conv, epochs: 1, rng: &rng, pool: nil)
                return nil
            } catch { return error.description }
        }
        let wrongProduct = ConvolutionalEncoder(shape: [4, 4, 3], filters: [2])
        let expected = "parameter convolution.shape: [4, 4, 3] holds 48 values per image but the rows have 16 features. Pass [height, width, channels] with height·width·channels equal to the number of features (rows are images flattened height, width, channel)."
        #expect(aeError(wrongProduct) == expected)
        #expect(vaeError(wrongProduct) == expected)
        let cases: [(ConvolutionalEncoder, String)] = [
            (.init(shape: [4, 4], filters: [2]), "parameter convolution.shape: [4, 4] is not [height, width, channels]"),
            (.init(shape: [4, 0, 4], filters: [2]), "parameter convolution.shape: [4, 0, 4] is not [height, width, channels]"),
            (.init(shape: [4, 4, 1], filters: []), "parameter convolution.filters: is empty."),
            (.init(shape: [4, 4, 1], filters: [2, 0]), "parameter convolution.filters: filter count 0 is below 1."),
            (.init(shape: [4, 4, 1], filters: [2], kernel: 0), "parameter convolution.kernel_size: 0 is below 1."),
            (.init(shape: [4, 4, 1], filters: [2], stride: -1), "parameter convolution.strides: -1 is below 1."),
        ]
        for (conv, prefix) in cases {
            let ae = aeError(conv), vae = vaeError(conv)
            #expect(ae?.hasPrefix(prefix) == true, "\(conv): \(String(describing: ae))")
            #expect(vae?.hasPrefix(prefix) == true, "\(conv): \(String(describing: vae))")
        }
        // A configuration that fits trains; scoring other data names the feature count.
        let ae = try AutoencoderOutlier.train(x: x, hidden: [4], latent: 2, convolution: .init(shape: [4, 4, 1], filters: [2]), epochs: 1, rng: &rng, pool: nil)
        do {
            _ = try ae.score(Base.blobs(2, side: 3, seed: 2), pool: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "input: has 9 features per row, the detector was trained on 16. Pass data with the training data's features, in the same order.")
        }
        // The configuration decodes with Keras' defaults.
        let decoded = try JSONDecoder().decode(ConvolutionalEncoder.self, from: Data(#"{"shape":[8,8,1],"filters":[16,32]}"#.utf8))
        #expect(decoded == ConvolutionalEncoder(shape: [8, 8, 1], filters: [16, 32], kernel: 4, stride: 2))
        #expect(String(decoding: try Base.json(decoded), as: UTF8.self) == #"{"filters":[16,32],"kernel_size":4,"shape":[8,8,1],"strides":2}"#)
        // Networks that do not chain are refused.
        #expect(throws: DetectorError.self) {
            try ConvolutionalNetwork<Float>(inputShape: [4, 4, 1], layers: [])
        }
        #expect(throws: DetectorError.self) {
            // The encoder takes 16 features, the convolution gives 2·2·2.
            try AutoencoderOutlier(convolution: ae.convolution, encoder: .glorotUniform(widths: [16, 2], activations: [.linear], generator: rng),
                                   decoder: ae.decoder)
        }
    }

    // MARK: Timing

    /// Training time per epoch, printed (release builds: `ASSAY_AE_TIMING=1`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["ASSAY_AE_TIMING"] != nil))
    func timing() throws {
        let digits = Base.blobs(1797, side: 8, seed: 1)
        var pixels: [Double] = []
        var prng = SeededGenerator(seed: 2)
        for _ in 0..<(1000 * 32 * 32 * 3) { pixels.append(prng.uniform()) }
        let images = try Tensor(shape: [1000, 32 * 32 * 3], scalars: pixels)
        for pool in [nil, BlockPool(threadCount: 2)] {
            pool?.start()
            defer { pool?.shutdown() }
            var rng = SeededGenerator(seed: 1)
            let clock = ContinuousClock()
            var start = clock.now
            _ = try AutoencoderOutlier.train(x: digits, hidden: [32], latent: 8, convolution: .init(shape: [8, 8, 1], filters: [16, 32]),
                                             epochs: 5, rng: &rng, pool: pool)
            print("conv AE 1797×8×8×1, conv [16, 32] k4 s2 → 32 → 8, batch 64: \((clock.now - start) / 5) per epoch, pool \(pool?.threadCount ?? 0)")
            start = clock.now
            _ = try VAEOutlier.train(x: digits, hidden: [32], latent: 8, convolution: .init(shape: [8, 8, 1], filters: [16, 32]),
                                     epochs: 5, rng: &rng, pool: pool)
            print("conv VAE same: \((clock.now - start) / 5) per epoch")
            start = clock.now
            _ = try AutoencoderOutlier.train(x: images, hidden: [64], latent: 16, convolution: .init(shape: [32, 32, 3], filters: [16, 32]),
                                             epochs: 1, rng: &rng, pool: pool)
            print("conv AE 1000×32×32×3, conv [16, 32] k4 s2 → 64 → 16, batch 64: \(clock.now - start) per epoch, pool \(pool?.threadCount ?? 0)")
        }
    }
}
