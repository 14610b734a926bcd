import AssayNumerics
import Foundation
import Testing
@testable import AssayModels

/// The neural-network operators against ONNX Runtime (`Fixtures/nn/ops.json`, from
/// `scripts/fixtures/models_nn.py`): every case is one node with one attribute combination.
///
/// Tolerance: `|ours − ORT| ≤ 1e-5 + 1e-6·|ORT|` per element. What the cases reach (largest
/// absolute difference, recorded with ONNX Runtime 1.32.0): exact for Add/Sub/Mul/Div,
/// Relu/LeakyRelu/Clip, BatchNormalization, MaxPool/GlobalMaxPool and the layout operators;
/// 3e-8 GlobalAveragePool, 2.4e-7 AveragePool; 6e-8 Softmax, 9.5e-7 LogSoftmax, 1.2e-7
/// Sigmoid (ONNX Runtime uses a rational approximation), 1.8e-7 Tanh; and for the dot products,
/// which ONNX Runtime sums in another order, 5.7e-6 Conv, 7.6e-6 Gemm and 2.3e-5 MatMul (inner
/// dimension 520, outputs up to ~50 in magnitude, relative difference below 1e-5).
@Suite struct NeuralNetworkOperatorTests {
    static let cases = NeuralNetworkFixture.operatorCases

    @Test func fixturesLoaded() {
        #expect(Self.cases.count > 100, "ops.json did not load; run scripts/fixtures/models_nn.py")
    }

    @Test(arguments: cases)
    func matchesOnnxRuntime(_ fixture: NeuralNetworkFixture.OperatorCase) throws {
        let node = fixture.node
        let kernel = try #require(OperatorRegistry.kernel(for: node), "no kernel for \(node.opType)")
        let outputs = try kernel(OperatorContext(node: node, opsetVersion: fixture.opset, pool: nil), fixture.inputValues())
        #expect(outputs.count >= fixture.outputs.count)
        for (value, expectedArray) in zip(outputs, fixture.outputs) {
            let actual = try #require(value.tensor), expected = try expectedArray.tensor()
            if fixture.title == "MatMul vector-vector" {
                // ONNX (NumPy's matmul) makes a scalar; ONNX Runtime returns shape [1].
                #expect(actual.shape == [] && expected.shape == [1])
            } else {
                #expect(actual.shape == expected.shape, "\(fixture.title): shape")
            }
            #expect(actual.elementType == expected.elementType, "\(fixture.title): type")
            if let e = expected.floats, let a = actual.floats, a.count == e.count {
                let worst = Self.worst(a, e)
                #expect(worst.excess <= 0, "\(fixture.title): element \(worst.index) is \(a[worst.index]), ONNX Runtime \(e[worst.index])")
            } else {
                #expect(actual.storage == expected.storage, "\(fixture.title)")
            }
        }
    }

    /// The element that exceeds the tolerance most (excess ≤ 0 when all are within).
    static func worst(_ a: [Float], _ e: [Float], absolute: Float = 1e-5, relative: Float = 1e-6) -> (index: Int, excess: Float, maxAbs: Float) {
        var index = 0, excess = -Float.infinity, maxAbs: Float = 0
        for i in a.indices {
            let diff: Float = a[i].isNaN && e[i].isNaN ? 0 : (a[i] == e[i] ? 0 : abs(a[i] - e[i]))
            let over = diff.isNaN ? .infinity : diff - (absolute + relative * abs(e[i]))
            maxAbs = max(maxAbs, diff.isNaN ? .infinity : diff)
            if over > excess { excess = over; index = i }
        }
        return (index, a.isEmpty ? 0 : excess, maxAbs)
    }

    /// The same bits with no pool and with pools of 1, 2 and 8 threads, on sizes that cut into
    /// several blocks.
    @Test func operatorsAreDeterministicAcrossThreadCounts() throws {
        var rng = SeededGenerator(seed: 7)
        func random(_ shape: [Int]) -> ModelValue {
            let n = shape.reduce(1, *)
            return .tensor(ModelTensor(float: (0..<n).map { _ in Float(rng.uniform(in: -1..<1)) }, shape: shape))
        }
        let cases: [(Node, [ModelValue?])] = [
            (Node(name: "gemm", opType: "Gemm", inputs: ["a", "b", "c"], outputs: ["y"], attributes: ["transB": .int(1)]),
             [random([300, 70]), random([45, 70]), random([45])]),
            (Node(name: "matmul", opType: "MatMul", inputs: ["a", "b"], outputs: ["y"]), [random([4, 50, 33]), random([33, 20])]),
            (Node(name: "conv", opType: "Conv", inputs: ["x", "w", "b"], outputs: ["y"], attributes: ["pads": .ints([1, 1, 1, 1])]),
             [random([40, 3, 8, 8]), random([16, 3, 3, 3]), random([16])]),
        ]
        for (node, inputs) in cases {
            let kernel = try #require(OperatorRegistry.kernel(for: node))
            let serial = try kernel(OperatorContext(node: node, opsetVersion: 13, pool: nil), inputs)
            for threads in [1, 2, 8] {
                let parallel = try BlockPool.withPool(threadCount: threads) { pool in
                    try kernel(OperatorContext(node: node, opsetVersion: 13, pool: pool), inputs)
                }
                let a = try #require(serial.first?.tensor?.floats), b = try #require(parallel.first?.tensor?.floats)
                #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(node.opType) with \(threads) threads")
            }
        }
    }

    /// ``MatrixMultiply`` gives exactly the scalar fused dot product
    /// `fma(a₁, b₁, fma(a₀, b₀, +0))…` for every tile shape, edge and transposition.
    @Test func matrixMultiplyIsTheNaiveDotProduct() {
        var rng = SeededGenerator(seed: 11)
        for (m, n, k) in [(1, 1, 1), (6, 8, 5), (7, 9, 300), (13, 17, 3), (2, 33, 600), (97, 10, 64), (1, 100, 64), (5, 3, 0),
                          (12, 16, 9), (8, 24, 260), (1, 13, 7), (6, 40, 33)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let a = (0..<(m * k)).map { _ in Float(rng.uniform(in: -1..<1)) }
                    let b = (0..<(k * n)).map { _ in Float(rng.uniform(in: -1..<1)) }
                    var naive = [Float](repeating: 0, count: m * n)
                    for i in 0..<m {
                        for j in 0..<n {
                            var s: Float = 0
                            for p in 0..<k {
                                let av = transA ? a[p * m + i] : a[i * k + p]
                                let bv = transB ? b[j * k + p] : b[p * n + j]
                                s = s.addingProduct(av, bv)
                            }
                            naive[i * n + j] = s
                        }
                    }
                    var c = [Float](repeating: .nan, count: m * n)
                    a.withUnsafeBufferPointer { ab in
                        b.withUnsafeBufferPointer { bb in
                            c.withUnsafeMutableBufferPointer { cb in
                                let dummy = UnsafePointer(cb.baseAddress!)
                                MatrixMultiply.multiply(
                                    m: m, n: n, k: k,
                                    a: MatrixOperand(base: ab.baseAddress ?? dummy, rowStride: transA ? 1 : k, columnStride: transA ? m : 1),
                                    b: MatrixOperand(base: bb.baseAddress ?? dummy, rowStride: transB ? 1 : n, columnStride: transB ? k : 1),
                                    c: cb.baseAddress!, ldc: n, pool: nil)
                            }
                        }
                    }
                    #expect(c.map(\.bitPattern) == naive.map(\.bitPattern), "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB)")
                }
            }
        }
    }

    /// Float `exp` stays within 2 ulp of the correctly rounded value (from Double
    /// ``DeterministicMath/exp(_:)``) over its whole range, and its special values are right.
    @Test func floatExpIsAccurate() {
        var worst: Float = 0
        var x: Float = -103.9
        while x < 88.7 {
            let exact = DeterministicMath.exp(Double(x))
            let ours = FloatElementary.exp(x)
            let ulp = Float(exact).ulp
            if Float(exact) >= Float.leastNormalMagnitude {
                worst = max(worst, Float(abs(Double(ours) - exact)) / ulp)
            }
            x += 0.0137
        }
        #expect(worst <= 2, "worst error \(worst) ulp")
        #expect(FloatElementary.exp(0) == 1)
        #expect(FloatElementary.exp(100) == .infinity)
        #expect(FloatElementary.exp(-200) == 0)
        #expect(FloatElementary.exp(-.infinity) == 0)
        #expect(FloatElementary.exp(.nan).isNaN)
        #expect(FloatElementary.tanh(0.5) == Float(0.46211715726000974))
    }
}

/// The direct convolution gives the same bits as the im2col matrix product and as a scalar
/// loop with the documented arithmetic: taps `(c, ky, kx)` in order, `s = fma(x, w, s)` from
/// +0, padding taps as zeros, then `s + b`.
@Suite struct ConvolutionPathTests {
    static func scalarConvolution(_ conv: Convolution, _ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
        let g = conv.geometry
        let cg = conv.inputChannels / conv.groups, mg = conv.outputChannels / conv.groups
        var y: [Float] = []
        for n in 0..<conv.batch {
            for m in 0..<conv.outputChannels {
                let group = m / mg
                for oy in 0..<g.outputY {
                    for ox in 0..<g.outputX {
                        var s: Float = 0
                        for c in 0..<cg {
                            for ky in 0..<g.kernelY {
                                for kx in 0..<g.kernelX {
                                    let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                                    let ix = ox * g.strideX - g.padLeft + kx * g.dilationX
                                    let inside = iy >= 0 && iy < g.inputY && ix >= 0 && ix < g.inputX
                                    let xv = inside ? x[((n * conv.inputChannels + group * cg + c) * g.inputY + iy) * g.inputX + ix] : 0
                                    s = s.addingProduct(xv, w[((m * cg + c) * g.kernelY + ky) * g.kernelX + kx])
                                }
                            }
                        }
                        y.append(b.isEmpty ? s : s + b[m])
                    }
                }
            }
        }
        return y
    }

    @Test(arguments: [
        // (channels in, out, groups, height, width, kernel y, x, pad t, l, b, r, stride y, dilation[, stride x])
        [3, 16, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1],
        [4, 7, 1, 7, 13, 3, 2, 0, 2, 1, 0, 1, 1],
        [6, 6, 3, 9, 9, 3, 3, 2, 2, 2, 2, 2, 2],
        [4, 8, 4, 5, 11, 3, 3, 1, 1, 1, 1, 1, 1],
        [5, 13, 1, 6, 6, 1, 1, 0, 0, 0, 0, 1, 1],
        // Rows of 16 and 32 outputs (stored in place by the wide-vector kernel), a last channel
        // tile of 3, a tail of pieces, dilation over flat positions.
        [3, 16, 1, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1],
        [16, 16, 1, 16, 16, 3, 3, 1, 1, 1, 1, 1, 1],
        [3, 7, 1, 5, 16, 3, 3, 1, 1, 1, 1, 1, 1],
        [5, 6, 1, 10, 48, 3, 3, 1, 1, 1, 1, 1, 2],
        [2, 5, 1, 3, 50, 3, 3, 1, 2, 1, 0, 1, 1],
        // Rows of 8 outputs, two per accumulator: an odd row count, no padding, 1 to 4 pairs.
        [4, 6, 1, 7, 8, 3, 3, 1, 1, 1, 1, 1, 1],
        [2, 5, 1, 9, 10, 3, 3, 0, 0, 0, 0, 1, 1],
        [3, 4, 1, 1, 8, 1, 1, 0, 0, 0, 0, 1, 1],
        [3, 8, 1, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1],
        // … stride x
        [16, 32, 1, 16, 16, 3, 3, 1, 1, 1, 1, 2, 1, 2],
        [16, 32, 1, 16, 16, 1, 1, 0, 0, 0, 0, 2, 1, 2],
        [3, 5, 1, 6, 37, 3, 3, 1, 1, 1, 1, 2, 1, 2],
        [3, 5, 1, 6, 35, 1, 1, 0, 0, 0, 0, 2, 1, 2],
        [3, 9, 1, 11, 37, 3, 2, 1, 0, 2, 1, 1, 2, 3],
        [4, 6, 2, 7, 29, 2, 3, 0, 1, 0, 2, 3, 1, 4],
    ])
    func directMatchesIm2col(_ p: [Int]) {
        var rng = SeededGenerator(seed: UInt64(p.reduce(0, +)))
        let sx = p.count > 13 ? p[13] : 1
        let g = WindowGeometry(inputY: p[3], inputX: p[4], kernelY: p[5], kernelX: p[6], strideY: p[11], strideX: sx,
                               dilationY: p[12], dilationX: p[12], padTop: p[7], padLeft: p[8], padBottom: p[9], padRight: p[10],
                               outputY: (p[3] + p[7] + p[9] - (p[5] - 1) * p[12] - 1) / p[11] + 1,
                               outputX: (p[4] + p[8] + p[10] - (p[6] - 1) * p[12] - 1) / sx + 1)
        let conv = Convolution(geometry: g, batch: 3, inputChannels: p[0], outputChannels: p[1], groups: p[2])
        let x = (0..<(3 * p[0] * p[3] * p[4])).map { _ in Float(rng.uniform(in: -1..<1)) }
        let w = (0..<(p[1] * p[0] / p[2] * p[5] * p[6])).map { _ in Float(rng.uniform(in: -1..<1)) }
        let b = (0..<p[1]).map { _ in Float(rng.uniform(in: -1..<1)) }
        for bias in [b, []] {
            let direct = conv.apply(x, w, bias, pool: nil, direct: true)
            let im2col = conv.apply(x, w, bias, pool: nil, direct: false)
            #expect(conv.supportsDirect)
            #expect(direct.map(\.bitPattern) == im2col.map(\.bitPattern), "\(p) bias: \(!bias.isEmpty)")
            let reference = Self.scalarConvolution(conv, x, w, bias)
            #expect(direct.map(\.bitPattern) == reference.map(\.bitPattern), "\(p) bias: \(!bias.isEmpty) vs scalar")
            let fused = conv.apply(x, w, bias, pool: nil, direct: true, relu: true)
            #expect(fused.map(\.bitPattern) == reference.map { ($0 < 0 ? 0 : $0).bitPattern }, "\(p) bias: \(!bias.isEmpty) relu")
        }
    }
}

/// MaxPool's eight-column path gives the bits of the scalar fold `m = v > m ? v : m` over the
/// window row by row (NaN when a tap is NaN), signed zeros and NaNs included.
@Suite struct MaxPoolPathTests {
    @Test(arguments: [(1, 3, 1, 1), (2, 3, 1, 1), (2, 3, 0, 1), (1, 2, 0, 2), (2, 2, 1, 1)])
    func vectorColumnsMatchTheScalarFold(_ step: Int, _ kernel: Int, _ pad: Int, _ dilation: Int) throws {
        let (n, c, h, w) = (2, 3, 9, 41)
        var rng = SeededGenerator(seed: UInt64(step * 100 + kernel * 10 + pad))
        var x = (0..<(n * c * h * w)).map { _ in Float(Int(rng.uniform(in: -3..<3))) / 2 }
        for i in stride(from: 5, to: x.count, by: 97) { x[i] = .nan }
        for i in stride(from: 7, to: x.count, by: 13) { x[i] = -0.0 }
        let node = Node(name: "pool", opType: "MaxPool", inputs: ["x"], outputs: ["y"], attributes: [
            "kernel_shape": .ints([Int64(kernel), Int64(kernel)]), "strides": .ints([Int64(step), Int64(step)]),
            "pads": .ints([Int64](repeating: Int64(pad), count: 4)), "dilations": .ints([Int64(dilation), Int64(dilation)])])
        let kernelFunction = try #require(OperatorRegistry.kernel(for: node))
        let out = try kernelFunction(OperatorContext(node: node, opsetVersion: 13, pool: nil),
                                     [.tensor(ModelTensor(float: x, shape: [n, c, h, w]))])
        let y = try #require(out.first?.tensor)
        let span = (kernel - 1) * dilation + 1
        let oh = (h + 2 * pad - span) / step + 1, ow = (w + 2 * pad - span) / step + 1
        #expect(y.shape == [n, c, oh, ow])
        var expected: [Float] = []
        for plane in 0..<(n * c) {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var m = -Float.infinity, nan = false
                    for ky in 0..<kernel {
                        for kx in 0..<kernel {
                            let iy = oy * step - pad + ky * dilation, ix = ox * step - pad + kx * dilation
                            guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                            let v = x[(plane * h + iy) * w + ix]
                            m = v > m ? v : m
                            if v.isNaN { nan = true }
                        }
                    }
                    expected.append(nan ? .nan : m)
                }
            }
        }
        #expect(try #require(y.floats).map(\.bitPattern) == expected.map(\.bitPattern))
    }
}
