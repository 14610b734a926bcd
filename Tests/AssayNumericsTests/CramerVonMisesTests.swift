import Foundation
import Testing

@testable import AssayNumerics

/// SciPy parity and invariants for ``CramerVonMises/twoSample(_:_:method:)`` (fixture
/// `special_cvm.json`, SciPy 1.17.1).
///
/// Tolerances: the statistic bit for bit; exact p-values bit for bit (the recursion counts
/// integers and reproduces SciPy's float threshold and final division); asymptotic p-values to
/// 1e-14 absolute. The asymptotic series needs `K_{1/4}`: SciPy's comes from AMOS, which is off
/// by up to ~7e-14 relative near `x = 1`, ours is within 2e-15 of mpmath, and `p = 1 − Σ` turns
/// that into an absolute difference (observed worst: printed by the test, ~1e-15 … 1e-14).
struct CramerVonMisesTests {
    /// The samples of a fixture case: listed values, or the LCG recipe the fixture script
    /// describes.
    static func sample(_ spec: Any?) -> [Double] {
        guard let spec = spec as? [String: Any] else { return [] }
        if let values = spec["values"] as? [Any] {
            return values.map { SpecialFixture.double($0) }
        }
        guard let recipe = spec["lcg"] as? [String: Any] else { return [] }
        var state = UInt64(SpecialFixture.int(recipe["seed"]))
        let count = SpecialFixture.int(recipe["n"])
        let range = UInt64(SpecialFixture.int(recipe["range"]))
        let offset = Double(SpecialFixture.int(recipe["offset"]))
        return (0..<count).map { _ in
            state = 6_364_136_223_846_793_005 &* state &+ 1_442_695_040_888_963_407
            return offset + Double((state >> 33) % range)
        }
    }

    @Test func matchesSciPy() throws {
        let fixture = try SpecialFixture.load("special_cvm")
        let cases = SpecialFixture.objects(fixture, "cases")
        #expect(cases.count > 100)
        var worstAsymptotic = 0.0
        var counts: [String: Int] = [:]
        for item in cases {
            let x = Self.sample(item["x"])
            let y = Self.sample(item["y"])
            guard let method = CvMMethod(rawValue: (item["method"] as? String) ?? ""),
                let resolved = CvMMethod(rawValue: (item["resolved"] as? String) ?? "")
            else {
                Issue.record("bad method in fixture")
                continue
            }
            let expectedT = SpecialFixture.double(item["statistic"])
            let expectedP = SpecialFixture.double(item["pvalue"])
            let result = try CramerVonMises.twoSample(x, y, method: method)
            let label = "cramervonmises_2samp(n=\(x.count), m=\(y.count), \(method.rawValue))"
            #expect(result.statistic == expectedT, "\(label): T \(result.statistic) vs SciPy \(expectedT)")
            if resolved == .exact {
                #expect(result.pValue == expectedP, "\(label): p \(result.pValue) vs SciPy \(expectedP)")
            } else {
                #expect(SpecialFixture.isClose(result.pValue, expectedP, relative: 1e-12, absolute: 1e-14), "\(label): p \(result.pValue) vs SciPy \(expectedP)")
                worstAsymptotic = max(worstAsymptotic, abs(result.pValue - expectedP))
            }
            counts[resolved.rawValue, default: 0] += 1
        }
        print("cramervonmises_2samp: \(counts); worst asymptotic |Δp| \(worstAsymptotic)")
    }

    @Test func spotValues() throws {
        let a = (0..<30).map { Double($0) / 29 }
        let b = (0..<25).map { 0.2 + 1.1 * Double($0) / 24 }
        let asymptotic = try CramerVonMises.twoSample(a, b)
        #expect(SpecialFixture.isClose(asymptotic.statistic, 0.624848484848485, relative: 1e-15))
        #expect(SpecialFixture.isClose(asymptotic.pValue, 0.019280492868588905, relative: 1e-12, absolute: 1e-14))
        let exact = try CramerVonMises.twoSample(Array(a[..<8]), Array(b[..<7]), method: .exact)
        #expect(SpecialFixture.isClose(exact.statistic, 1.0412698412698411, relative: 1e-15))
        #expect(exact.pValue == 0.0012432012432012432)
    }

    /// Anderson's definition: `T = nm/(n+m)² · Σ_z (F_n(z) − G_m(z))²` over the pooled sample
    /// (no ties).
    @Test func statisticMatchesBruteForce() throws {
        var generator = SeededGenerator(seed: 99)
        for trial in 0..<60 {
            let n = generator.int(in: 2...40)
            let m = generator.int(in: 2...40)
            let x = (0..<n).map { _ in generator.normal() }
            let y = (0..<m).map { _ in generator.normal() + 0.3 }
            let pooled = x + y
            var sum = 0.0
            for z in pooled {
                let f = Double(x.filter { $0 <= z }.count) / Double(n)
                let g = Double(y.filter { $0 <= z }.count) / Double(m)
                sum += (f - g) * (f - g)
            }
            let brute = Double(n * m) / Double((n + m) * (n + m)) * sum
            let result = try CramerVonMises.twoSample(x, y, method: .asymptotic)
            #expect(SpecialFixture.isClose(result.statistic, brute, relative: 1e-12, absolute: 1e-14), "trial \(trial): n=\(n) m=\(m)")
        }
    }

    /// The exact p-value by enumerating every split of the ranks 1…n+m (no ties).
    @Test(arguments: [(2, 2), (2, 5), (3, 4), (4, 4), (5, 3), (6, 6), (7, 5)])
    func exactPValueMatchesEnumeration(n: Int, m: Int) throws {
        let total = n + m
        var generator = SeededGenerator(seed: UInt64(100 * n + m))
        var uValues: [Int] = []  // U for every split, as an integer
        func u(_ xRanks: [Int]) -> Int {
            let set = Set(xRanks)
            let yRanks = (1...total).filter { !set.contains($0) }
            var value = 0
            for (i, r) in xRanks.sorted().enumerated() { value += n * (r - (i + 1)) * (r - (i + 1)) }
            for (j, r) in yRanks.enumerated() { value += m * (r - (j + 1)) * (r - (j + 1)) }
            return value
        }
        func enumerate(_ start: Int, _ chosen: [Int]) {
            if chosen.count == n {
                uValues.append(u(chosen))
                return
            }
            if start > total { return }
            for r in start...total { enumerate(r + 1, chosen + [r]) }
        }
        enumerate(1, [])
        for _ in 0..<8 {
            var ranks = Array(1...total)
            generator.shuffle(&ranks)
            let xRanks = Array(ranks[..<n])
            let observed = u(xRanks)
            let x = xRanks.map(Double.init)
            let y = ranks[n...].map(Double.init)
            let result = try CramerVonMises.twoSample(x, y, method: .exact)
            let count = uValues.filter { $0 >= observed }.count
            #expect(result.pValue == Double(count) / Double(uValues.count), "n=\(n) m=\(m) ranks \(xRanks)")
        }
    }

    @Test func pValuesLieInUnitInterval() throws {
        var generator = SeededGenerator(seed: 5)
        for trial in 0..<80 {
            let n = generator.int(in: 2...60)
            let m = generator.int(in: 2...60)
            let shift = generator.uniform() * 3
            // Rounded values produce ties.
            let x = (0..<n).map { _ in (generator.normal() * 4).rounded() }
            let y = (0..<m).map { _ in (generator.normal() * 4 + shift).rounded() }
            for method in CvMMethod.allCases where method != .exact || (n <= 25 && m <= 25) {
                let result = try CramerVonMises.twoSample(x, y, method: method)
                #expect(result.pValue >= 0 && result.pValue <= 1, "trial \(trial) \(method): \(result)")
                #expect(result.statistic.isFinite)
            }
        }
    }

    @Test func resultDoesNotDependOnInputOrder() throws {
        var generator = SeededGenerator(seed: 6)
        let x = (0..<50).map { _ in generator.normal() }
        let y = (0..<40).map { _ in generator.normal() + 0.2 }
        let reference = try CramerVonMises.twoSample(x, y)
        var shuffledX = x
        var shuffledY = y
        generator.shuffle(&shuffledX)
        generator.shuffle(&shuffledY)
        #expect(try CramerVonMises.twoSample(shuffledX, shuffledY) == reference)
    }

    @Test func midranksAverageTies() {
        #expect(CramerVonMises.midranks([3, 1, 2]) == [3, 1, 2])
        #expect(CramerVonMises.midranks([1, 1, 2, 2, 2, 5]) == [1.5, 1.5, 4, 4, 4, 6])
        #expect(CramerVonMises.midranks([0.0, -0.0]) == [1.5, 1.5])
    }

    @Test func numpyFloorDivideMatchesPython() {
        #expect(CramerVonMises.numpyFloorDivide(7, 2) == 3)
        #expect(CramerVonMises.numpyFloorDivide(-7, 2) == -4)
        #expect(CramerVonMises.numpyFloorDivide(7, -2) == -4)
        #expect(CramerVonMises.numpyFloorDivide(6, 3) == 2)
        #expect(CramerVonMises.numpyFloorDivide(0.5, 0.1) == 4)  // Python: 0.5 // 0.1 == 4.0
        #expect(CramerVonMises.numpyFloorDivide(1, 0).isInfinite)
    }

    @Test func rejectsBadSamples() {
        #expect(throws: NumericsError.self) { try CramerVonMises.twoSample([1], [1, 2]) }
        #expect(throws: NumericsError.self) { try CramerVonMises.twoSample([1, 2], []) }
        #expect(throws: NumericsError.nonFinite(where: "y[1]")) {
            try CramerVonMises.twoSample([1, 2], [1, .nan])
        }
        // Infinities are ranked like any other value.
        #expect(throws: Never.self) { try CramerVonMises.twoSample([1, .infinity], [-.infinity, 2]) }
    }

    @Test func hugeSizesDoNotOverflow() throws {
        // Python computes these with unbounded integers; 4kN alone passes Int64 here.
        let sizes = CramerVonMises.SampleSizes(nx: 3_000_000, ny: 2_000_000)
        let nx = 3_000_000.0
        let ny = 2_000_000.0
        let k = nx * ny
        let n = nx + ny
        let vt = (n + 1) * (4 * k * n - 3 * (nx * nx + ny * ny) - 2 * k) / (45 * n * n * 4 * k)
        #expect(SpecialFixture.isClose(
            WideUnsigned.quotient(sizes.varianceNumerator, sizes.varianceDenominator), vt,
            relative: 1e-15))
        #expect(SpecialFixture.isClose(sizes.kN.doubleValue, k * n, relative: 0))
        // The exact method refuses sizes whose counts or values leave exact integer range.
        #expect(throws: NumericsError.self) {
            try CramerVonMises.exactPValue(u: 1e12, m: 3, n: 2_000_001)
        }
        #expect(throws: NumericsError.self) {
            try CramerVonMises.exactPValue(u: 1e12, m: 100, n: 100)
        }
    }

    @Test func autoUsesExactUpToTwenty() throws {
        let x = (0..<20).map { Double($0) }
        let y = (0..<20).map { Double($0) + 4.5 }
        let auto = try CramerVonMises.twoSample(x, y)
        #expect(auto == (try CramerVonMises.twoSample(x, y, method: .exact)))
        let x21 = x + [20.25]
        let auto21 = try CramerVonMises.twoSample(x21, y)
        #expect(auto21 == (try CramerVonMises.twoSample(x21, y, method: .asymptotic)))
    }

    @Test func methodRawValuesAreSciPys() {
        #expect(CvMMethod.allCases.map(\.rawValue) == ["auto", "exact", "asymptotic"])
    }
}
