import AssayNumerics
import Foundation
import Testing

/// ``UntrainedAutoencoder``: architectures and shapes, the forward pass against a naive
/// reference and against NumPy/SciPy (fixture `linalg_uae.json`), weights drawn exactly as
/// documented (cross-checked with the independent Python Philox), and the same bits with 1, 2
/// and 8 threads and in debug and release builds (pinned digests).
struct UntrainedAutoencoderTests {
    // MARK: Fixture

    struct File: Decodable {
        let generator: LinalgFixture.Generator
        let fixed: Fixed
        let seededConv: SeededConv
        let seededDense: SeededDense
        enum CodingKeys: String, CodingKey {
            case generator, fixed
            case seededConv = "seeded_conv"
            case seededDense = "seeded_dense"
        }
    }

    struct Layer: Decodable {
        let kind: String
        let kernel: LinalgFixture.Matrix
        let bias: [Double]
        let strides: Int?
        let activation: String
    }

    struct Fixed: Decodable {
        let inputShape: [Int]
        let layers: [Layer]
        let images: LinalgFixture.Matrix
        let exactFloat32: [String]
        let float64Scipy: LinalgFixture.Matrix
        enum CodingKeys: String, CodingKey {
            case layers, images
            case inputShape = "input_shape"
            case exactFloat32 = "exact_float32"
            case float64Scipy = "float64_scipy"
        }
    }

    struct SeededConv: Decodable {
        let seed: String
        let path: [String]
        let imageShape: [Int]
        let channels: [Int]
        let encodingDimension: Int
        let kernels: [[String]]
        let weightsDigest: String
        let images: LinalgFixture.Matrix
        let exactFloat32: [String]
        enum CodingKeys: String, CodingKey {
            case seed, path, channels, kernels, images
            case weightsDigest = "weights_digest"
            case imageShape = "image_shape"
            case encodingDimension = "encoding_dimension"
            case exactFloat32 = "exact_float32"
        }
    }

    struct SeededDense: Decodable {
        let seed: String
        let path: [String]
        let inputShape: [Int]
        let encodingDimension: Int
        let layerSizes: [Int]
        let kernels: [[String]]
        let weightsDigest: String
        let rows: LinalgFixture.Matrix
        let exactFloat32: [String]
        enum CodingKeys: String, CodingKey {
            case seed, path, kernels, rows
            case weightsDigest = "weights_digest"
            case inputShape = "input_shape"
            case encodingDimension = "encoding_dimension"
            case layerSizes = "layer_sizes"
            case exactFloat32 = "exact_float32"
        }
    }

    static func encoder(_ fixed: Fixed) throws -> UntrainedAutoencoder {
        var convs: [Conv2DLayer] = []
        var denses: [DenseLayer] = []
        for layer in fixed.layers {
            let activation = try #require(Activation(rawValue: layer.activation))
            let bias = layer.bias.map { Float($0) }
            if layer.kind == "conv" {
                convs.append(try Conv2DLayer(kernel: layer.kernel.float, bias: bias, strides: try #require(layer.strides),
                                             padding: .same, activation: activation))
            } else {
                denses.append(try DenseLayer(kernel: layer.kernel.float, bias: bias, activation: activation))
            }
        }
        return try UntrainedAutoencoder(inputShape: fixed.inputShape, convolutionLayers: convs, denseLayers: denses)
    }

    static func generator(_ seed: String, _ path: [String]) throws -> SeededGenerator {
        SeededGenerator(seed: try #require(UInt64(seed)), path: path)
    }

    @Test func fixedNetworkMatchesScipyAndTheInOrderReference() throws {
        let file = try LinalgFixture.load("linalg_uae", as: File.self)
        let uae = try Self.encoder(file.fixed)
        #expect(uae.encodingDimension == 3 && uae.inputWidth == 70)
        let z = try uae.encode(file.fixed.images.float)
        #expect(Linalg.bits(z.scalars) == file.fixed.exactFloat32.map { LinalgFixture.float($0).bitPattern })
        let ref = try file.fixed.float64Scipy.double
        #expect(z.shape == ref.shape)
        let scale = ref.scalars.map(abs).max() ?? 1
        for (a, b) in zip(z.scalars, ref.scalars) {
            #expect(abs(Double(a) - b) <= 1e-5 * scale, "\(a) vs \(b)")
        }
        // The naive loop in this file agrees too, bit for bit.
        #expect(Linalg.bits(naiveForward(uae, try file.fixed.images.float)) == Linalg.bits(z.scalars))
    }

    @Test func seededWeightsFollowTheDocumentedDraws() throws {
        let file = try LinalgFixture.load("linalg_uae", as: File.self)
        let c = file.seededConv
        let conv = try UntrainedAutoencoder.convolutional(
            imageShape: c.imageShape, encodingDimension: c.encodingDimension, channels: c.channels,
            generator: Self.generator(c.seed, c.path))
        let convKernels = conv.convolutionLayers.map(\.kernel) + conv.denseLayers.map(\.kernel)
        #expect(convKernels.map { Linalg.bits($0.scalars) } == c.kernels.map { $0.map { LinalgFixture.float($0).bitPattern } })
        #expect(Linalg.bits(try conv.encode(c.images.float).scalars) == c.exactFloat32.map { LinalgFixture.float($0).bitPattern })
        #expect(try conv.weightsDigest() == c.weightsDigest)

        let d = file.seededDense
        let dense = try UntrainedAutoencoder.dense(
            inputShape: d.inputShape, encodingDimension: d.encodingDimension, generator: Self.generator(d.seed, d.path))
        #expect(dense.denseLayers.map(\.outputCount) == d.layerSizes)
        #expect(dense.denseLayers.map { Linalg.bits($0.kernel.scalars) } == d.kernels.map { $0.map { LinalgFixture.float($0).bitPattern } })
        #expect(Linalg.bits(try dense.encode(d.rows.float).scalars) == d.exactFloat32.map { LinalgFixture.float($0).bitPattern })
        #expect(try dense.weightsDigest() == d.weightsDigest)
    }

    // MARK: Naive reference

    /// A direct NHWC convolution: TensorFlow's 'same' padding, taps in (ky, kx, c) order,
    /// padding skipped, then bias, then activation.
    func naiveConv(_ x: [Float], h: Int, w: Int, _ layer: Conv2DLayer) -> (out: [Float], h: Int, w: Int) {
        let k = layer.kernel, kh = k.shape[0], kw = k.shape[1], cin = k.shape[2], cout = k.shape[3], s = layer.strides
        let oh = Int((Double(h) / Double(s)).rounded(.up)), ow = Int((Double(w) / Double(s)).rounded(.up))
        let padTop = max((oh - 1) * s + kh - h, 0) / 2, padLeft = max((ow - 1) * s + kw - w, 0) / 2
        var out = [Float](repeating: 0, count: oh * ow * cout)
        for oy in 0..<oh {
            for ox in 0..<ow {
                for o in 0..<cout {
                    var acc: Float = 0
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            let iy = oy * s + ky - padTop, ix = ox * s + kx - padLeft
                            guard (0..<h).contains(iy), (0..<w).contains(ix) else { continue }
                            for c in 0..<cin {
                                acc += x[(iy * w + ix) * cin + c] * k.scalars[((ky * kw + kx) * cin + c) * cout + o]
                            }
                        }
                    }
                    let v = acc + layer.bias[o]
                    out[(oy * ow + ox) * cout + o] = layer.activation == .relu ? (v > 0 ? v : 0) : v
                }
            }
        }
        return (out, oh, ow)
    }

    func naiveForward(_ uae: UntrainedAutoencoder, _ x: Tensor<Float>) -> [Float] {
        var result: [Float] = []
        for i in 0..<x.rowCount {
            var cur = Array(x.row(i))
            if !uae.convolutionLayers.isEmpty {
                var h = uae.inputShape[0], w = uae.inputShape[1]
                for layer in uae.convolutionLayers { (cur, h, w) = naiveConv(cur, h: h, w: w, layer) }
            }
            for layer in uae.denseLayers {
                let n = layer.inputCount, m = layer.outputCount
                cur = (0..<m).map { j in
                    var acc: Float = 0
                    for t in 0..<n { acc += cur[t] * layer.kernel.scalars[t * m + j] }
                    let v = acc + layer.bias[j]
                    return layer.activation == .relu ? (v > 0 ? v : 0) : v
                }
            }
            result += cur
        }
        return result
    }

    static func images(_ n: Int, _ shape: [Int], seed: UInt64) -> Tensor<Float> {
        var rng = SeededGenerator(seed: seed).child("test.images")
        let count = shape.reduce(n, *)
        let values = (0..<count).map { _ in Float(rng.uniform()) }
        return (try? Tensor(shape: [n] + shape, scalars: values)) ?? Tensor(zeros: [n] + shape)
    }

    @Test(arguments: [[9, 7, 3], [8, 8, 1], [5, 6, 2], [1, 3, 1]])
    func convolutionalForwardEqualsTheNaiveReference(_ shape: [Int]) throws {
        let uae = try UntrainedAutoencoder.convolutional(
            imageShape: shape, encodingDimension: 6, channels: [4, 5],
            generator: SeededGenerator(seed: 3).child("test.uae"))
        let x = Self.images(21, shape, seed: 61)  // 21 rows: two blocks of 16, the second partial
        let z = try uae.encode(x)
        #expect(z.shape == [21, 6])
        #expect(Linalg.bits(z.scalars) == Linalg.bits(naiveForward(uae, x)))
    }

    @Test func denseForwardEqualsTheNaiveReference() throws {
        let uae = try UntrainedAutoencoder.dense(
            inputShape: [4, 4, 2], encodingDimension: 5, generator: SeededGenerator(seed: 4).child("test.uae"))
        let x = Self.images(19, [4, 4, 2], seed: 62)
        #expect(Linalg.bits(try uae.encode(x).scalars) == Linalg.bits(naiveForward(uae, x)))
    }

    // MARK: Architectures

    @Test func denseArchitectureFollowsAlibi() throws {
        let g = SeededGenerator(seed: 1)
        let uae = try UntrainedAutoencoder.dense(inputShape: [8, 8, 1], encodingDimension: 32, generator: g)
        // s = int((64 − 32) / 3) = 10: 52, 42, 32.
        #expect(uae.denseLayers.map(\.outputCount) == [52, 42, 32])
        #expect(uae.denseLayers.map(\.activation) == [.relu, .relu, .linear])
        #expect(uae.convolutionLayers.isEmpty && uae.inputWidth == 64 && uae.encodingDimension == 32)
        #expect(uae.denseLayers.allSatisfy { $0.bias.allSatisfy { $0 == 0 } })
        let limit = Float((6.0 / Double(64 + 52)).squareRoot())
        #expect(uae.denseLayers[0].kernel.scalars.allSatisfy { abs($0) <= limit })
        #expect(try uae.encode(Self.images(3, [8, 8, 1], seed: 63)).shape == [3, 32])
        // Encoding wider than the input: s < 0 but the layers still have units.
        let wide = try UntrainedAutoencoder.dense(inputShape: [10], encodingDimension: 16, generator: g)
        #expect(wide.denseLayers.map(\.outputCount) == [12, 14, 16])
        let tiny = try UntrainedAutoencoder.dense(inputShape: [2], encodingDimension: 40, generator: g)
        #expect(tiny.denseLayers.map(\.outputCount) == [16, 28, 40])  // s = int(−38 / 3) = −12
        #expect(throws: NumericsError.self) { try UntrainedAutoencoder.dense(inputShape: [4], encodingDimension: 0, generator: g) }
    }

    @Test func convolutionalArchitectureScalesTheSeedEncoder() throws {
        #expect(UntrainedAutoencoder.defaultChannels(height: 32, width: 32) == [64, 128, 512])
        #expect(UntrainedAutoencoder.defaultChannels(height: 16, width: 16) == [32, 64])
        #expect(UntrainedAutoencoder.defaultChannels(height: 8, width: 8) == [16])
        #expect(UntrainedAutoencoder.defaultChannels(height: 4, width: 4) == [16])
        #expect(UntrainedAutoencoder.defaultChannels(height: 28, width: 28) == [64, 128, 512])
        #expect(UntrainedAutoencoder.defaultChannels(height: 64, width: 48) == [64, 128, 512, 512])

        let g = SeededGenerator(seed: 0).child("preprocess.uae")
        let cifar = try UntrainedAutoencoder.convolutional(imageShape: [32, 32, 3], generator: g)
        #expect(cifar.convolutionLayers.map(\.kernel.shape) == [[4, 4, 3, 64], [4, 4, 64, 128], [4, 4, 128, 512]])
        #expect(cifar.convolutionLayers.allSatisfy { $0.strides == 2 && $0.padding == .same && $0.activation == .relu })
        #expect(cifar.denseLayers.map(\.kernel.shape) == [[4 * 4 * 512, 32]])
        #expect(cifar.denseLayers[0].activation == .linear)
        let small = try UntrainedAutoencoder.convolutional(imageShape: [8, 8, 1], encodingDimension: 8, generator: g)
        #expect(small.convolutionLayers.map(\.kernel.shape) == [[4, 4, 1, 16]])
        #expect(try small.encode(Self.images(5, [8, 8, 1], seed: 64)).shape == [5, 8])
        // Layer ℓ draws from child "layer.ℓ": the same stream whatever comes before it.
        var rng = g.child("layer.0")
        let first = Conv2DLayer(glorotUniformKernelSize: 4, inputChannels: 1, outputChannels: 16, strides: 2,
                                padding: .same, activation: .relu, rng: &rng)
        #expect(small.convolutionLayers[0] == first)
        #expect(throws: NumericsError.self) { try UntrainedAutoencoder.convolutional(imageShape: [8, 8], generator: g) }
        #expect(throws: NumericsError.self) {
            try UntrainedAutoencoder.convolutional(imageShape: [8, 8, 1], channels: [], generator: g)
        }
    }

    @Test func rejectsBadInputAndLayerChains() throws {
        let g = SeededGenerator(seed: 2)
        let uae = try UntrainedAutoencoder.convolutional(imageShape: [8, 8, 1], encodingDimension: 4, generator: g)
        #expect(throws: NumericsError.self) { try uae.encode(Self.images(2, [8, 8, 2], seed: 65)) }
        var x = Self.images(3, [8, 8, 1], seed: 66)
        x = try x.reshaped([3, 64])  // flattened rows are accepted
        #expect(try uae.encode(x).shape == [3, 4])
        var scalars = x.scalars
        scalars[64 + 10] = .nan
        #expect(throws: NumericsError.nonFinite(where: "UAE input row 1, offset 10")) {
            try uae.encode(Tensor(shape: [3, 64], scalars: scalars))
        }
        #expect(try uae.encode(Tensor<Float>(zeros: [0, 8, 8, 1])).shape == [0, 4])

        // A dense layer that does not fit the flattened convolution output.
        var rng = g
        let wrong = DenseLayer(glorotUniformInputs: 100, outputs: 4, activation: .linear, rng: &rng)
        #expect(throws: NumericsError.self) {
            try UntrainedAutoencoder(inputShape: [8, 8, 1], convolutionLayers: uae.convolutionLayers, denseLayers: [wrong])
        }
        #expect(throws: NumericsError.self) {
            try UntrainedAutoencoder(inputShape: [8, 8, 1], convolutionLayers: uae.convolutionLayers, denseLayers: [])
        }
        #expect(throws: NumericsError.self) {
            try UntrainedAutoencoder(inputShape: [64], convolutionLayers: uae.convolutionLayers, denseLayers: uae.denseLayers)
        }
        #expect(throws: NumericsError.self) {
            try Conv2DLayer(kernel: Tensor(zeros: [4, 4, 1, 2]), bias: [0], strides: 2, padding: .same, activation: .relu)
        }
        #expect(throws: NumericsError.self) {
            try Conv2DLayer(kernel: Tensor(zeros: [4, 4, 1, 2]), bias: [0, 0], strides: 0, padding: .same, activation: .relu)
        }
        #expect(throws: NumericsError.self) { try DenseLayer(kernel: Tensor(zeros: [3, 2]), bias: [0, .nan], activation: .relu) }
    }

    @Test func validPaddingShapes() throws {
        let layer = try Conv2DLayer(kernel: Tensor(zeros: [3, 3, 2, 1]), bias: [0], strides: 2, padding: .valid, activation: .linear)
        #expect(try layer.outputShape(forInput: [7, 8, 2]) == [3, 3, 1])
        #expect(throws: NumericsError.self) { try layer.outputShape(forInput: [2, 8, 2]) }
        let same = try Conv2DLayer(kernel: Tensor(zeros: [4, 4, 2, 3]), bias: [0, 0, 0], strides: 2, padding: .same, activation: .relu)
        #expect(try same.outputShape(forInput: [7, 5, 2]) == [4, 3, 3])
        #expect(try same.outputShape(forInput: [1, 1, 2]) == [1, 1, 3])
    }

    // MARK: Codable and digests

    @Test func roundTripsThroughJSONBitForBit() throws {
        let uae = try UntrainedAutoencoder.convolutional(
            imageShape: [16, 16, 3], encodingDimension: 8, generator: SeededGenerator(seed: 5).child("uae"))
        let data = try JSONEncoder().encode(uae)
        let back = try JSONDecoder().decode(UntrainedAutoencoder.self, from: data)
        #expect(back == uae)
        #expect(try back.weightsDigest() == uae.weightsDigest())
        let x = Self.images(4, [16, 16, 3], seed: 67)
        #expect(Linalg.bits(try back.encode(x).scalars) == Linalg.bits(try uae.encode(x).scalars))

        // A stored encoder is untrusted: a broken chain is a decoding error, not a crash.
        var object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["input_shape"] = [16, 16, 4]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(UntrainedAutoencoder.self, from: JSONSerialization.data(withJSONObject: object))
        }
        object["input_shape"] = [16, 16, 3]
        var conv = try #require((object["conv_layers"] as? [[String: Any]])?.first)
        conv["strides"] = Int.max
        object["conv_layers"] = [conv]
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(UntrainedAutoencoder.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    /// The output's fingerprint: FNV-1a of the Float bit patterns.
    static func fingerprint(_ z: Tensor<Float>) -> String {
        var h = FNV1a()
        for v in z.scalars { h.add(bigEndian: UInt64(v.bitPattern)) }
        return String(h.value, radix: 16)
    }

    /// Pinned values: the weights of this encoder and its output on these images must never
    /// change (they are recorded in detector artifacts). The same values hold in debug and
    /// release builds and with any thread count.
    @Test func pinnedWeightsAndEmbeddingWithOneTwoAndEightThreads() throws {
        let uae = try UntrainedAutoencoder.convolutional(
            imageShape: [16, 16, 3], encodingDimension: 32, generator: SeededGenerator(seed: 0).child("preprocess.uae"))
        let weights = try uae.weightsDigest()
        #expect(weights == Self.pinnedWeightsDigest)
        let x = Self.images(40, [16, 16, 3], seed: 68)
        let serial = try uae.encode(x)
        #expect(Self.fingerprint(serial) == Self.pinnedEmbeddingFingerprint)
        for threads in [1, 2, 8] {
            let z = try BlockPool.withPool(threadCount: threads) { pool throws in try uae.encode(x, pool: pool) }
            #expect(Linalg.bits(z.scalars) == Linalg.bits(serial.scalars), "threads: \(threads)")
        }
        let dense = try UntrainedAutoencoder.dense(
            inputShape: [8, 8, 1], encodingDimension: 32, generator: SeededGenerator(seed: 0).child("preprocess.uae"))
        let denseWeights = try dense.weightsDigest()
        #expect(denseWeights == Self.pinnedDenseWeightsDigest)
        let denseEmbedding = Self.fingerprint(try dense.encode(Self.images(40, [8, 8, 1], seed: 69)))
        #expect(denseEmbedding == Self.pinnedDenseEmbeddingFingerprint)
    }

    static let pinnedWeightsDigest = "sha256:4226c565b7a7b6d79c20c51dbd3cc83a9e15a39822050e23b708a13c1bd0ebd8"
    static let pinnedEmbeddingFingerprint = "31053aefc88a7aa5"
    static let pinnedDenseWeightsDigest = "sha256:8f307fe7df2edc9126b9fd1a2c5277ea7dc42e5fb35d36463a3c136ba9ae2eee"
    static let pinnedDenseEmbeddingFingerprint = "a3dfec8a07044c49"
}
