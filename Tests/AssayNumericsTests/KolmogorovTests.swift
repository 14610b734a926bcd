@testable import AssayNumerics
import Testing

/// SciPy parity of the Kolmogorov–Smirnov distributions: ``Kolmogorov`` (`kstwo`),
/// ``KolmogorovLimit`` (`kstwobign`) and ``Smirnov`` (`scipy.special.smirnov`), against
/// `Fixtures/ks_kstwo.json`, `ks_kstwobign.json` and `ks_smirnov.json` from
/// `scripts/fixtures/numerics_ks.py` (SciPy 1.17.1, NumPy 2.4.6).
///
/// Tolerances (relative, `|a − b| ≤ tol·|b|`; values below 1e-300 compare absolutely):
///
/// | family | tolerance | why |
/// |---|---|---|
/// | `smirnov`, sums of at most 64 terms | 4.5e-16 (2 ulps) | same algorithm and double-double arithmetic; glibc's `pow` is not always correctly rounded |
/// | `smirnov`, longer sums | 1e-11 | terms from logarithms (``Smirnov/lowerSumFromLogarithms(n:x:terms:)``); the error grows with `n` (about 1e-13 at n = 5 000); worst seen 6.7e-12, at n = 10⁵ and more |
/// | `kstwobign` | 4.5e-16 (2 ulps) | same series; glibc `exp` vs a correctly rounded one |
/// | `kstwo`, every branch but smirnov's, vs SciPy's reference run (`*_ref`: sequential sums, libm pow/exp/log) | 4.5e-16 | same operations in the same order |
/// | `kstwo`, branches `2·smirnov` and exact smirnov | 1e-11 | the long smirnov sums, as above |
/// | `kstwo.cdf` vs plain SciPy | 1e-12 | SciPy's Durbin matrix products and Pomeranz convolutions go through BLAS, and NumPy's SIMD `power`/`exp`/`log` are not correctly rounded (both vary by CPU) |
/// | `kstwo.sf` vs plain SciPy | 1e-12 relative or 4e-15 absolute | the same noise in `cdf`, through `sf = 1 − cdf` (sf ≥ 6.7e-4 in those branches) |
struct KolmogorovTests {
    struct Generator: Decodable {
        let script: String
        let python: String
        let numpy: String
        let scipy: String
        let machine: String
    }

    struct Table: Decodable {
        let generator: Generator
        let points: [Row]
    }

    /// A fixture row: a heterogeneous JSON array (numbers, hex strings, nulls).
    struct Row: Decodable {
        var fields: [Field]
        init(from decoder: any Decoder) throws {
            var c = try decoder.unkeyedContainer()
            fields = []
            while !c.isAtEnd {
                if try c.decodeNil() {
                    fields.append(.null)
                } else if let i = try? c.decode(Int.self) {
                    fields.append(.int(i))
                } else {
                    fields.append(.text(try c.decode(String.self)))
                }
            }
        }
        func int(_ i: Int) -> Int {
            if case .int(let v) = fields[i] { return v }
            Issue.record("field \(i) is not an integer")
            return 0
        }
        func text(_ i: Int) -> String {
            if case .text(let v) = fields[i] { return v }
            Issue.record("field \(i) is not text")
            return ""
        }
        func double(_ i: Int) -> Double { Fixture.double(text(i)) }
        func optionalDouble(_ i: Int) -> Double? {
            if case .null = fields[i] { return nil }
            return double(i)
        }
    }

    enum Field {
        case int(Int)
        case text(String)
        case null
    }

    /// Relative difference, absolute below 1e-300; 0 for equal values and for two NaNs.
    static func difference(_ a: Double, _ b: Double) -> Double {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if a.isNaN || b.isNaN || a.isInfinite || b.isInfinite { return .infinity }
        if abs(b) < 1e-300 { return abs(a - b) }
        return abs(a - b) / abs(b)
    }

    static let twoUlps = 4.5e-16
    static let blasRelative = 1e-12
    static let blasAbsolute = 4e-15

    // MARK: kstwo

    @Test func kstwoMatchesSciPy() throws {
        let table = try Fixture.load("ks_kstwo", as: Table.self)
        #expect(table.generator.scipy == "1.17.1")
        #expect(table.points.count > 1000)
        var worst: [String: Double] = [:]
        var worstPlain: [String: Double] = [:]
        for row in table.points {
            let n = row.int(0)
            let d = row.double(1)
            // sf is null where SciPy's smirnov sum is too slow for a debug build (large n).
            var checks: [(Bool, Double, Double, Double?, String)] = [
                (true, Kolmogorov.cdf(d, n: n), row.double(3), row.optionalDouble(5), row.text(7))
            ]
            if let sf = row.optionalDouble(2) {
                checks.append((false, Kolmogorov.sf(d, n: n), sf, row.optionalDouble(4), row.text(6)))
            }
            for (isCDF, value, plain, ref, branch) in checks {
                let key = "\(isCDF ? "cdf" : "sf") \(branch)"
                let reference = ref ?? plain
                let diff = Self.difference(value, reference)
                worst[key] = max(worst[key] ?? 0, diff)
                // The smirnov branches sum long series from logarithms (see smirnovMatchesSciPy).
                let tolerance = branch.hasPrefix("smirnov") ? Self.logarithmicSum : Self.twoUlps
                #expect(diff <= tolerance,
                        "kstwo.\(isCDF ? "cdf" : "sf")(\(d), \(n)) [\(branch)] = \(value), SciPy (reference) \(reference)")
                let plainDiff = Self.difference(value, plain)
                worstPlain[key] = max(worstPlain[key] ?? 0, plainDiff)
                let ok = plainDiff <= Self.blasRelative || (!isCDF && abs(value - plain) <= Self.blasAbsolute)
                #expect(ok, "kstwo.\(isCDF ? "cdf" : "sf")(\(d), \(n)) [\(branch)] = \(value), SciPy \(plain)")
            }
        }
        for key in worst.keys.sorted() {
            print("kstwo \(key): max difference \(worst[key]!) vs reference, \(worstPlain[key]!) vs plain SciPy")
        }
    }

    @Test func kstwoSpotValuesFromTheSpec() {
        // peer-algorithms.md §2.2, SciPy 1.17.1.
        let spots: [(Double, Int, Double)] = [
            (0.1, 100, 0.2526927570063874),
            (0.05, 2500, 7.1667929173507955e-06),
            (0.02, 2500, 0.2664504478465197),
            (0.3, 50, 1.7353260202718738e-04),
            (0.6, 10, 5.681672000000003e-04),
        ]
        for (d, n, expected) in spots {
            let value = Kolmogorov.sf(d, n: n)
            #expect(Self.difference(value, expected) <= Self.blasRelative, "kstwo.sf(\(d), \(n)) = \(value), spec \(expected)")
        }
        #expect(Self.difference(Smirnov.sf(n: 100, d: 0.1), 0.1265906584562817) <= Self.logarithmicSum)
    }

    @Test func kstwoEdgeCases() {
        #expect(Kolmogorov.sf(.nan, n: 10).isNaN)
        #expect(Kolmogorov.cdf(.nan, n: 10).isNaN)
        #expect(Kolmogorov.sf(0.3, n: 0).isNaN)
        #expect(Kolmogorov.cdf(0.3, n: -4).isNaN)
        #expect(Kolmogorov.sf(0, n: 10) == 1)
        #expect(Kolmogorov.cdf(0, n: 10) == 0)
        #expect(Kolmogorov.sf(-1, n: 10) == 1)
        #expect(Kolmogorov.sf(1, n: 10) == 0)
        #expect(Kolmogorov.cdf(1, n: 10) == 1)
        #expect(Kolmogorov.sf(0.05, n: 10) == 1)  // d ≤ 1/(2n)
        #expect(Kolmogorov.sf(.infinity, n: 10) == 0)
        // n = 1: D₁ is uniform on [1/2, 1], sf = 2(1 − d).
        #expect(Kolmogorov.sf(0.75, n: 1) == 0.5)
    }

    @Test func kstwoTailsAreProbabilitiesThatAddUp() {
        var state: UInt64 = 0x5eed
        for _ in 0..<400 {
            let u1 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
            let u2 = KolmogorovSmirnov2SampleTests.lcgUniform(&state)
            let n = 1 + Int(u1 * u1 * 3000)
            let d = u2 * u2
            let sf = Kolmogorov.sf(d, n: n)
            let cdf = Kolmogorov.cdf(d, n: n)
            #expect(sf >= 0 && sf <= 1, "kstwo.sf(\(d), \(n)) = \(sf)")
            #expect(cdf >= 0 && cdf <= 1, "kstwo.cdf(\(d), \(n)) = \(cdf)")
            // SciPy computes both tails by the same method except for n > 140 with
            // 2.2 ≤ n·d² < 18, where sf is 2·smirnov and cdf is Pelz–Good's approximation; the
            // two then disagree (by up to 5.2e-7 for n ≥ 141 in SciPy 1.17.1).
            let nd2 = Double(n) * d * d
            let sameMethod = n <= 140 || nd2 < 2.2 || nd2 >= 18
            #expect(abs(sf + cdf - 1) <= (sameMethod ? 1e-13 : 1e-6), "kstwo sf + cdf at (\(d), \(n)) = \(sf + cdf)")
        }
    }

    // MARK: kstwobign

    @Test func kstwobignMatchesSciPy() throws {
        let table = try Fixture.load("ks_kstwobign", as: Table.self)
        var worst = 0.0
        for row in table.points {
            let x = row.double(0)
            let sf = KolmogorovLimit.sf(x)
            let cdf = KolmogorovLimit.cdf(x)
            let dSF = Self.difference(sf, row.double(1))
            let dCDF = Self.difference(cdf, row.double(2))
            worst = max(worst, dSF, dCDF)
            #expect(dSF <= Self.twoUlps, "kstwobign.sf(\(x)) = \(sf), SciPy \(row.double(1))")
            #expect(dCDF <= Self.twoUlps, "kstwobign.cdf(\(x)) = \(cdf), SciPy \(row.double(2))")
        }
        print("kstwobign: max difference \(worst) over \(table.points.count) points")
        #expect(KolmogorovLimit.sf(.nan).isNaN)
        #expect(KolmogorovLimit.cdf(-.infinity) == 0)
    }

    // MARK: smirnov

    /// Tolerance for sums accumulated from logarithms.
    static let logarithmicSum = 1e-11

    @Test func smirnovMatchesSciPy() throws {
        let table = try Fixture.load("ks_smirnov", as: Table.self)
        var worst = (short: 0.0, long: 0.0)
        var counts = (short: 0, long: 0)
        for row in table.points {
            let n = row.int(0)
            let d = row.double(1)
            let value = Smirnov.sf(n: n, d: d)
            let diff = Self.difference(value, row.double(2))
            // The lower sum has about n(1 − d) terms; allow the looser bound near the switch.
            let long = Double(n) * (1 - d) > Double(Smirnov.logarithmicSumMinTerms) - 2
            if long {
                worst.long = max(worst.long, diff)
                counts.long += 1
            } else {
                worst.short = max(worst.short, diff)
                counts.short += 1
            }
            #expect(diff <= (long ? Self.logarithmicSum : Self.twoUlps), "smirnov(\(n), \(d)) = \(value), SciPy \(row.double(2))")
        }
        #expect(counts.short > 20 && counts.long > 20)
        print("smirnov: max difference \(worst.short) over \(counts.short) short sums, \(worst.long) over \(counts.long) long ones")
    }

    @Test func smirnovEdgeCases() {
        #expect(Smirnov.sf(n: 10, d: .nan).isNaN)
        #expect(Smirnov.sf(n: 0, d: 0.5).isNaN)
        #expect(Smirnov.sf(n: 10, d: -0.1).isNaN)
        #expect(Smirnov.sf(n: 10, d: 1.1).isNaN)
        #expect(Smirnov.sf(n: 1, d: 0.25) == 0.75)
        #expect(Smirnov.sf(n: 10, d: 0) == 1)
        #expect(Smirnov.sf(n: 10, d: 1) == 0)
        #expect(Smirnov.cdf(n: 10, d: 1) == 1)
        for (n, d) in [(5, 0.3), (100, 0.05), (2_000_000, 0.0005)] {
            #expect(abs(Smirnov.sf(n: n, d: d) + Smirnov.cdf(n: n, d: d) - 1) <= 1e-15)
        }
    }

    // MARK: Double-double building blocks

    @Test func doubleDoublePowersAreCorrectlyRounded() {
        #expect(DoubleDouble.pow(3, 5) == 243)
        #expect(DoubleDouble.pow(2, -3) == 0.125)
        #expect(DoubleDouble.pow(0.5, 1074) == .leastNonzeroMagnitude)
        #expect(DoubleDouble.pow(1.0000001, 0) == 1)
        // 1.1^10 = 2.5937424601 exactly in decimal; the nearest double:
        #expect(DoubleDouble.pow(1.1, 10) == 2.5937424601000023)
        #expect(DoubleDouble.pow1p5(4) == 8)
        #expect(DoubleDouble.pow(9, quarters: 6) == 27)
        // (1 + 2⁻³⁰)² = 1 + 2⁻²⁹ + 2⁻⁶⁰: the product rounds the last term away, the error keeps it.
        let (p, e) = DoubleDouble.twoProd(1 + 0x1p-30, 1 + 0x1p-30)
        #expect(p == 1 + 0x1p-29)
        #expect(e == 0x1p-60)
        #expect(DoubleDouble.correctlyRoundedExp(1) == 2.718281828459045)
        #expect(DoubleDouble.correctlyRoundedLog(10) == 2.302585092994046)
        #expect(DoubleDouble.correctlyRoundedLog(1) == 0)
        #expect(DoubleDouble.correctlyRoundedExp(0) == 1)
        for x in [0.001, 0.5, 1.7, 33.0, 150.25, 700.0, -700.0] {
            let e = DoubleDouble.correctlyRoundedExp(x)
            #expect(abs(e - DeterministicMath.exp(x)) <= e.ulp, "exp(\(x))")
        }
    }
}
