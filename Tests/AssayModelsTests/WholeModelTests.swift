import AssayNumerics
import Testing
@testable import AssayModels

/// The models of `Fixtures/nn` — two ResNet-style CNNs (8×8×1 digits and 32×32×3 images) and an
/// MLP shaped like scikit-learn's digits MLPClassifier, built by `scripts/fixtures/models_nn.py` —
/// run end to end through ``TestGraph`` and compared with ONNX Runtime's probabilities.
///
/// Tolerance 1e-5 absolute on the probabilities; the largest differences reached with the FMA
/// kernels are 5.5e-11 (digits CNN), 1.8e-7 (32×32×3 CNN) and 1.2e-7 (MLP) (before FMA: 7e-11,
/// 3.0e-7, 8.3e-7), so the tests also require < 1e-6
/// (ONNX Runtime folds BatchNormalization into the convolutions and sums in another order).
@Suite struct WholeModelTests {
    @Test(arguments: ["cnn_digits", "cnn_cifar", "mlp_digits"])
    func matchesOnnxRuntime(_ name: String) throws {
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let graph = try file.graph()
        #expect(!file.cases.isEmpty)
        for c in file.cases {
            let x = try c.input.tensor(), expected = try c.output.tensor()
            let y = try graph.run(x)
            #expect(y.shape == expected.shape)
            let a = try #require(y.floats), e = try #require(expected.floats)
            let worst = NeuralNetworkOperatorTests.worst(a, e, absolute: 1e-5, relative: 0)
            #expect(worst.excess <= 0, "\(name) batch \(x.shape[0]): probability \(worst.index) is \(a[worst.index]), ONNX Runtime \(e[worst.index])")
            #expect(worst.maxAbs < 1e-6, "\(name): largest difference \(worst.maxAbs)")
        }
    }

    /// Same output bytes with no pool and 1, 2 and 8 threads, on a batch that the kernels cut
    /// into several blocks.
    @Test(arguments: [("cnn_digits", 40), ("cnn_cifar", 5), ("mlp_digits", 300)])
    func deterministicAcrossThreadCounts(_ name: String, _ batch: Int) throws {
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let graph = try file.graph()
        let sample = try #require(file.cases.first).input
        let shape = [batch] + sample.shape.dropFirst()
        var rng = SeededGenerator(seed: 3)
        let x = ModelTensor(float: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(in: 0..<1)) }, shape: shape)
        let serial = try #require(graph.run(x).floats).map(\.bitPattern)
        for threads in [1, 2, 8] {
            let parallel = try BlockPool.withPool(threadCount: threads) { pool in try graph.run(x, pool: pool) }
            #expect(try #require(parallel.floats).map(\.bitPattern) == serial, "\(name) with \(threads) threads")
        }
    }
}

/// Golden output bits: the FNV-1a hash of the float32 bit patterns of each model's
/// probabilities on the fixture inputs. Recorded from a debug build for AVX2+FMA (the default
/// on such hosts) and checked in a baseline x86-64 build (`ASSAY_TARGET_CPU=baseline`, where
/// the kernels' explicit FMAs are libm `fmaf` calls); a change here means the arithmetic of a
/// kernel changed. Regenerated once when the dot products and BatchNormalization moved to
/// explicit fused multiply–add.
@Suite struct GoldenOutputTests {
    static let golden: [String: String] = [
        "cnn_digits": "963785a4e3e3aa35",
        "cnn_cifar": "bf4b4f66384f2262",
        "mlp_digits": "6706981500dd98ce",
    ]

    static func digest(_ values: [Float]) -> String {
        String(values.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1.bitPattern)) &* 1_099_511_628_211 }, radix: 16)
    }

    @Test(arguments: ["cnn_digits", "cnn_cifar", "mlp_digits"])
    func outputBitsAreFixed(_ name: String) throws {
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let graph = try file.graph()
        var all: [Float] = []
        for c in file.cases { all += try #require(graph.run(try c.input.tensor()).floats) }
        #expect(Self.digest(all) == Self.golden[name], "\(name)")
    }
}
