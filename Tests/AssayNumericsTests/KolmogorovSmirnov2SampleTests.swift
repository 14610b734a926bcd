import AssayNumerics
import Testing

/// SciPy parity and properties of ``KolmogorovSmirnov/twoSample(_:_:alternative:method:)``
/// (`scipy.stats.ks_2samp`), against `Fixtures/ks_2samp.json` from
/// `scripts/fixtures/numerics_ks.py` (SciPy 1.17.1). The samples are regenerated here from the
/// fixture's generator descriptions with the same 64-bit LCG and IEEE arithmetic as the script.
///
/// Tolerances: statistic, statistic location, sign and the method used compare exactly (the
/// statistic's bit pattern, so `−0.0` too). The p-value compares to 4.5e-16 relative (2 ulps;
/// 1e-11 for two-sided asymptotic p-values, which may come from the long smirnov sums summed from
/// logarithms) against SciPy's reference run (`pvalue_ref`, written where it differs from plain SciPy:
/// sequential sums instead of BLAS, libm instead of NumPy's SIMD pow/exp/log), and to 1e-12
/// relative (or 4e-15 absolute) against plain SciPy, whose asymptotic two-sided p-value
/// (`kstwo.sf`) goes through BLAS in its Durbin and Pomeranz branches; values below 1e-300
/// compare absolutely.
struct KolmogorovSmirnov2SampleTests {
    // MARK: Fixture

    struct File: Decodable {
        let generator: KolmogorovTests.Generator
        let cases: [Case]
    }

    struct Sample: Decodable {
        let kind: String
        let seed: UInt64?
        let count: Int?
        let a: String?
        let b: String?
        let values: [String]?

        /// The sample the fixture script generated.
        func generate() -> [Double] {
            if kind == "values" { return (values ?? []).map { Fixture.double($0) } }
            let n = count ?? 0
            let a = Fixture.double(self.a ?? "0")
            let b = Fixture.double(self.b ?? "0")
            var state = seed ?? 0
            switch kind {
            case "constant":
                return Array(repeating: a, count: n)
            case "uniform":
                return (0..<n).map { _ in a + b * KolmogorovSmirnov2SampleTests.lcgUniform(&state) }
            case "integer":
                return (0..<n).map { _ in (a + b * KolmogorovSmirnov2SampleTests.lcgUniform(&state)).rounded(.down) }
            case "normalish":
                return (0..<n).map { _ in
                    let u1 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
                    let u2 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
                    let u3 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
                    let u4 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
                    return a + b * (((u1 + u2) + u3) + u4 - 2.0)
                }
            default:
                Issue.record("unknown generator kind \(kind)")
                return []
            }
        }
    }

    struct Case: Decodable {
        let label: String
        let x: Sample
        let y: Sample
        let runs: [KolmogorovTests.Row]
    }

    /// Knuth's MMIX LCG; the top 53 bits as a uniform in [0, 1) (the fixture script's generator).
    static func lcgUniform(_ state: inout UInt64) -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) * 0x1p-53
    }

    static let twoUlps = 4.5e-16

    @Test func matchesSciPy() throws {
        let file = try Fixture.load("ks_2samp", as: File.self)
        #expect(file.generator.scipy == "1.17.1")
        var runCount = 0
        var worstReference = 0.0
        var worstPlain = 0.0
        for c in file.cases {
            let x = c.x.generate()
            let y = c.y.generate()
            for run in c.runs {
                runCount += 1
                let alternative = try #require(KSAlternative(rawValue: run.text(0)))
                let method = try #require(KSMethod(rawValue: run.text(1)))
                let place = "\(c.label) [\(x.count)×\(y.count), \(alternative.rawValue), \(method.rawValue)]"
                let r = try KolmogorovSmirnov.twoSample(x, y, alternative: alternative, method: method)
                let statistic = run.double(2)
                let pPlain = run.double(3)
                let pReference = run.optionalDouble(4) ?? pPlain
                #expect(r.statistic.bitPattern == statistic.bitPattern || (r.statistic.isNaN && statistic.isNaN),
                        "\(place): statistic \(r.statistic), SciPy \(statistic)")
                let location = run.double(5)
                #expect(r.statisticLocation.bitPattern == location.bitPattern || (r.statisticLocation.isNaN && location.isNaN),
                        "\(place): location \(r.statisticLocation), SciPy \(location)")
                #expect(r.statisticSign == run.int(6), "\(place): sign \(r.statisticSign), SciPy \(run.int(6))")
                #expect(r.method.rawValue == run.text(7), "\(place): method \(r.method), SciPy \(run.text(7))")
                let dReference = KolmogorovTests.difference(r.pValue, pReference)
                let dPlain = KolmogorovTests.difference(r.pValue, pPlain)
                worstReference = max(worstReference, dReference)
                worstPlain = max(worstPlain, dPlain)
                // Two-sided asymptotic p-values of large samples go through the long smirnov
                // sums, accumulated from logarithms (KolmogorovTests.logarithmicSum).
                let tolerance = method == .exact || alternative != .twoSided ? Self.twoUlps : KolmogorovTests.logarithmicSum
                #expect(dReference <= tolerance, "\(place): p \(r.pValue), SciPy (reference) \(pReference)")
                #expect(dPlain <= KolmogorovTests.blasRelative || abs(r.pValue - pPlain) <= KolmogorovTests.blasAbsolute,
                        "\(place): p \(r.pValue), SciPy \(pPlain)")
            }
        }
        #expect(runCount > 300)
        print("ks_2samp: \(runCount) runs; max p difference \(worstReference) (reference), \(worstPlain) (plain SciPy)")
    }

    @Test func spotValuesFromTheSpec() throws {
        // peer-algorithms.md §2.2: x = 0…9, y = 5.5…14.5, asymptotic method.
        let x = (0..<10).map(Double.init)
        let y = (0..<10).map { Double($0) + 5.5 }
        let two = try KolmogorovSmirnov.twoSample(x, y)
        #expect(abs(two.statistic - 0.6) < 1e-15)
        #expect(KolmogorovTests.difference(two.pValue, 0.03007999999999996) <= Self.twoUlps)
        let greater = try KolmogorovSmirnov.twoSample(x, y, alternative: .greater)
        #expect(KolmogorovTests.difference(greater.pValue, 0.01499557682047769) <= Self.twoUlps)
        let less = try KolmogorovSmirnov.twoSample(x, y, alternative: .less)
        #expect(less.statistic == 0 && less.statistic.sign == .minus)  // −0.0, as SciPy
        #expect(less.pValue == 1.0)
    }

    // MARK: Errors and special inputs

    @Test func emptySamplesThrowDomain() {
        #expect(throws: NumericsError.self) { try KolmogorovSmirnov.twoSample([], [1.0]) }
        #expect(throws: NumericsError.self) { try KolmogorovSmirnov.twoSample([1.0], []) }
        #expect(throws: NumericsError.self) { try KolmogorovSmirnov.twoSample(sorted: [], sorted: [1.0]) }
        do {
            _ = try KolmogorovSmirnov.twoSample([1.0], [], method: .exact)
            Issue.record("no error")
        } catch {
            guard case .domain = error else { Issue.record("wrong error \(error)"); return }
        }
    }

    @Test func nanPropagates() throws {
        for method in KSMethod.allCases {
            for alternative in KSAlternative.allCases {
                let r = try KolmogorovSmirnov.twoSample([1, .nan, 3], [2, 4], alternative: alternative, method: method)
                #expect(r.statistic.isNaN && r.pValue.isNaN && r.statisticLocation.isNaN)
                #expect(r.statisticSign == 0)
            }
        }
        let sorted = try KolmogorovSmirnov.twoSample(sorted: [1, 2], sorted: [.nan])
        #expect(sorted.pValue.isNaN)
    }

    @Test func sortedVariantMatchesAndChecksOrder() throws {
        var state: UInt64 = 77
        for trial in 0..<40 {
            let n1 = 1 + Int(Self.lcgUniform(&state) * 60)
            let n2 = 1 + Int(Self.lcgUniform(&state) * 60)
            let x = (0..<n1).map { _ in (Self.lcgUniform(&state) * 8).rounded(.down) }
            let y = (0..<n2).map { _ in (Self.lcgUniform(&state) * 8).rounded(.down) + 0.5 }
            for alternative in KSAlternative.allCases {
                for method in KSMethod.allCases {
                    let a = try KolmogorovSmirnov.twoSample(x, y, alternative: alternative, method: method)
                    let b = try KolmogorovSmirnov.twoSample(sorted: x.sorted(), sorted: y.sorted(), alternative: alternative, method: method)
                    #expect(a.statistic.bitPattern == b.statistic.bitPattern && a.pValue.bitPattern == b.pValue.bitPattern,
                            "trial \(trial)")
                }
            }
        }
        #expect(throws: NumericsError.self) { try KolmogorovSmirnov.twoSample(sorted: [2, 1], sorted: [1]) }
    }

    // MARK: Properties

    /// `max(F₁ − F₂)` and `max(F₂ − F₁)` over the pooled values, by counting (O(n·m)).
    static func bruteForce(_ x: [Double], _ y: [Double]) -> (plus: Double, minus: Double) {
        var plus = -Double.infinity
        var minus = -Double.infinity
        for v in x + y {
            let f1 = Double(x.filter { $0 <= v }.count) / Double(x.count)
            let f2 = Double(y.filter { $0 <= v }.count) / Double(y.count)
            plus = max(plus, f1 - f2)
            minus = max(minus, f2 - f1)
        }
        return (plus, max(minus, 0))
    }

    @Test func statisticMatchesBruteForceAndPValuesAreProbabilities() throws {
        var state: UInt64 = 2024
        for trial in 0..<150 {
            let n1 = 1 + Int(Self.lcgUniform(&state) * 80)
            let n2 = 1 + Int(Self.lcgUniform(&state) * 80)
            let ties = Self.lcgUniform(&state) < 0.5
            let shift = Self.lcgUniform(&state) * 0.5
            let make: (Int, Double) -> [Double] = { n, s in
                (0..<n).map { _ in
                    let u = Self.lcgUniform(&state)
                    return ties ? (u * 6).rounded(.down) + s.rounded() : u + s
                }
            }
            let x = make(n1, 0)
            let y = make(n2, shift)
            let (plus, minus) = Self.bruteForce(x, y)
            for method in KSMethod.allCases {
                let two = try KolmogorovSmirnov.twoSample(x, y, method: method)
                let greater = try KolmogorovSmirnov.twoSample(x, y, alternative: .greater, method: method)
                let less = try KolmogorovSmirnov.twoSample(x, y, alternative: .less, method: method)
                for r in [two, greater, less] {
                    #expect(r.pValue >= 0 && r.pValue <= 1 || (r.pValue.isNaN && n1 == 1 && n2 == 1),
                            "trial \(trial) [\(n1)×\(n2), \(method)]: p = \(r.pValue)")
                }
                // Exact methods round the statistic to h/lcm(n, m); compare within an ulp there.
                let tolerance = method == .asymp ? 0 : 4e-16
                #expect(abs(greater.statistic - plus) <= tolerance, "trial \(trial): D+ \(greater.statistic) vs \(plus)")
                #expect(abs(less.statistic - minus) <= tolerance, "trial \(trial): D− \(less.statistic) vs \(minus)")
                #expect(abs(two.statistic - max(plus, minus)) <= tolerance, "trial \(trial): D \(two.statistic)")
            }
        }
    }

    @Test func swappingSamplesMirrorsTheAlternatives() throws {
        var state: UInt64 = 99
        for _ in 0..<60 {
            let n1 = 1 + Int(Self.lcgUniform(&state) * 50)
            let n2 = 1 + Int(Self.lcgUniform(&state) * 50)
            let x = (0..<n1).map { _ in Self.lcgUniform(&state) }
            let y = (0..<n2).map { _ in Self.lcgUniform(&state) + 0.2 }
            for method in KSMethod.allCases {
                let a = try KolmogorovSmirnov.twoSample(x, y, method: method)
                let b = try KolmogorovSmirnov.twoSample(y, x, method: method)
                #expect(a.statistic == b.statistic)
                #expect(a.pValue.bitPattern == b.pValue.bitPattern || (a.pValue.isNaN && b.pValue.isNaN))
                let g = try KolmogorovSmirnov.twoSample(x, y, alternative: .greater, method: method)
                let l = try KolmogorovSmirnov.twoSample(y, x, alternative: .less, method: method)
                #expect(g.statistic == l.statistic)
                #expect(g.pValue.bitPattern == l.pValue.bitPattern)
            }
        }
    }

    @Test func identicalAndConstantSamples() throws {
        let x = [3.0, 1.0, 2.0, 2.0, 5.0]
        for method in KSMethod.allCases {
            let r = try KolmogorovSmirnov.twoSample(x, x, method: method)
            #expect(r.statistic == 0)
            #expect(r.pValue == 1)
            let c = try KolmogorovSmirnov.twoSample([4, 4, 4], [4, 4], method: method)
            #expect(c.statistic == 0 && c.pValue == 1)
        }
    }

    @Test func methodSwitching() throws {
        // auto: exact up to 10 000 values per sample.
        let small = try KolmogorovSmirnov.twoSample([1, 2, 3], [2.5, 4], method: .auto)
        #expect(small.method == .exact)
        let big = try KolmogorovSmirnov.twoSample((0..<10_001).map(Double.init), [0.5, 1.5], method: .auto)
        #expect(big.method == .asymp)
        // One-sided exact with C(n+m, n) overflowing falls back to asymp.
        var state: UInt64 = 5
        let x = (0..<800).map { _ in Self.lcgUniform(&state) }
        let y = (0..<900).map { _ in Self.lcgUniform(&state) + 0.01 }
        let fallback = try KolmogorovSmirnov.twoSample(x, y, alternative: .greater, method: .exact)
        #expect(fallback.method == .asymp)
        // n = m = 1, asymptotic two-sided: SciPy's kstwo with n = round(0.5) = 0 gives NaN.
        let one = try KolmogorovSmirnov.twoSample([1], [2], method: .asymp)
        #expect(one.pValue.isNaN && one.statistic == 1)
    }

    @Test func deterministicAcrossCalls() throws {
        var state: UInt64 = 31337
        let x = (0..<500).map { _ in Self.lcgUniform(&state) }
        let y = (0..<400).map { _ in Self.lcgUniform(&state) * 1.1 }
        for alternative in KSAlternative.allCases {
            for method in KSMethod.allCases {
                let a = try KolmogorovSmirnov.twoSample(x, y, alternative: alternative, method: method)
                let b = try KolmogorovSmirnov.twoSample(x.reversed(), y.reversed(), alternative: alternative, method: method)
                #expect(a == b)
            }
        }
    }
}
