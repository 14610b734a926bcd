import AssayNumerics
import Testing
@testable import AssayModels

/// The `.onnx` files of `Fixtures/nn` (two ResNet-style CNNs and the digits MLP) loaded by
/// ``ONNXModel`` and run by ``InferenceSession`` — the path `assay predict` takes — against
/// ONNX Runtime's probabilities: 1e-5 absolute, largest difference below 1e-6.
@Suite struct ONNXWholeModelTests {
    @Test(arguments: ["cnn_digits", "cnn_cifar", "mlp_digits"])
    func loadedModelMatchesOnnxRuntime(_ name: String) throws {
        let model = try ONNXModel(data: try NeuralNetworkFixture.data(name, "onnx"))
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let session = try InferenceSession(model: model)
        #expect(model.inputs.count == 1)
        for c in file.cases {
            let x = try c.input.tensor(), expected = try c.output.tensor()
            let outputs = try session.run(inputs: [model.inputs[0].name: x])
            let y = try #require(outputs.first { $0.name == file.output }?.value.tensor)
            #expect(y.shape == expected.shape)
            let a = try #require(y.floats), e = try #require(expected.floats)
            let worst = zip(a, e).map { abs($0 - $1) }.max() ?? 0
            #expect(worst < 1e-6, "\(name) batch \(x.shape[0]): largest difference \(worst)")
        }
    }

    /// Same output bytes with no pool and 1, 2 and 8 threads.
    @Test(arguments: ["cnn_digits", "cnn_cifar"])
    func deterministicAcrossThreadCounts(_ name: String) throws {
        let model = try ONNXModel(data: try NeuralNetworkFixture.data(name, "onnx"))
        let session = try InferenceSession(model: model)
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let sample = try #require(file.cases.first).input
        let shape = [name == "cnn_cifar" ? 6 : 50] + sample.shape.dropFirst()
        var rng = SeededGenerator(seed: 11)
        let x = ModelTensor(float: (0..<shape.reduce(1, *)).map { _ in Float(rng.uniform(in: 0..<1)) }, shape: shape)
        let input = [model.inputs[0].name: x]
        let serial = try session.run(inputs: input).map { $0.value.tensor?.floats?.map(\.bitPattern) }
        for threads in [1, 2, 8] {
            let parallel = try BlockPool.withPool(threadCount: threads) { pool in try session.run(inputs: input, pool: pool) }
            #expect(parallel.map { $0.value.tensor?.floats?.map(\.bitPattern) } == serial, "\(name) with \(threads) threads")
        }
    }

    /// Golden output bits of the session path, which fuses each Conv with the
    /// BatchNormalization folded into its weights and bias (``NeuralNetworkOperators/foldBatchNormalization(conv:batchNorm:constants:)``)
    /// and the following Relu, so they differ from the node-by-node bits pinned in
    /// `GoldenOutputTests` (the MLP has nothing to fuse and keeps its bits). FNV-1a of the
    /// float32 bit patterns of the probabilities on the fixture inputs.
    static let sessionGolden: [String: String] = [
        "cnn_digits": "8c3d2dbb192d1056",
        "cnn_cifar": "c42bfc630e",
        "mlp_digits": "6706981500dd98ce",
    ]

    @Test(arguments: [("cnn_digits", 8), ("cnn_cifar", 13), ("mlp_digits", 0)])
    func fusedOutputBitsAreFixed(_ name: String, _ steps: Int) throws {
        let model = try ONNXModel(data: try NeuralNetworkFixture.data(name, "onnx"))
        let file = try NeuralNetworkFixture.load(name, as: NeuralNetworkFixture.ModelFile.self)
        let session = try InferenceSession(model: model)
        if steps > 0 { #expect(session.stepCount == steps, "\(name): every Conv → BatchNormalization (→ Relu) and Add → Relu runs as one step") }
        var all: [Float] = []
        for c in file.cases {
            let outputs = try session.run(inputs: [model.inputs[0].name: try c.input.tensor()])
            all += try #require(outputs.first { $0.name == file.output }?.value.tensor?.floats)
        }
        #expect(GoldenOutputTests.digest(all) == Self.sessionGolden[name], "\(name)")
    }
}
