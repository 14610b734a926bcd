import AssayExplainers
import AssayNumerics
import Testing

/// The model-call budget: counted, bounded, and failures reported with the calls made.
@Suite struct PredictorTests {
    func linear() -> Predictor {
        Predictor(inputWidth: 2, maxCalls: 3) { x in
            try Tensor(shape: [x.rowCount, 1], scalars: (0..<x.rowCount).map { 2 * x.row($0).first! + x.row($0).last! })
        }
    }

    @Test func countsCallsAndRowsAndStopsAtTheBudget() throws {
        let p = linear()
        let x = try Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        #expect(try p(x).scalars == [4, 10])
        _ = try p(x)
        _ = try p(x)
        #expect(p.calls == 3 && p.rows == 6)
        #expect(throws: ExplainerError.budgetExhausted(limit: 3, needed: "call 4")) { try p(x) }
        #expect(p.calls == 3)
    }

    @Test func modelFailuresAreAccounted() throws {
        struct Boom: Error {}
        var n = 0
        let p = Predictor(inputWidth: 1) { x in
            n += 1
            if n == 2 { throw Boom() }
            if n == 3 { return try Tensor(shape: [1, 1], scalars: [1]) }
            return try Tensor(shape: [x.rowCount, 1], scalars: [Double](repeating: .nan, count: x.rowCount))
        }
        let x = try Tensor<Double>(shape: [2, 1], scalars: [1, 2])
        #expect(throws: ExplainerError.modelFailed(call: 1, problem: "output 0 is nan")) { try p(x) }
        #expect(throws: ExplainerError.modelFailed(call: 2, problem: "Boom()")) { try p(x) }
        #expect(throws: ExplainerError.modelFailed(call: 3, problem: "answered 1 rows for 2")) { try p(x) }
        #expect(p.calls == 3)
    }
}
