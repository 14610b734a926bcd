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
}
