import Testing
@testable import AssayModels

/// Cases of the tensor operators the parity fixtures do not reach.
@Suite struct TensorOperatorsTests {
    static func run(_ op: String, _ inputs: [ModelTensor?], opset: Int = 17,
                    _ attributes: [String: Attribute] = [:]) throws(ModelError) -> ModelTensor? {
        let node = Node(name: "n", opType: op, inputs: inputs.indices.map { "in\($0)" }, outputs: ["out"], attributes: attributes)
        guard let kernel = OperatorRegistry.kernel(for: node) else { throw .unsupported(place: op, problem: "no kernel") }
        return try kernel(OperatorContext(node: node, opsetVersion: opset, pool: nil), inputs.map { $0.map(ModelValue.tensor) })
            .first?.tensor
    }

    static let x = ModelTensor(float: [1, 2, 3, 4, 5, 6], shape: [2, 3])

    @Test func reshapeCopiesZerosAndInfersMinusOne() throws {
        #expect(try Self.run("Reshape", [Self.x, ModelTensor(int64: [0, -1], shape: [2])])?.shape == [2, 3])
        #expect(try Self.run("Reshape", [Self.x, ModelTensor(int64: [-1], shape: [1])])?.shape == [6])
        #expect(throws: ModelError.self) { try Self.run("Reshape", [Self.x, ModelTensor(int64: [-1, -1], shape: [2])]) }
        #expect(throws: ModelError.self) { try Self.run("Reshape", [Self.x, ModelTensor(int64: [4, -1], shape: [2])]) }
        // allowzero: a 0 is a real zero-sized dimension, so 6 elements cannot fit.
        #expect(throws: ModelError.self) {
            try Self.run("Reshape", [Self.x, ModelTensor(int64: [0, 6], shape: [2])], ["allowzero": .int(1)])
        }
        let empty = ModelTensor(float: [], shape: [0, 3])
        #expect(try Self.run("Reshape", [empty, ModelTensor(int64: [3, 0], shape: [2])], ["allowzero": .int(1)])?.shape == [3, 0])
    }

    @Test func squeezeAndUnsqueezeAcrossOpsets() throws {
        let column = ModelTensor(float: [1, 2], shape: [2, 1])
        #expect(try Self.run("Squeeze", [column])?.shape == [2])
        #expect(try Self.run("Squeeze", [column], opset: 11, ["axes": .ints([-1])])?.shape == [2])
        #expect(try Self.run("Squeeze", [column, ModelTensor(int64: [1], shape: [1])])?.shape == [2])
        #expect(throws: ModelError.self) { try Self.run("Squeeze", [column, ModelTensor(int64: [0], shape: [1])]) }
        #expect(try Self.run("Unsqueeze", [column], opset: 11, ["axes": .ints([0])])?.shape == [1, 2, 1])
        #expect(try Self.run("Unsqueeze", [column, ModelTensor(int64: [-1, 0], shape: [2])])?.shape == [1, 2, 1, 1])
    }

    @Test func castFollowsX86Conversions() throws {
        let odd = ModelTensor(float: [.nan, .infinity, -2.7, 3e10, 1.5], shape: [5])
        #expect(try Self.run("Cast", [odd], ["to": .int(7)])?.int64s == [Int64.min, Int64.min, -2, 30_000_001_024, 1])
        #expect(try Self.run("Cast", [odd], ["to": .int(6)])?.int64s == [-2_147_483_648, -2_147_483_648, -2, -2_147_483_648, 1])
        #expect(try Self.run("Cast", [ModelTensor(int64: [300, -1], shape: [2])], ["to": .int(2)])?.int64s == [44, 255])
        let bools = try #require(try Self.run("Cast", [odd], ["to": .int(9)]))
        #expect(bools.storage == .bool([true, true, true, true, true]))
        let strings = try ModelTensor(elementType: .string, shape: [2], storage: .string(["1.5", " -2 "]))
        #expect(try Self.run("Cast", [strings], ["to": .int(1)])?.floats == [1.5, -2])
        let bad = try ModelTensor(elementType: .string, shape: [1], storage: .string(["abc"]))
        #expect(throws: ModelError.self) { try Self.run("Cast", [bad], ["to": .int(1)]) }
        #expect(throws: ModelError.self) { try Self.run("Cast", [odd], ["to": .int(10)]) }
    }

    @Test func gatherAndConcatCheckTheirArguments() throws {
        #expect(try Self.run("Gather", [Self.x, ModelTensor(int64: [-1], shape: [1])], ["axis": .int(0)])?.floats == [4, 5, 6])
        #expect(try Self.run("Gather", [Self.x, ModelTensor(int64: [2, 0], shape: [1, 2])], ["axis": .int(1)])?.shape == [2, 1, 2])
        #expect(throws: ModelError.self) { try Self.run("Gather", [Self.x, ModelTensor(int64: [2], shape: [1])]) }
        #expect(try Self.run("Concat", [Self.x, Self.x], ["axis": .int(0)])?.shape == [4, 3])
        #expect(try Self.run("Concat", [Self.x, Self.x], ["axis": .int(-1)])?.floats == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        #expect(throws: ModelError.self) {
            try Self.run("Concat", [Self.x, ModelTensor(float: [1, 2], shape: [1, 2])], ["axis": .int(0)])
        }
    }

    @Test func argMaxTakesTheFirstOrLastMaximum() throws {
        let ties = ModelTensor(float: [1, 3, 3, .nan, 2, 2], shape: [2, 3])
        #expect(try Self.run("ArgMax", [ties], ["axis": .int(1)])?.int64s == [1, 0])  // a leading NaN is never beaten
        #expect(try Self.run("ArgMax", [ties], ["axis": .int(1), "select_last_index": .int(1)])?.int64s == [2, 0])
        #expect(try Self.run("ArgMax", [ties], ["axis": .int(1), "keepdims": .int(0)])?.shape == [2])
    }
}
