import AssayNumerics
import Foundation
import Testing
@testable import AssayModels

/// The session's Conv → BatchNormalization → Relu fusion: the Relu in the convolution's
/// epilogue gives the unfused bits exactly (direct and im2col paths), the folded
/// BatchNormalization stays within float rounding of the unfused nodes, nothing is fused when an
/// intermediate is a graph output, and errors name the Conv.
@Suite struct SessionFusionTests {
    typealias T = ProtoModelBuilder

    static func values(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(rng.uniform(in: -1..<1)) * scale }
    }

    /// Conv (3 → 5 channels, 3×3, pads 1, the given stride) optionally → BatchNormalization,
    /// → Relu; `exposed` names intermediates also declared as graph outputs (which blocks fusion).
    static func session(stride: Int64, batchNorm: Bool, exposed: [String] = []) throws -> InferenceSession {
        var nodes = [T.node("Conv", ["X", "W", "B"], ["c"], name: "conv",
                            [T.attribute("pads", ints: [1, 1, 1, 1]), T.attribute("strides", ints: [stride, stride])])]
        var initializers = [T.floatTensor("W", [5, 3, 3, 3], values(135, seed: 1)), T.floatTensor("B", [5], values(5, seed: 2))]
        if batchNorm {
            nodes.append(T.node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["n"], name: "bn"))
            initializers += [T.floatTensor("scale", [5], values(5, seed: 3, scale: 2)), T.floatTensor("shift", [5], values(5, seed: 4)),
                             T.floatTensor("mean", [5], values(5, seed: 5)), T.floatTensor("var", [5], values(5, seed: 6).map { $0 * $0 + 0.1 })]
        }
        nodes.append(T.node("Relu", [batchNorm ? "n" : "c"], ["Y"], name: "relu"))
        let proto = T.model(nodes: nodes, inputs: [T.tensorInfo("X", .float32, [nil, nil, nil, nil])],
                            outputs: [T.tensorInfo("Y", .float32, [nil, 5, nil, nil])]
                                + exposed.map { T.tensorInfo($0, .float32, [nil, 5, nil, nil]) },
                            initializers: initializers)
        return try InferenceSession(data: T.bytes(proto))
    }

    static let x = ModelTensor(float: values(2 * 3 * 11 * 13, seed: 9, scale: 3), shape: [2, 3, 11, 13])

    static func output(_ session: InferenceSession, pool: BlockPool? = nil) throws -> [Float] {
        let out = try session.run(inputs: ["X": x], pool: pool)
        return try #require(out.first { $0.name == "Y" }?.value.tensor?.floats)
    }

    /// Stride 1 and 2 take the direct kernel, stride 5 the im2col product.
    @Test(arguments: [Int64(1), 2, 5])
    func fusedReluGivesTheUnfusedBits(_ stride: Int64) throws {
        let fused = try Self.session(stride: stride, batchNorm: false)
        let unfused = try Self.session(stride: stride, batchNorm: false, exposed: ["c"])
        #expect(fused.stepCount == 1 && unfused.stepCount == 2)
        let y = try Self.output(fused)
        #expect(y.map(\.bitPattern) == (try Self.output(unfused)).map(\.bitPattern))
        #expect(y.contains(0) && y.contains { $0 > 0 })
        for threads in [1, 2, 8] {
            let parallel = try BlockPool.withPool(threadCount: threads) { pool in try Self.output(fused, pool: pool) }
            #expect(parallel.map(\.bitPattern) == y.map(\.bitPattern))
        }
    }

    @Test(arguments: [Int64(1), 2, 5])
    func foldedBatchNormalizationStaysWithinRounding(_ stride: Int64) throws {
        let fused = try Self.session(stride: stride, batchNorm: true)
        #expect(fused.stepCount == 1)
        #expect(try Self.session(stride: stride, batchNorm: true, exposed: ["n"]).stepCount == 2)
        let unfused = try Self.session(stride: stride, batchNorm: true, exposed: ["c"])
        #expect(unfused.stepCount == 3)
        let a = try Self.output(fused), b = try Self.output(unfused)
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func fusedErrorsNameTheConv() throws {
        let session = try Self.session(stride: 1, batchNorm: true)
        let bad = ModelTensor(float: Self.values(2 * 11 * 13, seed: 1), shape: [1, 2, 11, 13])
        do {
            _ = try session.run(inputs: ["X": bad])
            Issue.record("expected an error")
        } catch {
            guard case .node(let name, let opType, _) = error else { Issue.record("\(error)"); return }
            #expect(name == "conv" && opType == "Conv")
        }
    }
}

/// Add → Relu as one step, written into a dead input's buffer: the unfused bits, and no input
/// that is still read (or held by the caller) is overwritten.
@Suite struct ResidualAddTests {
    typealias T = ProtoModelBuilder

    /// `t = Sigmoid(X)`, `s = Add(X, t)` (or `Add(t, X)`), `Y = Relu(s)`, `W = Mul(X, X)` after it.
    static func session(swapped: Bool, exposed: Bool) throws -> InferenceSession {
        let nodes = [T.node("Sigmoid", ["X"], ["t"], name: "sigmoid"),
                     T.node("Add", swapped ? ["t", "X"] : ["X", "t"], ["s"], name: "add"),
                     T.node("Relu", ["s"], ["Y"], name: "relu"),
                     T.node("Mul", ["X", "X"], ["W"], name: "square")]
        let outputs = ["Y", "W"] + (exposed ? ["s"] : [])
        let proto = T.model(nodes: nodes, inputs: [T.tensorInfo("X", .float32, [nil, 5])],
                            outputs: outputs.map { T.tensorInfo($0, .float32, [nil, 5]) })
        return try InferenceSession(data: T.bytes(proto))
    }

    @Test(arguments: [false, true])
    func fusedAddGivesTheUnfusedBits(_ swapped: Bool) throws {
        let values = SessionFusionTests.values(40, seed: 7, scale: 4)
        let x = ModelTensor(float: values, shape: [8, 5])
        let fused = try Self.session(swapped: swapped, exposed: false)
        let unfused = try Self.session(swapped: swapped, exposed: true)
        #expect(fused.stepCount == 3 && unfused.stepCount == 4)
        let a = try fused.run(inputs: ["X": x]), b = try unfused.run(inputs: ["X": x])
        for name in ["Y", "W"] {
            let ya = try #require(a.first { $0.name == name }?.value.tensor?.floats)
            let yb = try #require(b.first { $0.name == name }?.value.tensor?.floats)
            #expect(ya.map(\.bitPattern) == yb.map(\.bitPattern), "\(name)")
        }
        #expect(x.floats == values, "the caller's input is not overwritten")
        let w = try #require(a.first { $0.name == "W" }?.value.tensor?.floats)
        #expect(w == values.map { $0 * $0 })
    }
}
