import Testing
@testable import AssayModels

/// Bad inputs and attributes give a ``ModelError/node(name:opType:problem:)`` naming the node
/// and its operator, never a crash.
@Suite struct NeuralNetworkOperatorErrorTests {
    static func floats(_ shape: [Int]) -> ModelValue {
        .tensor(ModelTensor(float: [Float](repeating: 0.5, count: shape.reduce(1, *)), shape: shape))
    }

    static func ints(_ values: [Int64]) -> ModelValue {
        .tensor(ModelTensor(int64: values, shape: [values.count]))
    }

    struct BadCase: Sendable, CustomStringConvertible {
        let description: String
        let op: String
        let attributes: [String: Attribute]
        let inputs: [ModelValue?]
        var opset = 13
        var outputs = ["y"]
        /// A phrase the error must contain.
        let says: String
    }

    static let x4 = floats([1, 2, 5, 5]), w4 = floats([3, 2, 3, 3])

    static let cases: [BadCase] = [
        BadCase(description: "conv rank 2 input", op: "Conv", attributes: [:], inputs: [floats([2, 5]), floats([3, 2])], says: "[N, C, H, W]"),
        BadCase(description: "conv channels", op: "Conv", attributes: [:], inputs: [floats([1, 4, 5, 5]), w4], says: "channels"),
        BadCase(description: "conv negative pads", op: "Conv", attributes: ["pads": .ints([-1, 0, 0, 0])], inputs: [x4, w4], says: "negative"),
        BadCase(description: "conv zero strides", op: "Conv", attributes: ["strides": .ints([0, 1])], inputs: [x4, w4], says: "stride"),
        BadCase(description: "conv zero dilations", op: "Conv", attributes: ["dilations": .ints([1, 0])], inputs: [x4, w4], says: "dilation"),
        BadCase(description: "conv group does not divide", op: "Conv", attributes: ["group": .int(3)], inputs: [x4, w4], says: "group"),
        BadCase(description: "conv group zero", op: "Conv", attributes: ["group": .int(0)], inputs: [x4, w4], says: "group"),
        BadCase(description: "conv kernel_shape mismatch", op: "Conv", attributes: ["kernel_shape": .ints([2, 2])], inputs: [x4, w4], says: "kernel_shape"),
        BadCase(description: "conv bias size", op: "Conv", attributes: [:], inputs: [x4, w4, floats([2])], says: "bias"),
        BadCase(description: "conv kernel larger than input", op: "Conv", attributes: [:], inputs: [floats([1, 2, 2, 2]), w4], says: "does not fit"),
        BadCase(description: "conv huge pads", op: "Conv", attributes: ["pads": .ints([1 << 40, 0, 0, 0])], inputs: [x4, w4], says: "pads"),
        BadCase(description: "conv wrong pads length", op: "Conv", attributes: ["pads": .ints([1, 1])], inputs: [x4, w4], says: "pads"),
        BadCase(description: "conv bad auto_pad", op: "Conv", attributes: ["auto_pad": .string("FULL")], inputs: [x4, w4], says: "auto_pad"),
        BadCase(description: "conv 3-D", op: "Conv", attributes: [:], inputs: [floats([1, 1, 2, 2, 2]), floats([1, 1, 1, 1, 1])], says: "[N, C, H, W]"),
        BadCase(description: "conv missing weights", op: "Conv", attributes: [:], inputs: [x4], says: "input 1 is required"),
        BadCase(description: "conv int64 input", op: "Conv", attributes: [:], inputs: [ints([1, 2]), w4], says: "float32"),
        BadCase(description: "gemm rank 3", op: "Gemm", attributes: [:], inputs: [floats([2, 3, 4]), floats([4, 5])], says: "rank 2"),
        BadCase(description: "gemm inner mismatch", op: "Gemm", attributes: [:], inputs: [floats([2, 3]), floats([4, 5])], says: "columns"),
        BadCase(description: "gemm C shape", op: "Gemm", attributes: [:], inputs: [floats([2, 3]), floats([3, 5]), floats([3, 5])], says: "broadcast"),
        BadCase(description: "matmul mismatch", op: "MatMul", attributes: [:], inputs: [floats([2, 3]), floats([4, 5])], says: "rows"),
        BadCase(description: "matmul batch mismatch", op: "MatMul", attributes: [:], inputs: [floats([2, 2, 3]), floats([3, 3, 5])], says: "batch"),
        BadCase(description: "add no broadcast", op: "Add", attributes: [:], inputs: [floats([2, 3]), floats([4])], says: "broadcast"),
        BadCase(description: "add mixed types", op: "Add", attributes: [:], inputs: [floats([2]), ints([1, 2])], says: "float32"),
        BadCase(description: "div by integer zero", op: "Div", attributes: [:], inputs: [ints([1, 2]), ints([1, 0])], says: "zero"),
        BadCase(description: "softmax axis", op: "Softmax", attributes: ["axis": .int(3)], inputs: [floats([2, 3])], says: "axis"),
        BadCase(description: "softmax scalar", op: "Softmax", attributes: [:], inputs: [floats([])], says: "scalar"),
        BadCase(description: "batchnorm stats", op: "BatchNormalization", attributes: [:],
                inputs: [x4, floats([2]), floats([2]), floats([3]), floats([2])], says: "input_mean"),
        BadCase(description: "batchnorm training", op: "BatchNormalization", attributes: ["training_mode": .int(1)],
                inputs: [x4, floats([2]), floats([2]), floats([2]), floats([2])], opset: 15, says: "training_mode"),
        BadCase(description: "batchnorm attribute type", op: "BatchNormalization", attributes: ["epsilon": .int(1)],
                inputs: [x4, floats([2]), floats([2]), floats([2]), floats([2])], says: "epsilon"),
        BadCase(description: "maxpool no kernel", op: "MaxPool", attributes: [:], inputs: [x4], says: "kernel_shape"),
        BadCase(description: "maxpool kernel too large", op: "MaxPool", attributes: ["kernel_shape": .ints([7, 7])], inputs: [x4], says: "does not fit"),
        BadCase(description: "maxpool zero kernel", op: "MaxPool", attributes: ["kernel_shape": .ints([0, 2])], inputs: [x4], says: "kernel"),
        BadCase(description: "maxpool indices", op: "MaxPool", attributes: ["kernel_shape": .ints([2, 2])], inputs: [x4],
                outputs: ["y", "indices"], says: "Indices"),
        BadCase(description: "averagepool negative pads", op: "AveragePool", attributes: ["kernel_shape": .ints([2, 2]), "pads": .ints([0, 0, -1, 0])],
                inputs: [x4], says: "negative"),
        BadCase(description: "global pool rank", op: "GlobalAveragePool", attributes: [:], inputs: [floats([2, 3])], says: "spatial"),
        BadCase(description: "transpose perm", op: "Transpose", attributes: ["perm": .ints([0, 0, 1, 2])], inputs: [x4], says: "perm"),
        BadCase(description: "flatten axis", op: "Flatten", attributes: ["axis": .int(5)], inputs: [x4], says: "axis"),
        BadCase(description: "pad count", op: "Pad", attributes: [:], inputs: [x4, ints([1, 1])], says: "pads"),
        BadCase(description: "pad reflect too far", op: "Pad", attributes: ["mode": .string("reflect")],
                inputs: [floats([2, 3]), ints([0, 3, 0, 0])], says: "reflect"),
        BadCase(description: "pad mode", op: "Pad", attributes: ["mode": .string("mirror")], inputs: [x4, ints([0, 0, 0, 0, 0, 0, 0, 0])], says: "mode"),
        BadCase(description: "pad crop below zero", op: "Pad", attributes: [:], inputs: [floats([2, 3]), ints([0, -2, 0, -2])], says: "crop"),
        BadCase(description: "clip bound not scalar", op: "Clip", attributes: [:], inputs: [x4, floats([2])], says: "scalar"),
        BadCase(description: "relu int", op: "Relu", attributes: [:], inputs: [ints([1])], says: "float32"),
    ]

    @Test(arguments: cases)
    func throwsNamedError(_ bad: BadCase) {
        let node = Node(name: "bad_\(bad.op)", opType: bad.op, inputs: bad.inputs.indices.map { "i\($0)" },
                        outputs: bad.outputs, attributes: bad.attributes)
        guard let kernel = OperatorRegistry.kernel(for: node) else {
            Issue.record("no kernel for \(bad.op)")
            return
        }
        let result = Result { () throws(ModelError) -> [ModelValue] in
            try kernel(OperatorContext(node: node, opsetVersion: bad.opset, pool: nil), bad.inputs)
        }
        switch result {
        case .success:
            Issue.record("\(bad.description): no error")
        case .failure(let error):
            guard case .node(let name, let opType, let problem) = error else {
                Issue.record("\(bad.description): \(error)")
                return
            }
            #expect(name == node.name && opType == bad.op)
            #expect(problem.contains(bad.says), "\(bad.description): \(error)")
            #expect(error.description.hasPrefix("node 'bad_\(bad.op)' (\(bad.op)): "))
        }
    }

    /// Degenerate but valid shapes (empty batch, no input channels, empty spatial extent)
    /// give well-formed outputs, not crashes or uninitialized memory.
    @Test func emptyShapesAreFine() throws {
        let cases: [(String, [String: Attribute], [ModelValue?], [Int])] = [
            ("Conv", ["pads": .ints([1, 1, 1, 1])], [Self.floats([0, 2, 5, 5]), Self.floats([3, 2, 3, 3])], [0, 3, 5, 5]),
            ("Conv", [:], [Self.floats([2, 0, 4, 4]), Self.floats([3, 0, 3, 3]), Self.floats([3])], [2, 3, 2, 2]),
            ("MaxPool", ["kernel_shape": .ints([2, 2])], [Self.floats([0, 3, 4, 4])], [0, 3, 3, 3]),
            ("Gemm", [:], [Self.floats([0, 3]), Self.floats([3, 4])], [0, 4]),
            ("MatMul", [:], [Self.floats([2, 0]), Self.floats([0, 3])], [2, 3]),
            ("Softmax", [:], [Self.floats([0, 10])], [0, 10]),
            ("Add", [:], [Self.floats([0, 3]), Self.floats([3])], [0, 3]),
            ("Transpose", [:], [Self.floats([2, 0, 3])], [3, 0, 2]),
            // Huge pads with huge strides: a small output from an enormous padded image.
            ("Conv", ["pads": .ints([1 << 23, 0, 1 << 23, 0]), "strides": .ints([1 << 23, 1])],
             [Self.floats([1, 2, 5, 5]), Self.floats([3, 2, 3, 3])], [1, 3, 3, 3]),
        ]
        for (op, attributes, inputs, shape) in cases {
            let node = Node(name: "empty", opType: op, inputs: inputs.indices.map { "i\($0)" }, outputs: ["y"], attributes: attributes)
            let kernel = try #require(OperatorRegistry.kernel(for: node))
            let y = try #require(try kernel(OperatorContext(node: node, opsetVersion: 13, pool: nil), inputs).first?.tensor)
            #expect(y.shape == shape, "\(op)")
            if op == "Conv" && shape[0] == 2 { #expect(y.floats == [Float](repeating: 0.5, count: 24)) }
            if op == "MatMul" { #expect(y.floats == [Float](repeating: 0, count: 6)) }
        }
    }
}
