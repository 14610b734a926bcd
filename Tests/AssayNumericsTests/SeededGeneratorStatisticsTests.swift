import AssayNumerics
import Testing

/// Distribution checks with fixed seeds. The generator is deterministic, so these either always
/// pass or always fail: they are not flaky. Each bound is one that a correct generator fails
/// with probability about 0.001 or less, so a failure means a real change, not bad luck.
struct SeededGeneratorStatisticsTests {
    /// Pearson's chi-square over the 10 outcomes of `int(below: 10)`, 100 000 draws, 9 degrees
    /// of freedom. Bound: 1.152 < χ² < 27.877, the 0.001 and 0.999 quantiles of χ²(9) (too
    /// uniform is as suspicious as too lumpy).
    @Test func intBelowTenIsUniform() {
        var g = SeededGenerator(seed: 42).child("chi-square")
        var counts = [Int](repeating: 0, count: 10)
        let n = 100_000
        for _ in 0..<n { counts[Int(g.int(below: 10))] += 1 }
        let expected = Double(n) / 10
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 > 1.152 && chi2 < 27.877, "χ² = \(chi2), counts \(counts)")
    }

    /// Pearson's chi-square over 16 equal bins of `uniform()`, 100 000 draws, 15 degrees of
    /// freedom. Bound: 3.483 < χ² < 37.697 (0.001 and 0.999 quantiles of χ²(15)).
    @Test func uniformIsUniform() {
        var g = SeededGenerator(seed: 42).child("uniform-bins")
        var counts = [Int](repeating: 0, count: 16)
        let n = 100_000
        for _ in 0..<n { counts[Int(g.uniform() * 16)] += 1 }
        let expected = Double(n) / 16
        let chi2 = counts.reduce(0.0) { $0 + (Double($1) - expected) * (Double($1) - expected) / expected }
        #expect(chi2 > 3.483 && chi2 < 37.697, "χ² = \(chi2), counts \(counts)")
    }

    /// Mean and variance of 100 000 `normal()` values. The sample mean has standard error
    /// 1/√n ≈ 0.00316 and the sample variance ≈ √(2/n) ≈ 0.00447; the bounds are 4 standard
    /// errors (|mean| < 0.0127, |variance − 1| < 0.0179; two-sided p ≈ 6e-5 each). The share
    /// inside ±1 must be 0.6827 ± 0.006 (4 standard errors of a proportion).
    @Test func normalHasMeanZeroAndVarianceOne() {
        var g = SeededGenerator(seed: 42).child("normal-moments")
        let n = 100_000
        var sum = 0.0, sumSq = 0.0, inside = 0
        var xs = [Double]()
        xs.reserveCapacity(n)
        for _ in 0..<n {
            let x = g.normal()
            xs.append(x)
            sum += x
            if abs(x) < 1 { inside += 1 }
        }
        let mean = sum / Double(n)
        for x in xs { sumSq += (x - mean) * (x - mean) }
        let variance = sumSq / Double(n - 1)
        #expect(abs(mean) < 0.0127, "mean \(mean)")
        #expect(abs(variance - 1) < 0.0179, "variance \(variance)")
        let share = Double(inside) / Double(n)
        #expect(abs(share - 0.682_689) < 0.006, "share within ±1: \(share)")
    }

    /// Streams of sibling children must look unrelated: the correlation of 10 000 paired
    /// uniforms has standard error 0.01; bound |r| < 0.04.
    @Test func siblingStreamsAreUncorrelated() {
        let root = SeededGenerator(seed: 42)
        var a = root.child("left"), b = root.child("right")
        let n = 10_000
        var sa = 0.0, sb = 0.0, sab = 0.0, saa = 0.0, sbb = 0.0
        for _ in 0..<n {
            let x = a.uniform() - 0.5, y = b.uniform() - 0.5
            sa += x; sb += y; sab += x * y; saa += x * x; sbb += y * y
        }
        let nd = Double(n)
        let cov = sab / nd - (sa / nd) * (sb / nd)
        let r = cov / ((saa / nd - (sa / nd) * (sa / nd)) * (sbb / nd - (sb / nd) * (sb / nd))).squareRoot()
        #expect(abs(r) < 0.04, "r = \(r)")
    }
}
