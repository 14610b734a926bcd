import AssayNumerics
import Foundation
import Testing
@testable import AssayModels

/// Parity with ONNX Runtime (single-threaded CPU provider) on models exported by skl2onnx and
/// on hand-built ONNX-ML graphs (`Fixtures/sklearn/`, from `scripts/fixtures/models_sklearn.py`).
///
/// Labels and integer outputs must be identical; float outputs must agree within 1e-5
/// absolute. Reached (onnxruntime 1.32.0): every tree-ensemble output (forest, gradient
/// boosting, the hand-built regressors and classifiers, NaN inputs included) matches bit for
/// bit; the linear models differ by at most 6.3e-7 (`linear_and_scaling`), 4.0e-7
/// (`logreg_iris`) and 1.2e-7 (`pipeline_wine`), because ONNX Runtime sums dot products with
/// MLAS's blocked float32 GEMM and applies MLAS's own logistic and softmax.
@Suite struct SklearnParityTests {
    static let tolerance: Float = 1e-5

    @Test(arguments: ModelFixture.caseNames(needingNeuralNetworkOperators: false))
    func matchesONNXRuntime(_ name: String) throws {
        try Self.check(name)
    }

    @Test(arguments: ModelFixture.caseNames(needingNeuralNetworkOperators: true))
    func matchesONNXRuntimeWithNeuralNetworkOperators(_ name: String) throws {
        try Self.check(name)
    }

    @Test func everyFixtureIsListed() {
        #expect(ModelFixture.caseNames(needingNeuralNetworkOperators: false).count >= 15)
        #expect(ModelFixture.caseNames(needingNeuralNetworkOperators: true) == ["mlp_digits"])
    }

    /// Runs one case and compares every output; returns the largest float difference.
    @discardableResult
    static func check(_ name: String, pool: BlockPool? = nil) throws -> Float {
        let fixture = try ModelFixture.parityCase(name)
        let session = try InferenceSession(data: fixture.model)
        let outputs = try session.run(inputs: fixture.inputs, pool: pool)
        try #require(outputs.map(\.name) == fixture.outputs.map(\.name), "\(name): output names")
        var largest: Float = 0
        for ((_, got), (outputName, want)) in zip(outputs, fixture.outputs) {
            let place = "\(name).\(outputName)"
            switch want {
            case .tensor(let expected):
                let actual = try #require(got.tensor, "\(place): expected a tensor")
                #expect(actual.shape == expected.shape, "\(place): shape")
                #expect(actual.elementType == expected.elementType, "\(place): element type")
                switch (actual.storage, expected.storage) {
                case (.float(let a), .float(let e)):
                    largest = max(largest, compare(a, e, place))
                case (.int64(let a), .int64(let e)):
                    #expect(a == e, "\(place): integers differ")
                case (.string(let a), .string(let e)):
                    #expect(a == e, "\(place): strings differ")
                default:
                    Issue.record("\(place): storage \(actual.storage.kindName) vs \(expected.storage.kindName)")
                }
            case .map(let keys, let rows):
                guard case .sequenceOfMaps(let gotKeys, let gotRows) = got else {
                    Issue.record("\(place): expected a sequence of maps")
                    continue
                }
                #expect(gotKeys == keys, "\(place): keys")
                #expect(gotRows.count == rows.count, "\(place): rows")
                largest = max(largest, compare(gotRows.flatMap { $0 }, rows.flatMap { $0 }, place))
            }
        }
        #expect(largest <= tolerance, "\(name): largest difference \(largest)")
        return largest
    }

    private static func compare(_ actual: [Float], _ expected: [Float], _ place: String) -> Float {
        guard actual.count == expected.count else {
            Issue.record("\(place): \(actual.count) values, expected \(expected.count)")
            return .infinity
        }
        var largest: Float = 0
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            if e.isNaN || a.isNaN {
                #expect(a.isNaN && e.isNaN, "\(place)[\(i)]: \(a) vs \(e)")
                continue
            }
            let d = abs(a - e)
            if !(d <= tolerance) { Issue.record("\(place)[\(i)]: \(a) vs ONNX Runtime \(e) (difference \(d))") }
            largest = max(largest, d)
        }
        return largest
    }
}
