/// The one-sided Kolmogorov–Smirnov distribution for a sample of size `n` (Smirnov's
/// distribution of `D⁺ₙ = sup (Fₙ − F)`), as `scipy.special.smirnov` and `smirnovc` compute it.
///
/// This is a port of the cephes routine in SciPy's `xsf` library (`cephes/kolmogorov.h`,
/// `_smirnov`, by Paul van Mulbregt), branch for branch: the Birnbaum–Tingey sum
/// `d · Σ_{v=0}^{⌊n(1−d)⌋} C(n,v) (d + v/n)^(v−1) (1 − d − v/n)^(n−v)` is accumulated in
/// double-double arithmetic, the binomial held as a double-double mantissa with a separate binary
/// exponent, and the sum stops once `4 · (terms left) · |term| < ε · sum`. The special cases are
/// SciPy's: `n = 1`, `n·d ≤ 1`, `d ≥ 1 − 1/n`, `−2nd² < MINLOG`, `n > 1 000 000` (Miller's
/// `exp(−(6nd+1)²/(18n))`), and the short alternating upper sum for small `d`.
///
/// Determinism: only IEEE `+ − × ÷`, `squareRoot()` and ``DeterministicMath``, in a fixed order, so
/// the same arguments give the same bits on every machine. Where cephes calls the C library's `pow`
/// and `exp` (glibc's round correctly in all but rare cases), this port computes the value in
/// double-double and rounds it, so it starts from the same doubles as SciPy; results agree with
/// SciPy 1.17.1 to the last bit in almost every case and within 2 ulps in all tested ones (see
/// `Tests/AssayNumericsTests/KolmogorovTests.swift`).
public enum Smirnov {
    /// `P(D⁺ₙ ≥ d)`, the survival function of the one-sided statistic: `scipy.special.smirnov(n, d)`.
    ///
    /// - Parameters:
    ///   - n: the sample size, `n ≥ 1`.
    ///   - d: the statistic, a probability distance in `[0, 1]`.
    /// - Returns: a probability in `[0, 1]`; NaN when `d` is NaN or outside `[0, 1]`, or `n < 1`.
    /// - Complexity: O(n) terms at most, usually far fewer; O(1) when `n > 1 000 000`.
    public static func sf(n: Int, d: Double) -> Double {
        if d.isNaN { return d }
        return probabilities(n: n, x: d).sf
    }

    /// `P(D⁺ₙ < d)`, the distribution function of the one-sided statistic:
    /// `scipy.special.smirnovc(n, d)`. Same domain and conventions as ``sf(n:d:)``.
    public static func cdf(n: Int, d: Double) -> Double {
        if d.isNaN { return d }
        return probabilities(n: n, x: d).cdf
    }

    // MARK: Constants (xsf cephes)

    private static let maxComputeN = 1_000_000
    private static let upperSumMaxTerms = 3
    private static let upperSumMinN = 10
    private static let minLog: Double = -7.451332191019412076235E2
    private static let ln2: Double = 0x1.62e42fefa39efp-1  // M_LN2
    private static let maxExponent = 960  // SM_MAX_EXPONENT
    private static let epsilon = Double.ulpOfOne

    // MARK: The computation (xsf `_smirnov`)

    /// Both tails at once; NaN for arguments outside the domain.
    static func probabilities(n: Int, x: Double) -> (sf: Double, cdf: Double) {
        if !(n > 0 && x >= 0.0 && x <= 1.0) { return (.nan, .nan) }
        if n == 1 { return (1 - x, x) }
        if x == 0.0 { return (1.0, 0.0) }
        if x == 1.0 { return (0.0, 1.0) }

        let (alpha, nxfl, _) = modNX(n, x)
        var n1mxfl = n - nxfl - (alpha == 0 ? 0 : 1)
        var n1mxceil = n - nxfl
        if alpha == 0 {
            n1mxfl -= 1
            n1mxceil += 1
        }

        // x <= 1/n
        if nxfl == 0 || (nxfl == 1 && alpha == 0) {
            let t = pow2(1, x, n - 1)
            let cdf = x * t
            return (1 - cdf, cdf)
        }
        // The survival function underflows.
        if Double(-2 * n) * x * x < minLog { return (0, 1) }
        // x >= 1 - 1/n
        if nxfl >= n - 1 {
            let sf = pow2(1, -x, n)
            return (sf, 1 - sf)
        }
        // n too big to sum: Miller's approximation.
        if n > maxComputeN {
            let a = 6.0 * Double(n) * x + 1
            let logp = -(a * a) / 18.0 / Double(n)
            if logp < -ln2 {
                let sf = DoubleDouble.correctlyRoundedExp(logp)
                return (sf, 1 - sf)
            }
            let cdf = -expm1(logp)
            return (1 - cdf, cdf)
        }

        let nUpperTerms = n - n1mxceil + 1
        let useUpperSum = (nUpperTerms <= 1 && x < 0.5)
            || (n >= upperSumMinN && nUpperTerms <= upperSumMaxTerms
                && x <= 0.5 / Double(n).squareRoot())

        var start = 0
        var step = 1
        var nTerms = n1mxfl + 1
        let vmid = n / 2
        var cMantissa = DoubleDouble(1.0)
        var cExponent = 0
        var aj: DoubleDouble
        var ajSum = DoubleDouble(0.0)

        if useUpperSum {
            start = n
            step = -1
            nTerms = n - n1mxceil + 1
            aj = pow4D(1, x, 1, 0, n - 1)
        } else {
            let t2 = pow4D(1, -x, 1, 0, n)
            aj = t2 / x
        }
        ajSum = ajSum + aj
        updateBinomial(&cMantissa, &cExponent, n, 0)

        if !useUpperSum && nTerms > logarithmicSumMinTerms {
            let prob = x * lowerSumFromLogarithms(n: n, x: x, terms: nTerms)
            return (clamp01(prob), clamp01(1 - prob))
        }

        var j = 1
        while j < nTerms {
            let v = start + j * step
            aj = computeAv(n, x, v, cMantissa, cExponent)
            if aj.isFinite && aj != DoubleDouble(0.0) {
                ajSum = ajSum + aj
            }
            // Safe to stop early?
            if aj != DoubleDouble(0.0) {
                if Double(4 * (nTerms - j)) * abs(aj.hi) < epsilon * ajSum.hi && j != nTerms - 1 {
                    break
                }
            } else if j > vmid {
                break
            }
            updateBinomial(&cMantissa, &cExponent, n, j)
            j += 1
        }
        let prob = (x * ajSum).hi
        var cdf: Double
        var sf: Double
        if step < 0 {
            cdf = prob
            sf = 1 - prob
        } else {
            cdf = 1 - prob
            sf = prob
        }
        cdf = clamp01(cdf)
        sf = clamp01(sf)
        return (sf, cdf)
    }

    /// Sums longer than this are accumulated from logarithms (``lowerSumFromLogarithms``).
    static let logarithmicSumMinTerms = 64

    /// The Birnbaum–Tingey sum `Σ_{v<terms} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v)`, each term
    /// as `exp` of its logarithm, with cephes' stopping rule.
    ///
    /// cephes computes every term in double-double with a separately scaled binomial; for the long
    /// sums of large `n` (a drift test at `n = 5 000` sums thousands of terms) that costs most of a
    /// two-sample KS test. Here `log C(n,v)` is accumulated from `log((n−v+1)/v)`, `log(x + v/n)`
    /// and `log(1 − x − v/n)` (by `log1p` while `x + v/n < 1/2`) are each within an ulp or two,
    /// and the largest products, `(n−v)·log(1 − x − v/n)`, stay below a few thousand, so a term
    /// carries a relative error of about 1e-13 and the sum of these positive terms about 1e-12:
    /// far inside the 1e-9 the drift detectors promise, and about ten times faster.
    static func lowerSumFromLogarithms(n: Int, x: Double, terms: Int) -> Double {
        let dn = Double(n)
        // (n·x + v) and (n − v − n·x) from n·x in double-double: each rounded once.
        let nx = dn * DoubleDouble(x)
        var logBinomial = 0.0
        var sum = 0.0
        for v in 0..<terms {
            if v > 0 { logBinomial += DeterministicMath.log(Double(n - v + 1) / Double(v)) }
            let p = (nx + Double(v)).hi / dn
            let logP = DeterministicMath.log(p)
            let logQ = p < 0.5 ? DeterministicMath.log1p(-p) : DeterministicMath.log((Double(n - v) - nx).hi / dn)
            let term = DeterministicMath.exp(logBinomial + Double(v - 1) * logP + Double(n - v) * logQ)
            sum += term
            if term != 0 {
                if Double(4 * (terms - v)) * term < epsilon * sum && v != terms - 1 { break }
            } else if v > n / 2 {
                break
            }
        }
        return sum
    }

    /// `min(max(p, 0), 1)` as C++'s `std::clamp` (NaN passes through).
    @inline(__always)
    static func clamp01(_ p: Double) -> Double {
        if p < 0 { return 0 }
        if p > 1 { return 1 }
        return p
    }

    // MARK: Helpers (xsf cephes, same names)

    /// `floor(n·x)` and the remainder, computed exactly in double-double; a remainder that rounds
    /// to 1 moves up to the next integer.
    private static func modNX(_ n: Int, _ x: Double) -> (alpha: Double, nxFloor: Int, nx: Double) {
        let nxD = Double(n) * DoubleDouble(x)
        let nxFloorD = nxD.floor()
        let alphaD = nxD - nxFloorD
        var alpha = alphaD.hi
        var nxFloor = Int(nxFloorD.hi)
        if alpha == 1 {
            nxFloor += 1
            alpha = 0
        }
        return (alpha, nxFloor, nxD.hi)
    }

    /// `C(n, j+1)` from `C(n, j)`, the mantissa renormalised into `[0.5, 1)`.
    private static func updateBinomial(_ mantissa: inout DoubleDouble, _ exponent: inout Int, _ n: Int, _ j: Int) {
        let ratio = DoubleDouble(n - j) / (Double(j) + 1.0)
        let (m, e) = (mantissa * ratio).frexp()
        exponent += e
        mantissa = m
    }

    /// `a^m` in double-double: the double power of the leading part, corrected for the trailing
    /// part by a first-order (or second-order) term.
    private static func powD(_ a: DoubleDouble, _ m: Int) -> DoubleDouble {
        if m <= 0 {
            if m == 0 { return DoubleDouble(1.0) }
            return 1.0 / powD(a, -m)
        }
        if a == DoubleDouble(0.0) { return DoubleDouble(0.0) }
        let ans = DoubleDouble.pow(a.hi, m)
        let r = a.lo / a.hi
        let dm = Double(m)
        var adj = dm * r
        if abs(adj) > 1e-8 {
            if abs(adj) < 1e-4 {
                adj += (dm * r) * ((Double(m - 1) / 2.0) * r)
            } else {
                adj = expm1(dm * DeterministicMath.log1p(r))
            }
        }
        return DoubleDouble(ans) + ans * adj
    }

    /// `(a + b)^m`, rounded.
    private static func pow2(_ a: Double, _ b: Double, _ m: Int) -> Double {
        powD(DoubleDouble(a) + b, m).hi
    }

    /// `a^m = significand · 2^exponent`, splitting the power so nothing underflows.
    private static func pow2ScaledD(_ a: DoubleDouble, _ m: Int) -> (DoubleDouble, Int) {
        if m <= 0 {
            if m == 0 { return (DoubleDouble(1.0), 0) }
            let (ans, e1) = pow2ScaledD(a, -m)
            let (inv, e2) = (1.0 / ans).frexp()
            return (inv, -e1 + e2)
        }
        let (y, yE) = a.frexp()
        if m == 1 { return (y, yE) }
        var maxExpt = maxExponent
        // y^maxExpt >= 2^-960: split the power when y^m would go below.
        if Double(m) * (y.hi - 1) / y.hi < Double(-maxExponent) * ln2 {
            let lg2y = DeterministicMath.log(y.hi) / ln2
            let lgAns = Double(m) * lg2y
            if lgAns <= Double(-maxExponent) {
                maxExpt = Int(nextPowerOf2(Double(-maxExponent) / lg2y + 1) / 2)
            }
        }
        if m <= maxExpt {
            let (ans, e) = powD(y, m).frexp()
            return (ans, e + m * yE)
        }
        let q = m / maxExpt
        let r = m % maxExpt
        let (y2r, y2rE) = pow2ScaledD(y, r)
        let (y2m, y2mE) = pow2ScaledD(y, maxExpt)
        let (y2mq, y2mqE) = pow2ScaledD(y2m, q)
        // y^m = (y^maxExpt)^q · y^r
        let (ans, ansE) = (y2r * y2mq).frexp()
        return (ans, ansE + (y2mqE + y2mE * q) + y2rE + m * yE)
    }

    /// `((a + b) / (c + d))^m` in double-double.
    private static func pow4D(_ a: Double, _ b: Double, _ c: Double, _ d: Double, _ m: Int) -> DoubleDouble {
        if m <= 0 {
            if m == 0 { return DoubleDouble(1.0) }
            return pow4D(c, d, a, b, -m)
        }
        let numerator = DoubleDouble(a) + b
        let denominator = DoubleDouble(c) + d
        if numerator == DoubleDouble(0.0) {
            return denominator == DoubleDouble(0.0) ? DoubleDouble(.nan, .nan) : DoubleDouble(0.0)
        }
        if denominator == DoubleDouble(0.0) {
            return numerator.hi < 0 || (numerator.hi == 0 && numerator.lo < 0)
                ? DoubleDouble(-.infinity, -.infinity) : DoubleDouble(.infinity, .infinity)
        }
        return powD(numerator / denominator, m)
    }

    /// One term `C(n,v) · (1 − x − v/n)^(n−v) · (x + v/n)^(v−1)` of the sum.
    private static func computeAv(_ n: Int, _ x: Double, _ v: Int, _ cMantissa: DoubleDouble, _ cExponent: Int) -> DoubleDouble {
        let t2x = DoubleDouble(n - v) / Double(n) - x
        let (t2, t2E) = pow2ScaledD(t2x, n - v)
        let t1x = DoubleDouble(v) / Double(n) + x
        let (t1, t1E) = pow2ScaledD(t1x, v - 1)
        let ans = (t1 * t2) * cMantissa
        return ans.scaled(by: cExponent + t1E + t2E)
    }

    /// SciPy's `nextPowerOf2`, which (despite its name) nudges `x` up by one part in 2⁵² and
    /// snaps it to an integer when it is one.
    private static func nextPowerOf2(_ x: Double) -> Double {
        let q = DoubleDouble.ldexp(x, -52)  // ldexp(x, 1 - DBL_MANT_DIG)
        var l = abs(q + x)
        if l == 0 {
            l = abs(x)
        } else if l < 0x1p31 {
            let lInt = Int(l)
            if Double(lInt) == l { l = Double(lInt) }
        }
        return l
    }

    // MARK: expm1 (cephes unity.c)

    private static let expm1P: [Double] = [
        1.2617719307481059087798E-4, 3.0299440770744196129956E-2, 9.9999999999999999991025E-1,
    ]
    private static let expm1Q: [Double] = [
        3.0019850513866445504159E-6, 2.5244834034968410419224E-3, 2.2726554820815502876593E-1,
        2.0000000000000000000897E0,
    ]

    /// `e^x − 1`, as cephes computes it: a rational approximation on `|x| ≤ 1/2`, `exp(x) − 1`
    /// outside.
    static func expm1(_ x: Double) -> Double {
        if !x.isFinite {
            if x.isNaN { return x }
            return x > 0 ? x : -1.0
        }
        if x < -0.5 || x > 0.5 { return DoubleDouble.correctlyRoundedExp(x) - 1.0 }
        let xx = x * x
        var r = x * ((expm1P[0] * xx + expm1P[1]) * xx + expm1P[2])
        r = r / ((((expm1Q[0] * xx + expm1Q[1]) * xx + expm1Q[2]) * xx + expm1Q[3]) - r)
        return r + r
    }
}
