import AssayExplainers
import AssayNumerics
import Foundation
import Testing

/// AnchorTabular: the discretisation against NumPy and Alibi's bin names
/// (scripts/fixtures/explainers_anchor_tabular.py).
@Suite struct AnchorTabularTests {
    // MARK: Fixtures

    struct Fixture: Decodable {
        struct Table: Decodable {
            var name: String
            var discPerc: [Double]
            var featureNames: [String]
            var x: [[Double]]
            var edges: [[Double]]
            var bins: [[Int]]
            var binNames: [[String]]
        }
        struct Format: Decodable {
            var value: Double
            var text: String
        }
        struct Rule: Decodable {
            var feature: Int
            var threshold: Double
        }
        var versions: [String: String]
        var rule: Rule
        var discretizer: [Table]
        var format: [Format]
    }

    static func fixture() throws -> Fixture {
        guard let url = Bundle.module.url(forResource: "anchor_tabular", withExtension: "json", subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/anchor_tabular.json"])
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func iris() throws -> (x: Tensor<Double>, names: [String]) {
        let f = try fixture()
        guard let t = f.discretizer.first(where: { $0.name == "iris" }) else { throw CocoaError(.fileReadCorruptFile) }
        return (try Tensor(rows: t.x), t.featureNames)
    }

    // MARK: Discretizer

    @Test func edgesBinsAndNamesMatchNumPyAndAlibi() throws {
        for t in try Self.fixture().discretizer {
            let x = try Tensor(rows: t.x)
            let a = try AnchorTabular(reference: x, featureNames: t.featureNames, discPerc: t.discPerc)
            #expect(a.edges == t.edges, "\(t.name) \(t.discPerc)")
            for j in 0..<x.rowWidth {
                #expect(a.binNames(feature: j) == t.binNames[j], "\(t.name) \(t.discPerc) feature \(j)")
                #expect(a.binCount(j) == t.edges[j].count + 1)
                let bins = (0..<x.rowCount).map { a.bin(x[$0, j], feature: j) }
                #expect(bins == t.bins[j], "\(t.name) \(t.discPerc) feature \(j)")
            }
        }
    }

    @Test func duplicateEdgesCollapse() throws {
        let t = try #require(try Self.fixture().discretizer.first { $0.name == "ties" && $0.discPerc == [25, 50, 75] })
        let a = try AnchorTabular(reference: Tensor(rows: t.x), featureNames: t.featureNames)
        #expect(a.edges[0] == [0])
        #expect(a.binNames(feature: 0) == ["zeros <= 0.00", "zeros > 0.00"])
    }

    @Test func twoDecimalsAsPrintf() throws {
        for c in try Self.fixture().format {
            #expect(AnchorTabular.formatTwoDecimals(c.value) == c.text, "\(c.value)")
        }
    }

    @Test func categoricalFeaturesKeepTheirCodes() throws {
        let x = try Tensor(rows: [[0, 1.5], [2, 2.5], [1, 3.5], [2, 4.5]])
        let a = try AnchorTabular(reference: x, featureNames: ["colour", "size"],
                                  categoricalNames: [0: ["red", "green", "blue"]])
        #expect(a.edges[0].isEmpty)
        #expect(a.binCount(0) == 3)
        #expect(a.binNames(feature: 0) == ["red", "green", "blue"])
        #expect(a.bin(2, feature: 0) == 2)
        #expect(a.edges[1] == [2.25, 3.0, 3.75])
    }

    @Test func badReferenceIsRejected() throws {
        let x = try Tensor(rows: [[1.0, 2.0], [3.0, 4.0]])
        #expect(throws: ExplainerError.self) { try AnchorTabular(reference: x, featureNames: ["a"]) }
        #expect(throws: ExplainerError.self) {
            try AnchorTabular(reference: Tensor(zeros: [0, 2]), featureNames: ["a", "b"])
        }
        #expect(throws: ExplainerError.self) {
            try AnchorTabular(reference: Tensor(rows: [[1.0, .nan]]), featureNames: ["a", "b"])
        }
        #expect(throws: ExplainerError.self) { try AnchorTabular(reference: x, featureNames: ["a", "b"], discPerc: [120]) }
        #expect(throws: ExplainerError.self) { try AnchorTabular(reference: x, featureNames: ["a", "b"], discPerc: []) }
        #expect(throws: ExplainerError.self) {
            try AnchorTabular(reference: x, featureNames: ["a", "b"], categoricalNames: [0: ["u", "v"]])
        }
    }

    // MARK: Predicates, sampling, precision and coverage

    /// "petal width (cm) > t ⇒ class 1 else class 0", as class probabilities.
    static func rule(threshold: Double = 1.3, feature: Int = 3, maxCalls: Int? = nil,
                     record: RowLog? = nil) -> Predictor {
        Predictor(inputWidth: 4, maxCalls: maxCalls) { x in
            let m = x.rowWidth
            var out: [Double] = []
            for i in 0..<x.rowCount {
                record?.rows.append(Array(x.row(i)))
                let one = x.scalars[i * m + feature] > threshold
                out += one ? [0, 1] : [1, 0]
            }
            return try Tensor(shape: [x.rowCount, 2], scalars: out)
        }
    }

    final class RowLog { var rows: [[Double]] = [] }

    @Test func predicatesFollowAlibiAndReadAsAlibi() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        // Row 60: [5.0, 2.0, 3.5, 1.0]; bins 0, 0, 1, 1 of 4 each.
        let p = try a.predicates(for: Array(x.row(60)))
        #expect(p.count == 12)
        #expect(p.map(\.feature) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3])
        #expect(p[9 ..< 12].map(\.bins) == [1...3, 0...1, 0...2])
        #expect(a.describe([p[10]]) == ["petal width (cm) <= 1.30"])
        #expect(a.describe([p[10], p[9]]) == ["0.30 < petal width (cm) <= 1.30"])
        #expect(a.describe([p[7], p[0], p[10], p[9], p[6]]) ==
                ["1.60 < petal length (cm) <= 4.35", "sepal length (cm) <= 5.10", "0.30 < petal width (cm) <= 1.30"])
        let q = try a.predicates(for: [6.5, 3.2, 5.1, 2.0])
        #expect(a.describe([q[0]]) == ["sepal length (cm) > 5.10"])
        #expect(a.describe([q[11]]) == ["petal width (cm) > 1.80"])
        #expect(a.describe([]) == [])
    }

    @Test func categoricalPredicatesReadAsCategories() throws {
        let x = try Tensor(rows: [[0, 1.5], [2, 2.5], [1, 3.5], [2, 4.5]])
        let a = try AnchorTabular(reference: x, featureNames: ["colour", "size"], categoricalNames: [0: ["red", "green", "blue"]])
        let p = try a.predicates(for: [2, 3.0])
        #expect(p.count == 4)
        #expect(p[0] == AnchorPredicate(feature: 0, bins: 2...2))
        #expect(a.describe([p[0], p[2]]) == ["colour = blue", "size <= 3.00"])
    }

    @Test func samplesSatisfyTheAnchorOnEveryPath() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let instance = Array(x.row(60))
        let p = try a.predicates(for: instance)
        // One feature (many rows), two with a small joint support (|R_2| < batch), three.
        let anchors: [[AnchorPredicate]] = [[p[10]], [p[1], p[4], p[9]], [p[0], p[4], p[7], p[10]], [p[4], p[3]]]
        for anchor in anchors {
            let log = RowLog()
            var rng = SeededGenerator(seed: 11)
            _ = try a.precision(of: anchor, for: instance, predictor: Self.rule(record: log), samples: 300, rng: &rng)
            #expect(log.rows.count == 301)
            for row in log.rows.dropFirst() {
                for q in anchor { #expect(q.bins.contains(a.bin(row[q.feature], feature: q.feature)), "\(a.describe(anchor)) \(row)") }
            }
        }
    }

    @Test func precisionOfTheRuleAndOfNothing() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let positive = [6.5, 3.2, 5.1, 2.0]
        let p = try a.predicates(for: positive)
        var rng = SeededGenerator(seed: 5)
        #expect(try a.precision(of: [p[10]], for: positive, predictor: Self.rule(), rng: &rng) == 1)
        #expect(try a.precision(of: [p[11]], for: positive, predictor: Self.rule(), rng: &rng) == 1)
        // "petal width > 0.30": 1.3 < w holds for 71 of the 105 rows with w > 0.3 (iris).
        let wider = try a.precision(of: [p[9]], for: positive, predictor: Self.rule(), samples: 4000, rng: &rng)
        let truth = Double((0..<150).count { x[$0, 3] > 1.3 }) / Double((0..<150).count { x[$0, 3] > 0.3 })
        #expect(abs(wider - truth) < 0.04, "\(wider) vs \(truth)")
    }

    @Test func coverageEstimatesTheReferenceFraction() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let p = try a.predicates(for: Array(x.row(60)))
        let truth = Double((0..<150).count { x[$0, 3] <= 1.3 }) / 150
        var rng = SeededGenerator(seed: 1)
        let c = a.coverage(of: [p[10]], rng: &rng)
        #expect(abs(c - truth) < 0.02, "\(c) vs \(truth)")
        var again = SeededGenerator(seed: 1)
        #expect(a.coverage(of: [p[10]], rng: &again) == c)
        #expect(a.coverage(of: [], rng: &again) == 1)
        let both = Double((0..<150).count { x[$0, 3] <= 1.3 && x[$0, 3] > 0.3 }) / 150
        #expect(abs(a.coverage(of: [p[10], p[9]], rng: &again) - both) < 0.02)
    }

    @Test func modelCallsAreCountedAndBounded() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let instance = Array(x.row(0))
        let p = try a.predicates(for: instance)
        let model = Self.rule()
        var rng = SeededGenerator(seed: 2)
        _ = try a.precision(of: [p[10]], for: instance, predictor: model, samples: 1000, batchSize: 100, rng: &rng)
        #expect(model.calls == 11)
        #expect(model.rows == 1001)
        let bounded = Self.rule(maxCalls: 3)
        #expect(throws: ExplainerError.budgetExhausted(limit: 3, needed: "call 4")) {
            try a.precision(of: [p[10]], for: instance, predictor: bounded, samples: 1000, rng: &rng)
        }
        #expect(bounded.calls == 3)
        #expect(throws: ExplainerError.self) { try a.predicates(for: [1, 2, 3]) }
        #expect(throws: ExplainerError.self) {
            try a.precision(of: [], for: instance, predictor: Predictor(inputWidth: 3) { $0 }, rng: &rng)
        }
    }
}
