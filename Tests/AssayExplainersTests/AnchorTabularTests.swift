@testable import AssayExplainers
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
        struct Two: Decodable {
            var features: [Int]
            var thresholds: [Double]
        }
        struct AlibiRun: Decodable {
            var seed: Int
            var anchor: [String]
            var precision: Double
            var coverage: Double
            var modelCalls: Int
        }
        struct AlibiCase: Decodable {
            var model: String
            var row: Int
            var instance: [Double]
            var label: Int
            var runs: [AlibiRun]
        }
        var versions: [String: String]
        var rule: Rule
        var two: Two
        var alibi: [AlibiCase]?
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

    // MARK: Explanations

    /// "petal length (cm) > 4.35 and sepal width (cm) <= 3.0 ⇒ class 1", the fixture's "two".
    static func twoFeatureRule(_ two: Fixture.Two) -> Predictor {
        Predictor(inputWidth: 4) { t in
            let out = (0..<t.rowCount).flatMap { i -> [Double] in
                t[i, two.features[0]] > two.thresholds[0] && t[i, two.features[1]] <= two.thresholds[1] ? [0, 1] : [1, 0]
            }
            return try Tensor(shape: [t.rowCount, 2], scalars: out)
        }
    }

    @Test func findsTheRulesAsAlibiDoes() throws {
        let f = try Self.fixture()
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let cases = try #require(f.alibi)
        for c in cases {
            let model = c.model == "two" ? Self.twoFeatureRule(f.two) : Self.rule(threshold: f.rule.threshold, feature: f.rule.feature)
            var rng = SeededGenerator(seed: 7).child("explainers.anchor")
            let e = try a.explain(c.instance, predictor: model, rng: &rng)
            let alibi = c.runs.map(\.anchor)
            #expect(alibi.allSatisfy { $0 == e.anchor }, "\(c.model) row \(c.row): \(e.anchor) vs Alibi \(alibi)")
            #expect(e.prediction == c.label)
            #expect(e.success)
            #expect(e.precision >= 0.95)
            // Precision and coverage within sampling error of Alibi's (different generators).
            let alibiPrecision = c.runs.map(\.precision).reduce(0, +) / Double(c.runs.count)
            let alibiCoverage = c.runs.map(\.coverage).reduce(0, +) / Double(c.runs.count)
            #expect(abs(e.precision - alibiPrecision) <= 0.05)
            #expect(abs(e.coverage - alibiCoverage) <= 0.05, "\(c.model) row \(c.row): \(e.coverage) vs \(alibiCoverage)")
            // Coverage close to the true fraction of reference rows the anchor covers.
            let truth = Double((0..<x.rowCount).count { i in
                e.predicates.allSatisfy { $0.bins.contains(a.bin(x[i, $0.feature], feature: $0.feature)) }
            }) / Double(x.rowCount)
            #expect(abs(e.coverage - truth) < 0.02)
            #expect(e.coveredFalse.isEmpty && !e.coveredTrue.isEmpty && e.coveredTrue.count <= 10)
            #expect(e.modelCalls == model.calls)
            #expect(e.samples + 1 == model.rows)
            // About as many model calls as Alibi's search.
            let alibiCalls = c.runs.map(\.modelCalls)
            #expect(e.modelCalls <= 2 * (alibiCalls.max() ?? 0) && 2 * e.modelCalls >= (alibiCalls.min() ?? 0),
                    "\(c.model) row \(c.row): \(e.modelCalls) calls vs Alibi \(alibiCalls)")
            if c.model == "two" {
                #expect(e.features == f.two.features)
                continue
            }
            // One predicate on the rule's feature, on the rule's side of its threshold.
            #expect(e.features == [f.rule.feature])
            let edge = try #require(e.predicates.first)
            #expect(e.predicates.count == 1 && edge.feature == f.rule.feature)
            if c.label == 1 { #expect(a.edges[3][edge.bins.lowerBound - 1] >= f.rule.threshold) }
            else { #expect(a.edges[3][edge.bins.upperBound] <= f.rule.threshold) }
        }
    }

    @Test func sameSeedSameExplanation() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        // A rule on two features makes the search sample more.
        let model = Predictor(inputWidth: 4) { t in
            let out = (0..<t.rowCount).flatMap { i -> [Double] in t[i, 2] > 4.35 && t[i, 1] <= 3.0 ? [0, 1] : [1, 0] }
            return try Tensor(shape: [t.rowCount, 2], scalars: out)
        }
        let instance = [6.3, 2.5, 5.0, 1.9]
        var r1 = SeededGenerator(seed: 3), r2 = SeededGenerator(seed: 3), r3 = SeededGenerator(seed: 4)
        let e1 = try a.explain(instance, predictor: model, rng: &r1)
        let e2 = try a.explain(instance, predictor: model, rng: &r2)
        #expect(e1 == e2)
        #expect(e1.precision.bitPattern == e2.precision.bitPattern)
        #expect(Set(e1.features) == [1, 2], "\(e1.anchor)")
        #expect(e1.precision >= 0.95)
        // Another seed: other samples, but the clear rule gives the same anchor.
        let e3 = try a.explain(instance, predictor: model, rng: &r3)
        #expect(Set(e3.anchor) == Set(e1.anchor))
        let rule = Self.rule()
        var r4 = SeededGenerator(seed: 99)
        #expect(try a.explain([6.5, 3.2, 5.1, 2.0], predictor: rule, rng: &r4).anchor == ["petal width (cm) > 1.80"])
    }

    @Test func emptyAnchorWhenThePredictionNeverChanges() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let constant = Predictor(inputWidth: 4) { t in try Tensor(shape: [t.rowCount, 1], scalars: [Double](repeating: 0.9, count: t.rowCount)) }
        var rng = SeededGenerator(seed: 1)
        let e = try a.explain(Array(x.row(0)), predictor: constant, rng: &rng)
        #expect(e.anchor.isEmpty && e.predicates.isEmpty)
        #expect(e.precision == 1 && e.coverage == 1 && e.success)
        #expect(e.prediction == 1)
        #expect(e.modelCalls == 2)
    }

    @Test func bestPrecisionWhenNoAnchorReachesTheThreshold() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        // A coin flip: no predicate makes the prediction stable.
        final class Flip { var rng = SeededGenerator(seed: 8) }
        let flip = Flip()
        let coin = Predictor(inputWidth: 4) { t in
            try Tensor(shape: [t.rowCount, 1], scalars: (0..<t.rowCount).map { _ in flip.rng.uniform() })
        }
        var rng = SeededGenerator(seed: 1)
        let e = try a.explain(Array(x.row(0)), predictor: coin, maxAnchorSize: 2, rng: &rng)
        #expect(!e.success)
        #expect(e.precision < 0.95)
        #expect((1...2).contains(e.predicates.count))
    }

    @Test func explanationBudgetAndBadInput() throws {
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        let bounded = Self.rule(maxCalls: 3)
        var rng = SeededGenerator(seed: 1)
        #expect(throws: ExplainerError.budgetExhausted(limit: 3, needed: "call 4")) {
            try a.explain(Array(x.row(60)), predictor: bounded, rng: &rng)
        }
        #expect(bounded.calls == 3)
        let ok = Self.rule()
        #expect(throws: ExplainerError.self) { try a.explain([1, 2, 3], predictor: ok, rng: &rng) }
        for t in [0.0, -0.1, 1.01, .nan] {
            #expect(throws: ExplainerError.self) { try a.explain(Array(x.row(0)), predictor: ok, threshold: t, rng: &rng) }
        }
        #expect(throws: ExplainerError.self) { try a.explain(Array(x.row(0)), predictor: ok, delta: 0, rng: &rng) }
        #expect(throws: ExplainerError.self) { try a.explain(Array(x.row(0)), predictor: ok, batchSize: 0, rng: &rng) }
        #expect(throws: ExplainerError.self) { try a.explain(Array(x.row(0)), predictor: ok, beamSize: 0, rng: &rng) }
        #expect(ok.calls == 0)
        #expect(try a.explain(Array(x.row(0)), predictor: ok, threshold: 1, rng: &rng).precision == 1)
    }

    @Test func klBoundsBracketTheMean() {
        typealias S = AnchorTabular.Search
        for (p, level) in [(0.5, 0.1), (0.9, 0.02), (1.0, 0.05), (0.0, 0.3), (0.97, 0.001)] {
            let lb = S.lowerBound(p, level: level), ub = S.upperBound(p, level: level)
            #expect(lb <= p && p <= ub)
            if p > 0 { #expect(abs(S.klBernoulli(p, lb) - level) < 1e-3 || lb == 0) }
            if p < 1 { #expect(abs(S.klBernoulli(p, ub) - level) < 1e-3 || ub == 1) }
        }
        #expect(S.beta(arms: 1, t: 1, delta: 0.1) > S.beta(arms: 1, t: 1, delta: 0.2))
    }

    @Test func widerBeamFindsTheSameRule() throws {
        let f = try Self.fixture()
        let (x, names) = try Self.iris()
        let a = try AnchorTabular(reference: x, featureNames: names)
        var r1 = SeededGenerator(seed: 21), r2 = SeededGenerator(seed: 21)
        let e1 = try a.explain([6.3, 2.5, 4.9, 1.5], predictor: Self.twoFeatureRule(f.two), beamSize: 3, rng: &r1)
        let e2 = try a.explain([6.3, 2.5, 4.9, 1.5], predictor: Self.twoFeatureRule(f.two), beamSize: 3, rng: &r2)
        #expect(e1 == e2)
        #expect(Set(e1.anchor) == ["petal length (cm) > 4.35", "sepal width (cm) <= 3.00"])
        #expect(e1.success && e1.precision >= 0.95)
        #expect(e1.partialPrecision.count == 2 && e1.partialCoverage.count == 2)
        #expect(e1.partialCoverage[0] >= e1.partialCoverage[1])
    }

    @Test func categoricalAnchorsAndUnseenCategories() throws {
        // Colour decides: class 1 for "blue" (code 2), which the reference never holds.
        var rows: [[Double]] = []
        for i in 0..<60 { rows.append([Double(i % 2), Double(i) / 10]) }
        let x = try Tensor(rows: rows)
        let a = try AnchorTabular(reference: x, featureNames: ["colour", "size"],
                                  categoricalNames: [0: ["red", "green", "blue"]])
        let log = RowLog()
        let model = Predictor(inputWidth: 2) { t in
            var out: [Double] = []
            for i in 0..<t.rowCount {
                log.rows.append(Array(t.row(i)))
                out += t[i, 0] == 2 ? [0, 1] : [1, 0]
            }
            return try Tensor(shape: [t.rowCount, 2], scalars: out)
        }
        var rng = SeededGenerator(seed: 4)
        let e = try a.explain([2, 3.3], predictor: model, rng: &rng)
        #expect(e.anchor == ["colour = blue"])
        #expect(e.prediction == 1 && e.precision == 1 && e.success)
        // Alibi's coverage counts reference rows, none of which is blue.
        #expect(e.coverage == 0)
        // A category no reference row holds is set to the instance's in every conditioned sample.
        #expect(log.rows.contains { $0[0] == 2 })
        var green = SeededGenerator(seed: 4)
        let g = try a.explain([1, 3.3], predictor: model, rng: &green)
        #expect(g.prediction == 0 && g.success && g.precision >= 0.95)
        #expect(g.anchor.isEmpty, "\(g.anchor)")
    }

    @Test func emptyNumericalBinsDrawFromTheColumnRange() throws {
        // With the 100th percentile as a cut, no reference row lies above the last cut.
        let x = try Tensor(rows: (0..<40).map { [Double($0), Double($0 % 5)] })
        let a = try AnchorTabular(reference: x, featureNames: ["a", "b"], discPerc: [50, 100])
        #expect(a.edges[0] == [19.5, 39])
        let instance = [45.0, 1.0]
        let p = try a.predicates(for: instance)
        #expect(a.describe([p[1]]) == ["a > 39.00"])
        let log = RowLog()
        let model = Predictor(inputWidth: 2) { t in
            log.rows += (0..<t.rowCount).map { Array(t.row($0)) }
            return try Tensor(shape: [t.rowCount, 1], scalars: [Double](repeating: 1, count: t.rowCount))
        }
        var rng = SeededGenerator(seed: 6)
        #expect(try a.precision(of: [p[1]], for: instance, predictor: model, samples: 200, rng: &rng) == 1)
        #expect(log.rows.dropFirst().allSatisfy { (0...39).contains($0[0]) })
        #expect(Set(log.rows.dropFirst().map { $0[0] }).count > 100)
    }
}
