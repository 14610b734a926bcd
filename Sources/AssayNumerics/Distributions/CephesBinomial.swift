/// The binomial coefficient `C(n, k)` exactly as `scipy.special.binom` computes it, for the exact
/// one-sided two-sample Kolmogorov–Smirnov probability (SciPy counts lattice paths with it, by
/// inclusion–exclusion, so its rounding errors reach the p-value and parity needs the same
/// values, not merely accurate ones).
///
/// A port of `xsf/binom.h` and the cephes routines it calls (`beta`, `Gamma`, `rgamma`, `lgam`),
/// restricted to real arguments `n ≥ 0` or integer `n < 0`; that is all the KS code passes.
/// Determinism: IEEE arithmetic only. Where cephes calls the C library's `exp`, `log` and `pow`
/// (glibc's round correctly in all but rare cases), this port computes the value in
/// double-double and rounds it (``DoubleDouble/correctlyRoundedExp(_:)``, `pow(_:quarters:)`), so
/// the inputs to cephes' arithmetic are the same doubles as SciPy's and the results agree to the
/// last bit in almost every case.
enum CephesBinomial {
    private static let maxGam = 171.624376956302725
    private static let maxLog = 7.09782712893383996732E2
    private static let sqrtTwoPi = 2.50662827463100050242E0  // cephes SQRTPI, which is √(2π)
    private static let maxStir = 143.01608

    /// `C(n, k)` for real `n`, `k` (`scipy.special.binom`); NaN for negative integer `n`.
    static func binom(_ n: Double, _ k: Double) -> Double {
        if n.isNaN || k.isNaN { return .nan }
        if n < 0 && n == n.rounded(.down) { return .nan }
        var kx = k.rounded(.down)
        if k == kx && (abs(n) > 1e-8 || n == 0) {
            // Integer case: the multiplication formula, exact while the result is an integer.
            let nx = n.rounded(.down)
            if nx == n && kx > nx / 2 && nx > 0 { kx = nx - kx }
            if kx >= 0 && kx < 20 {
                var num = 1.0
                var den = 1.0
                let top = Int(kx)
                if top >= 1 {
                    for i in 1...top {
                        num *= Double(i) + n - kx
                        den *= Double(i)
                        if abs(num) > 1e50 {
                            num /= den
                            den = 1.0
                        }
                    }
                }
                return num / den
            }
        }
        // General case.
        if n >= 1e10 * k && k > 0 {
            return DoubleDouble.correctlyRoundedExp(-lbeta(1 + n - k, 1 + k) - DoubleDouble.correctlyRoundedLog(n + 1))
        }
        if k > 1e8 * abs(n) {
            // Needs sin(π·x); never reached with the integer arguments of the KS code.
            return .nan
        }
        return 1 / (n + 1) / beta(1 + n - k, 1 + k)
    }

    // MARK: Beta (cephes beta.c)

    /// `ln |B(a, b)|` for `a > 10⁶·max(|b|, 1)`.
    private static func lbetaAsymp(_ a: Double, _ b: Double) -> (Double, Int) {
        let (lg, sign) = lgamSign(b)
        var r = lg
        r -= b * DoubleDouble.correctlyRoundedLog(a)
        r += b * (1 - b) / (2 * a)
        r += b * (1 - b) * (1 - 2 * b) / (12 * a * a)
        r += -b * b * (1 - b) * (1 - b) / (12 * a * a * a)
        return (r, sign)
    }

    /// `B(a, b)` for a non-positive integer `a`.
    private static func betaNegativeInteger(_ a: Int, _ b: Double) -> Double {
        if b == b.rounded(.towardZero) && Double(1 - a) - b > 0 {
            let sign: Double = Int(b) % 2 == 0 ? 1 : -1
            return sign * beta(Double(1 - a) - b, b)
        }
        return .infinity
    }

    /// `B(a, b) = Γ(a)Γ(b)/Γ(a+b)`.
    static func beta(_ a: Double, _ b: Double) -> Double {
        var a = a
        var b = b
        if a <= 0 && a == a.rounded(.down) {
            guard abs(a) < 0x1p31 else { return .infinity }
            return betaNegativeInteger(Int(a), b)
        }
        if b <= 0 && b == b.rounded(.down) {
            guard abs(b) < 0x1p31 else { return .infinity }
            return betaNegativeInteger(Int(b), a)
        }
        if abs(a) < abs(b) { swap(&a, &b) }
        if abs(a) > 1e6 * abs(b) && a > 1e6 {
            let (y, sign) = lbetaAsymp(a, b)
            return Double(sign) * DoubleDouble.correctlyRoundedExp(y)
        }
        var y = a + b
        if abs(y) > maxGam || abs(a) > maxGam || abs(b) > maxGam {
            var sign = 1
            var (lg, s) = lgamSign(y)
            sign *= s
            y = lg
            (lg, s) = lgamSign(b)
            y = lg - y
            sign *= s
            (lg, s) = lgamSign(a)
            y = lg + y
            sign *= s
            if y > maxLog { return Double(sign) * .infinity }
            return Double(sign) * DoubleDouble.correctlyRoundedExp(y)
        }
        return gammaProduct(overGammaOf: y, a, b)
    }

    /// `Γ(a)·Γ(b)/Γ(sum)`, multiplied in the order cephes `beta` uses (the factor nearer to
    /// cancelling `1/Γ(sum)` first); `+∞` when `1/Γ(sum)` overflows.
    private static func gammaProduct(overGammaOf sum: Double, _ a: Double, _ b: Double) -> Double {
        var y = rgamma(sum)
        let ga = gamma(a)
        let gb = gamma(b)
        if y.isInfinite { return .infinity }
        if abs(abs(ga * y) - 1.0) > abs(abs(gb * y) - 1.0) {
            y = gb * y
            y *= ga
        } else {
            y = ga * y
            y *= gb
        }
        return y
    }

    /// `ln |B(a, b)|`, for the `n ≥ 10¹⁰·k` branch of ``binom(_:_:)``.
    private static func lbeta(_ a: Double, _ b: Double) -> Double {
        var a = a
        var b = b
        if (a <= 0 && a == a.rounded(.down)) || (b <= 0 && b == b.rounded(.down)) { return .infinity }
        if abs(a) < abs(b) { swap(&a, &b) }
        if abs(a) > 1e6 * abs(b) && a > 1e6 { return lbetaAsymp(a, b).0 }
        var y = a + b
        if abs(y) > maxGam || abs(a) > maxGam || abs(b) > maxGam {
            y = lgamSign(y).0
            y = lgamSign(b).0 - y
            y = lgamSign(a).0 + y
            return y
        }
        y = gammaProduct(overGammaOf: y, a, b)
        if y.isInfinite { return .infinity }
        return DoubleDouble.correctlyRoundedLog(abs(y))
    }

    // MARK: Gamma (cephes gamma.c, positive arguments)

    private static let gammaP: [Double] = [
        1.60119522476751861407E-4, 1.19135147006586384913E-3, 1.04213797561761569935E-2,
        4.76367800457137231464E-2, 2.07448227648435975150E-1, 4.94214826801497100753E-1,
        9.99999999999999996796E-1,
    ]
    private static let gammaQ: [Double] = [
        -2.31581873324120129819E-5, 5.39605580493303397842E-4, -4.45641913851797240494E-3,
        1.18139785222060435552E-2, 3.58236398605498653373E-2, -2.34591795718243348568E-1,
        7.14304917030273074085E-2, 1.00000000000000000320E0,
    ]
    private static let gammaStir: [Double] = [
        7.87311395793093628397E-4, -2.29549961613378126380E-4, -2.68132617805781232825E-3,
        3.47222221605458667310E-3, 8.33333333333482257126E-2,
    ]

    /// Stirling's formula, for `33 < x < MAXGAM`. The power is `x^(x − 1/2)` (or its square
    /// root twice), which for the KS code's integer `x` is a whole number of quarters.
    private static func stirf(_ x: Double) -> Double {
        if x >= maxGam { return .infinity }
        var w = 1.0 / x
        w = 1.0 + w * SpecialFunctions.polevl(w, gammaStir)
        var y = DoubleDouble.correctlyRoundedExp(x)
        let quarters = 4 * x
        let exactQuarters = quarters == quarters.rounded(.towardZero) && abs(quarters) < 0x1p52
        if x > maxStir {
            let v = exactQuarters
                ? DoubleDouble.pow(x, quarters: Int(2 * x - 1))  // x^(x/2 − 1/4)
                : DoubleDouble.correctlyRoundedExp((0.5 * x - 0.25) * DoubleDouble.correctlyRoundedLog(x))
            y = v * (v / y)
        } else {
            let v = exactQuarters
                ? DoubleDouble.pow(x, quarters: Int(4 * x - 2))  // x^(x − 1/2)
                : DoubleDouble.correctlyRoundedExp((x - 0.5) * DoubleDouble.correctlyRoundedLog(x))
            y = v / y
        }
        return sqrtTwoPi * y * w
    }

    /// `Γ(x)` for `x > 0` (cephes `Gamma`); NaN for `x ≤ 0`, which the KS code never passes.
    static func gamma(_ x: Double) -> Double {
        if !x.isFinite { return x > 0 ? x : .nan }
        if x <= 0 { return .nan }
        if x > 33.0 { return stirf(x) }
        var x = x
        var z = 1.0
        while x >= 3.0 {
            x -= 1.0
            z *= x
        }
        while x < 2.0 {
            if x < 1e-9 { return z / ((1.0 + 0.5772156649015329 * x) * x) }
            z /= x
            x += 1.0
        }
        if x == 2.0 { return z }
        x -= 2.0
        return z * SpecialFunctions.polevl(x, gammaP) / SpecialFunctions.polevl(x, gammaQ)
    }

    private static let rgammaR: [Double] = [
        3.13173458231230000000E-17, -6.70718606477908000000E-16, 2.20039078172259550000E-15,
        2.47691630348254132600E-13, -6.60074100411295197440E-12, 5.13850186324226978840E-11,
        1.08965386454418662084E-9, -3.33964630686836942556E-8, 2.68975996440595483619E-7,
        2.96001177518801696639E-6, -8.04814124978471142852E-5, 4.16609138709688864714E-4,
        5.06579864028608725080E-3, -6.41925436109158228810E-2, -4.98558728684003594785E-3,
        1.27546015610523951063E-1,
    ]

    /// `1/Γ(x)` for `x > 0` (cephes `rgamma`).
    private static func rgamma(_ x: Double) -> Double {
        if x == 0 { return x }
        if x < 0 { return .nan }
        if abs(x) > 4.0 { return 1.0 / gamma(x) }
        var z = 1.0
        var w = x
        while w > 1.0 {
            w -= 1.0
            z *= w
        }
        if w == 0.0 { return 0.0 }
        if w == 1.0 { return 1.0 / z }
        // Chebyshev series (cephes chbevl) in 4w − 2.
        let t = 4.0 * w - 2.0
        var b0 = rgammaR[0]
        var b1 = 0.0
        var b2 = 0.0
        for c in rgammaR.dropFirst() {
            b2 = b1
            b1 = b0
            b0 = t * b1 - b2 + c
        }
        return w * (1.0 + 0.5 * (b0 - b2)) / z
    }

    // MARK: log Gamma (cephes lgam, positive arguments)

    /// `(ln |Γ(x)|, sign Γ(x))` for `x > 0` (cephes `lgam_sgn`); NaN for `x ≤ 0`. Cephes `lgam`
    /// on the correctly rounded `log` of ``DoubleDouble``: the binomial terms of the KS exact paths
    /// are matched to SciPy bit for bit, and a one-ulp difference in `log` would show there.
    private static func lgamSign(_ x: Double) -> (Double, Int) {
        if !x.isFinite { return (x, 1) }
        if x <= 0 { return (.nan, 1) }
        return (SpecialFunctions.logGamma(x, log: DoubleDouble.correctlyRoundedLog), 1)
    }
}

