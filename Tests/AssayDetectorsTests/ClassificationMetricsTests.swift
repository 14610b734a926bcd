import Foundation
import Testing
import AssayDetectors

/// Metrics against scikit-learn 1.9 and SciPy on committed fixtures
/// (scripts/fixtures/detectors_metrics.py): counts exact; ratios exact (each is one IEEE
/// division of the same integers, F1 in scikit-learn's 2·TP/(2·TP+FP+FN) form); macro means within
/// 4 ulps (NumPy's pairwise summation order); RMSE, MAE and R² within 1e-12 relative (NumPy sums pairwise, Assay in index
/// order); KL within 1e-14 relative (Assay's logarithm against the C library's, both faithfully
/// rounded).
@Suite struct ClassificationMetricsTests {
    struct Fixture: Decodable {
        struct BinaryCase: Decodable {
            var name: String, truth: [Int], predicted: [Int]
            var tp: Int, tn: Int, fp: Int, fn: Int
            var accuracy: Double, precision: Double, recall: Double, f1: Double, specificity: Double
        }
        struct MultiCase: Decodable {
            var name: String, truth: [Int], predicted: [Int], classes: [Int], confusion: [[Int]]
            var accuracy: Double, precision: [Double], recall: [Double], f1: [Double]
            var macro_precision: Double, macro_recall: Double, macro_f1: Double
        }
        struct RegressionCase: Decodable {
            var name: String, truth: [Double], predicted: [Double], rmse: Double, mae: Double, r2: Double
        }
        struct KLCase: Decodable {
            var name: String, p: [Double], q: [Double], kl: Value
            enum Value: Decodable {
                case number(Double), infinity
                init(from decoder: any Decoder) throws {
                    let c = try decoder.singleValueContainer()
                    if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .infinity }
                }
            }
        }
        var binary: [BinaryCase], multiclass: [MultiCase], regression: [RegressionCase], kl: [KLCase]
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "metrics", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    @Test func binaryMatchesScikitLearnExactly() throws {
        for c in Self.fixture.binary {
            let m = try ClassificationMetrics.binary(truth: c.truth, predicted: c.predicted)
            let counts: [Int] = [m.truePositives, m.trueNegatives, m.falsePositives, m.falseNegatives]
            let expected: [Int] = [c.tp, c.tn, c.fp, c.fn]
            #expect(counts == expected, "\(c.name)")
            #expect(m.accuracy == c.accuracy && m.precision == c.precision && m.recall == c.recall, "\(c.name)")
            #expect(m.f1 == c.f1 && m.specificity == c.specificity, "\(c.name)")
        }
    }

    @Test func multiClassMatchesScikitLearnExactly() throws {
        for c in Self.fixture.multiclass {
            let m = try ClassificationMetrics.multiClass(truth: c.truth, predicted: c.predicted, classes: c.classes)
            #expect(m.confusion == c.confusion, "\(c.name)")
            #expect(m.accuracy == c.accuracy, "\(c.name)")
            #expect(m.perClass.map(\.precision) == c.precision, "\(c.name)")
            #expect(m.perClass.map(\.recall) == c.recall, "\(c.name)")
            #expect(m.perClass.map(\.f1) == c.f1, "\(c.name)")
            // Means: NumPy adds 9 or more values in eight interleaved partial sums, Assay in order.
            func close(_ a: Double, _ b: Double) -> Bool { Swift.abs(a - b) <= 4 * b.ulp }
            #expect(close(m.macroPrecision, c.macro_precision) && close(m.macroRecall, c.macro_recall) && close(m.macroF1, c.macro_f1), "\(c.name)")
        }
    }

    @Test func regressionMatchesScikitLearn() throws {
        func close(_ a: Double, _ b: Double) -> Bool { a == b || Swift.abs(a - b) <= 1e-12 * Swift.max(Swift.abs(a), Swift.abs(b)) }
        for c in Self.fixture.regression {
            let m = try ClassificationMetrics.regression(truth: c.truth, predicted: c.predicted)
            #expect(close(m.rmse, c.rmse) && close(m.mae, c.mae) && close(m.r2, c.r2), "\(c.name): \(m) vs \(c.rmse) \(c.mae) \(c.r2)")
        }
    }

    @Test func klDivergenceMatchesSciPy() throws {
        for c in Self.fixture.kl {
            let kl = try ClassificationMetrics.klDivergence(c.p, from: c.q)
            switch c.kl {
            case .infinity: #expect(kl == .infinity, "\(c.name)")
            case .number(let v): #expect(kl == v || Swift.abs(kl - v) <= 1e-14 * Swift.abs(v), "\(c.name): \(kl) vs \(v)")
            }
        }
    }

    @Test func argmaxTakesTheFirstOfEquals() {
        #expect(ClassificationMetrics.argmax(rows: [[0.1, 0.7, 0.2], [0.5, 0.5, 0], [1, 0, 0]]) == [1, 0, 0])
    }

    @Test func badInputIsAClearError() {
        #expect(throws: DetectorError.self) { try ClassificationMetrics.binary(truth: [1, 0], predicted: [1]) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.multiClass(truth: [0, 5], predicted: [0, 1], classes: [0, 1]) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.multiClass(truth: [0], predicted: [0], classes: [0, 0]) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.regression(truth: [], predicted: []) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.klDivergence([1, 2], from: [1]) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.klDivergence([0, 0], from: [1, 1]) }
        #expect(throws: DetectorError.self) { try ClassificationMetrics.klDivergence([.nan, 1], from: [1, 1]) }
    }
}
