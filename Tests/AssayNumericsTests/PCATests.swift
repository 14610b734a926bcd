import AssayNumerics
import Foundation
import Testing

/// ``PCA`` against scikit-learn's `PCA(svd_solver='full')` (fixture `linalg_pca.json`, relative
/// tolerance 1e-9; components and projections up to the sign of each component), and its own
/// invariants: Codable round trip, validation, the same bits with any pool size.
struct PCATests {
    struct File: Decodable {
        let generator: LinalgFixture.Generator
        let cases: [Case]
    }

    struct Case: Decodable {
        let name: String
        let componentsRequested: Int
        let x: LinalgFixture.Matrix
        let test: LinalgFixture.Matrix
        let mean: [Double]
        let components: LinalgFixture.Matrix
        let explainedVariance: [Double]
        let explainedVarianceRatio: [Double]
        let transformedTest: LinalgFixture.Matrix
        enum CodingKeys: String, CodingKey {
            case name, x, test, mean, components
            case componentsRequested = "components_requested"
            case explainedVariance = "explained_variance"
            case explainedVarianceRatio = "explained_variance_ratio"
            case transformedTest = "transformed_test"
        }
    }

    static let tolerance = 1e-9

    @Test func matchesScikitLearn() throws {
        let file = try LinalgFixture.load("linalg_pca", as: File.self)
        #expect(file.cases.count == 3)
        for c in file.cases {
            let pca = try PCA.fit(c.x.double, components: c.componentsRequested)
            let k = c.componentsRequested, d = c.mean.count
            #expect(pca.componentCount == k && pca.featureCount == d && pca.sampleCount == c.x.shape[0])
            let meanScale = c.mean.map(abs).max() ?? 1
            for (a, b) in zip(pca.mean, c.mean) {
                #expect(abs(a - b) <= Self.tolerance * meanScale, "\(c.name): mean \(a) vs \(b)")
            }
            for (a, b) in zip(pca.explainedVariance, c.explainedVariance) {
                #expect(LinalgFixture.close(a, b, tolerance: Self.tolerance), "\(c.name): variance \(a) vs \(b)")
            }
            for (a, b) in zip(pca.explainedVarianceRatio, c.explainedVarianceRatio) {
                #expect(LinalgFixture.close(a, b, tolerance: Self.tolerance), "\(c.name): ratio \(a) vs \(b)")
            }
            // Components up to sign; the sign of each is then applied to the projections.
            let theirs = try c.components.double
            var signs: [Double] = []
            for i in 0..<k {
                let ours = Array(pca.components.row(i)), ref = Array(theirs.row(i))
                let sign: Double = zip(ours, ref).reduce(0) { $0 + $1.0 * $1.1 } < 0 ? -1 : 1
                signs.append(sign)
                let diff = zip(ours, ref).map { abs($0 - sign * $1) }.max() ?? 0
                #expect(diff <= Self.tolerance, "\(c.name): component \(i) differs by \(diff)")
            }
            let z = try pca.transform(c.test.double)
            let ref = try c.transformedTest.double
            #expect(z.shape == ref.shape)
            for i in 0..<z.rowCount {
                for j in 0..<k {
                    let scale = ref.column(j).map(abs).max() ?? 1
                    #expect(abs(z[i, j] - signs[j] * ref[i, j]) <= Self.tolerance * scale,
                            "\(c.name): transformed (\(i), \(j)) \(z[i, j]) vs \(signs[j] * ref[i, j])")
                }
            }
        }
    }

    @Test func floatInputAndImageShapes() throws {
        let x = try Linalg.randomMatrix(40, 12, seed: 51, as: Float.self).reshaped([40, 2, 3, 2])
        let pca = try PCA.fit(x, components: 3)
        #expect(pca.featureCount == 12)
        let z = try pca.transform(x)
        #expect(z.shape == [40, 3])
        // The Float result is the Double computation rounded once.
        let zd = try pca.transform(x.converted(to: Double.self))
        #expect(z.scalars == zd.scalars.map { Float($0) })
        #expect(throws: NumericsError.self) { try pca.transform(Linalg.randomMatrix(3, 11, seed: 52, as: Float.self)) }
    }

    @Test func sameBitsWithOneTwoAndEightThreads() throws {
        let x = Linalg.randomMatrix(300, 20, seed: 53, as: Double.self)
        let serial = try PCA.fit(x, components: 5)
        let zs = try serial.transform(x)
        for threads in [1, 2, 8] {
            let (pca, z) = try BlockPool.withPool(threadCount: threads) { pool throws in
                let p = try PCA.fit(x, components: 5, pool: pool)
                return (p, try p.transform(x, pool: pool))
            }
            #expect(pca == serial, "threads: \(threads)")
            #expect(Linalg.bits(z.scalars) == Linalg.bits(zs.scalars), "threads: \(threads)")
        }
    }

    @Test func roundTripsThroughJSON() throws {
        let pca = try PCA.fit(Linalg.randomMatrix(30, 6, seed: 54, as: Double.self), components: 2)
        let data = try JSONEncoder().encode(pca)
        let back = try JSONDecoder().decode(PCA.self, from: data)
        #expect(back == pca)
        let keys = try (JSONSerialization.jsonObject(with: data) as? [String: Any]).map { Set($0.keys) }
        #expect(keys == ["mean", "components", "explained_variance", "explained_variance_ratio", "n_samples"])
    }

    @Test func rejectsBadStoredModels() throws {
        let pca = try PCA.fit(Linalg.randomMatrix(30, 6, seed: 55, as: Double.self), components: 2)
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(pca)) as? [String: Any])
        object["mean"] = [1.0, 2.0]  // 2 features, components have 6
        let tampered = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(PCA.self, from: tampered) }
        object["mean"] = Array(repeating: 0.0, count: 6)
        object["n_samples"] = 1
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(PCA.self, from: JSONSerialization.data(withJSONObject: object))
        }
    }

    @Test func rejectsBadFits() throws {
        let x = Linalg.randomMatrix(10, 4, seed: 56, as: Double.self)
        #expect(throws: NumericsError.self) { try PCA.fit(x, components: 0) }
        #expect(throws: NumericsError.self) { try PCA.fit(x, components: 5) }
        #expect(throws: NumericsError.self) { try PCA.fit(Linalg.randomMatrix(1, 4, seed: 57, as: Double.self), components: 1) }
        var bad = x
        bad[3, 2] = .nan
        #expect(throws: NumericsError.nonFinite(where: "reference row 3, feature 2")) { try PCA.fit(bad, components: 2) }
    }
}
