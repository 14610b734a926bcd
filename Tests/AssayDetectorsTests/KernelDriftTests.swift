import Foundation
import Testing
@testable import AssayDetectors
import AssayNumerics

/// MMD against a float64 NumPy implementation of Alibi Detect's statistic (relative 1e-10) and
/// against Alibi Detect 0.13's MMDDrift on TensorFlow (float32: distance to 1e-4 relative;
/// permutation p-values within a binomial band), from scripts/fixtures/detectors_kernel.py.
@Suite struct KernelDriftTests {
    struct Case: Decodable {
        struct NumPy: Decodable { var sigma: Double; var mmd2: Double }
        struct Alibi: Decodable { var distance: Double; var p_val: Double; var is_drift: Int; var distance_threshold: Double }
        var name: String
        var reference: DataSpec
        var test: DataSpec
        var numpy: NumPy
        var alibi: Alibi
    }
    struct File: Decodable { var cases: [Case] }
    static let cases: [Case] = (try? loadFixture("drift_kernel", as: File.self).cases) ?? []

    @Test func fixtureLoaded() { #expect(Self.cases.count >= 6) }

    @Test(arguments: cases.map(\.name))
    func mmdMatchesNumPyAndAlibi(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let detector = try MMDDrift(reference: c.reference.matrix(), permutations: 200)
        let sigma = try #require(detector.sigmas?.first)
        #expect(abs(sigma - c.numpy.sigma) <= 1e-12 * c.numpy.sigma, "sigma \(sigma) vs \(c.numpy.sigma)")
        var rng = SeededGenerator(seed: 7)
        let r = try detector.detect(c.test.matrix(), rng: &rng)
        let d = try #require(r.distance.number)
        #expect(abs(d - c.numpy.mmd2) <= 1e-10 * max(abs(c.numpy.mmd2), 1e-12), "MMD² \(d) vs NumPy \(c.numpy.mmd2)")
        #expect(abs(d - c.alibi.distance) <= 1e-4 * max(abs(c.alibi.distance), 1e-3), "MMD² \(d) vs Alibi \(c.alibi.distance)")
        // Different permutation streams: p-values agree within sampling error. With B = 200 here
        // and 100 in Alibi, a 4.5-sigma band of the binomial standard error of both.
        let p = try #require(r.pVal.number)
        let se = ((p * (1 - p)) / 200 + (c.alibi.p_val * (1 - c.alibi.p_val)) / 100).squareRoot()
        #expect(abs(p - c.alibi.p_val) <= 4.5 * se + 0.03, "p \(p) vs Alibi \(c.alibi.p_val)")
    }

    @Test func mmdIsDeterministicAcrossThreadCounts() throws {
        let c = try #require(Self.cases.first { $0.name == "shifted n=200 d=8" })
        var results: [DriftResult] = []
        for threads in [1, 2, 8] {
            let pool = BlockPool(threadCount: threads)
            pool.start()
            defer { pool.shutdown() }
            let detector = try MMDDrift(reference: c.reference.matrix(), permutations: 50, pool: pool)
            var rng = SeededGenerator(seed: 11)
            results.append(try detector.detect(c.test.matrix(), rng: &rng))
        }
        #expect(results[0] == results[1] && results[1] == results[2])
    }

    @Test func lsddSeparatesShiftedFromSameDistribution() throws {
        let same = try #require(Self.cases.first { $0.name == "same n=200 d=8" })
        let shifted = try #require(Self.cases.first { $0.name == "shifted n=200 d=8" })
        var fitRNG = SeededGenerator(seed: 3)
        let detector = try LSDDDrift(reference: same.reference.matrix(), rng: &fitRNG)
        var rng = SeededGenerator(seed: 5)
        let a = try detector.detect(same.test.matrix(), rng: &rng)
        var rng2 = SeededGenerator(seed: 5)
        let b = try detector.detect(shifted.test.matrix(), rng: &rng2)
        #expect(a.isDrift == .flag(0), "\(a)")
        #expect(b.isDrift == .flag(1), "\(b)")
        #expect((b.distance.number ?? 0) > (a.distance.number ?? 0))
        // Same seed, same bytes.
        var rng3 = SeededGenerator(seed: 5)
        #expect(try detector.detect(same.test.matrix(), rng: &rng3) == a)
    }

    @Test func badInputs() throws {
        let ref = DataSpec(n: 20, d: 3, kind: "uniform", seed: 1).matrix()
        let detector = try MMDDrift(reference: ref)
        var rng = SeededGenerator(seed: 0)
        #expect(throws: DetectorError.self) { _ = try detector.detect(try Tensor(shape: [1, 3], scalars: [0, 0, 0]), rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try detector.detect(try Tensor(shape: [2, 2], scalars: [0, 0, 0, 0]), rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try detector.detect(try Tensor(shape: [2, 3], scalars: [0, .nan, 0, 0, 0, 0]), rng: &rng) }
        #expect(throws: DetectorError.self) { _ = try MMDDrift(reference: ref, pVal: 1.5) }
        #expect(throws: DetectorError.self) { _ = try MMDDrift(reference: ref, sigma: [-1]) }
    }
}

/// LSDD against a float64 NumPy implementation of Alibi Detect's TensorFlow LSDD with the same
/// kernel centres (scripts/fixtures/detectors_lsdd.py): σ to 1e-12 relative, the statistic for
/// every candidate λ to 1e-7 relative (the inverse of H + λI is ill-conditioned for the small λ,
/// where NumPy's LU and Assay's Cholesky round differently).
@Suite struct LSDDParityTests {
    struct Case: Decodable {
        var name: String
        var reference: DataSpec
        var test: DataSpec
        var kernel_centers: Int
        var order: [Int]
        var sigma: Double
        var lsdd: [Double]
    }
    struct File: Decodable { var cases: [Case] }
    static let cases: [Case] = (try? loadFixture("drift_lsdd", as: File.self).cases) ?? []

    @Test func fixtureLoaded() { #expect(Self.cases.count == 3) }

    @Test(arguments: cases.map(\.name))
    func statisticMatchesNumPy(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        var rng = SeededGenerator(seed: 0)
        let detector = try LSDDDrift(reference: c.reference.matrix(), pVal: 0.05, permutations: 10, sigma: nil, kernelCenters: c.kernel_centers,
                                     lambdaRDMax: 0.2, rng: &rng, order: c.order, pool: nil)
        #expect(abs(detector.sigma - c.sigma) <= 1e-12 * c.sigma, "σ \(detector.sigma) vs \(c.sigma)")
        for (i, expected) in c.lsdd.enumerated() {
            let lambda = 1 / Double(1 << (2 * i))
            let got = try detector.statistic(c.test.matrix(), lambda: lambda)
            #expect(abs(got - expected) <= 1e-7 * max(abs(expected), 1e-12), "\(name) λ=1/4^\(i): \(got) vs \(expected)")
        }
    }
}
