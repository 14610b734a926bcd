/// The exact finite-sample distribution of the two-sided one-sample Kolmogorov–Smirnov statistic
/// `Dₙ = supₓ |Fₙ(x) − F(x)|` for `n` observations: `scipy.stats.kstwo.sf(d, n)` and `.cdf(d, n)`.
///
/// A port of SciPy's `scipy/stats/_ksstats.py` (`_kolmogn`, SciPy 1.17.1), which follows Simard and
/// L'Ecuyer (2011) in choosing, by `n` and `n·d²`, between Ruben–Gambino's closed forms, twice the
/// one-sided ``Smirnov`` probability, Durbin's matrix method in the Marsaglia–Tsang–Wang form,
/// Pomeranz's recursion and the Pelz–Good asymptotic series. The branch thresholds are SciPy's and
/// are part of the result:
///
/// | case | method |
/// |---|---|
/// | `n·d ≤ 1` | Ruben–Gambino, `n!/nⁿ · (2nd − 1)ⁿ` |
/// | `n·d ≥ n − 1` | `sf = 2(1 − d)ⁿ` |
/// | `d ≥ 0.5` | `sf = 2 · smirnov(n, d)` (exact) |
/// | `n ≤ 140`, `n·d² ≤ 0.754693` | Durbin / MTW |
/// | `n ≤ 140`, `n·d² ≤ 4` | Pomeranz |
/// | `n ≤ 140`, otherwise | `sf = 2 · smirnov(n, d)` |
/// | `n > 140`, sf, `n·d² ≥ 370` | `sf = 0` |
/// | `n > 140`, sf, `n·d² ≥ 2.2` | `sf = 2 · smirnov(n, d)` |
/// | `n > 140`, `n·d² ≥ 18` | `cdf = 1` |
/// | `n > 140`, `n ≤ 100 000` and `n·d^1.5 ≤ 1.4` | Durbin / MTW |
/// | `n > 140`, otherwise | Pelz–Good |
///
/// Where SciPy carries an 80-bit `long double` (after rescaling by 2¹²⁸ in the Durbin and Pomeranz
/// normalisations) this port carries a double-double, which is at least as precise.
///
/// Determinism: IEEE `+ − × ÷` and `squareRoot()` only, in a fixed order; the same inputs give
/// the same bits on every machine. `pow`, `exp` and `log`, which SciPy takes
/// from the C library (correctly rounded in glibc but for rare cases), are computed in
/// double-double and rounded. Matrix products and convolutions sum each entry in increasing index
/// order. SciPy's go through BLAS, whose order and fused multiply-adds vary by CPU, and NumPy's
/// SIMD `power`/`exp`/`log` are not correctly rounded, so plain SciPy agrees to about 1e-12
/// relative (4e-15 absolute for `sf` in the Durbin and Pomeranz branches), while SciPy's code run
/// with sequential sums and libm agrees to 2 ulps, nearly always to the bit (see `KolmogorovTests`).
public enum Kolmogorov {
    /// `P(Dₙ ≥ d)`: the survival function of the two-sided statistic (`scipy.stats.kstwo.sf`).
    ///
    /// - Parameters:
    ///   - d: the statistic, a distance between distribution functions (dimensionless, in `[0, 1]`).
    ///   - n: the sample size.
    /// - Returns: a probability in `[0, 1]`: 1 for `d ≤ 1/(2n)`, 0 for `d ≥ 1`; NaN when `d` is NaN
    ///   or `n < 1` (SciPy's bad-value result).
    /// - Complexity: O(1) to O(k² log n) with `k ≈ n·d` (Durbin), O(n²·d) (Pomeranz), O(n) (Smirnov).
    public static func sf(_ d: Double, n: Int) -> Double {
        guard n >= 1, !d.isNaN else { return .nan }
        if d <= 0.5 / Double(n) { return 1 }
        if d >= 1 { return 0 }
        return kolmogn(n, d, cdf: false)
    }

    /// `P(Dₙ ≤ d)`: the distribution function of the two-sided statistic (`scipy.stats.kstwo.cdf`).
    ///
    /// - Parameters:
    ///   - d: the statistic, a distance between distribution functions (dimensionless, in `[0, 1]`).
    ///   - n: the sample size.
    /// - Returns: a probability in `[0, 1]`: 0 for `d ≤ 1/(2n)`, 1 for `d ≥ 1`; NaN when `d` is NaN
    ///   or `n < 1`.
    public static func cdf(_ d: Double, n: Int) -> Double {
        guard n >= 1, !d.isNaN else { return .nan }
        if d >= 1 { return 1 }
        if d <= 0.5 / Double(n) { return 0 }
        return kolmogn(n, d, cdf: true)
    }

    // MARK: Constants, as SciPy computes them (hexadecimal, so exact)

    private static let sqrt2Pi: Double = 0x1.40d931ff62705p+1  // np.sqrt(2π)
    private static let log2Pi: Double = 0x1.d67f1c864beb4p+0  // np.log(2π)
    private static let sqrt3: Double = 0x1.bb67ae8584caap+0
    private static let piSquared: Double = 0x1.3bd3cc9be45dep+3  // π**2
    private static let piFour: Double = 0x1.85a2e8c290824p+6  // π**4
    private static let piSix: Double = 0x1.e0b1d11856df6p+9  // π**6
    private static let minLog: Double = -708
    private static let e128: Double = 0x1p128
    private static let em128: Double = 0x1p-128

    /// Stirling-series coefficients `B₂ⱼ / (2j(2j−1))`, j = 8…1 (SciPy's `_STIRLING_COEFFS`).
    private static let stirlingCoefficients: [Double] = [
        -0x1.e4286cb0f5398p-6, 0x1.a41a41a41a41ap-8, -0x1.f6ab0d9993c7dp-10, 0x1.b951e2b18ff23p-11,
        -0x1.3813813813814p-11, 0x1.a01a01a01a01ap-11, -0x1.6c16c16c16c17p-9, 0x1.5555555555555p-4,
    ]

    // MARK: Selection (SciPy `_kolmogn`)

    /// A probability SciPy may hold either as a double or, after rescaling, as an 80-bit long
    /// double; the second is carried here as a double-double.
    private struct Probability {
        var value: DoubleDouble
        var extended: Bool

        /// `clip(p)` rounded to a double.
        var clipped: Double { Smirnov.clamp01(value.hi) }
        /// `clip(1 − p)`, computed in the precision SciPy uses, rounded to a double.
        var complementClipped: Double {
            Smirnov.clamp01(extended ? (1.0 - value).hi : 1.0 - value.hi)
        }
    }

    /// `_select_and_clip_prob(cdfprob, sfprob, cdf)`.
    @inline(__always)
    private static func select(_ cdfProbability: Double, _ sfProbability: Double, cdf: Bool) -> Double {
        Smirnov.clamp01(cdf ? cdfProbability : sfProbability)
    }

    /// `_kolmogn(n, x, cdf)` for `n ≥ 1`.
    static func kolmogn(_ n: Int, _ x: Double, cdf: Bool) -> Double {
        if x.isNaN { return x }
        if x >= 1.0 { return select(1.0, 0.0, cdf: cdf) }
        if x <= 0.0 { return select(0.0, 1.0, cdf: cdf) }
        let dn = Double(n)
        let t = dn * x
        if t <= 1.0 {  // Ruben–Gambino: 1/(2n) <= x <= 1/n
            if t <= 0.5 { return select(0.0, 1.0, cdf: cdf) }
            var prob: Double
            if n <= 140 {
                // np.prod(np.arange(1, n+1) * (1.0/n) * (2t − 1)), multiplied left to right.
                let base = 2 * t - 1
                let rn = 1.0 / dn
                prob = rn * base
                if n >= 2 {
                    for i in 2...n { prob *= (Double(i) * rn) * base }
                }
            } else {
                prob = DoubleDouble.correctlyRoundedExp(
                    logNFactorialOverNPowerN(n) + dn * DoubleDouble.correctlyRoundedLog(2 * t - 1))
            }
            return select(prob, 1.0 - prob, cdf: cdf)
        }
        if t >= dn - 1 {  // Ruben–Gambino
            let prob = 2 * DoubleDouble.pow(1.0 - x, n)
            return select(1 - prob, prob, cdf: cdf)
        }
        if x >= 0.5 {  // exact: 2 · smirnov
            let prob = 2 * Smirnov.sf(n: n, d: x)
            return select(1.0 - prob, prob, cdf: cdf)
        }
        let nxSquared = t * x
        if n <= 140 {
            if nxSquared <= 0.754693 {
                let prob = durbinMTW(n, x)
                return cdf ? prob.clipped : prob.complementClipped
            }
            if nxSquared <= 4 {
                let prob = pomeranz(n, x)
                return cdf ? prob.clipped : prob.complementClipped
            }
            // Miller's approximation: 2 · smirnov
            let prob = 2 * Smirnov.sf(n: n, d: x)
            return select(1.0 - prob, prob, cdf: cdf)
        }
        // The SF and CDF have different cut-offs on n·x².
        if !cdf {
            if nxSquared >= 370.0 { return 0.0 }
            if nxSquared >= 2.2 {
                return Smirnov.clamp01(2 * Smirnov.sf(n: n, d: x))
            }
        }
        if nxSquared >= 18.0 { return select(1.0, 0.0, cdf: cdf) }
        if n <= 100_000 && dn * DoubleDouble.pow1p5(x) <= 1.4 {
            let prob = durbinMTW(n, x)
            return cdf ? prob.clipped : prob.complementClipped
        }
        let prob = pelzGood(n, x)
        return select(prob, 1.0 - prob, cdf: cdf)
    }

    /// `log(n!/nⁿ) = log(n)/2 − n + log(2π)/2 + Σ B₂ⱼ/(2j(2j−1)) / n^(2j−1)`.
    private static func logNFactorialOverNPowerN(_ n: Int) -> Double {
        let dn = Double(n)
        let rn = 1.0 / dn
        let x = rn / dn
        var poly = 0.0
        for c in stirlingCoefficients { poly = poly * x + c }
        return DoubleDouble.correctlyRoundedLog(dn) / 2 - dn + log2Pi / 2 + rn * poly
    }

    // MARK: Durbin's matrix method, Marsaglia–Tsang–Wang form (SciPy `_kolmogn_DMTW`)

    /// `P(Dₙ ≤ d)` as `n!/nⁿ · (Hⁿ)[k,k]` with `d = (k − h)/n`, `H` the `(2k−1)×(2k−1)` Durbin
    /// matrix, powers by repeated squaring rescaled by 2¹²⁸. Requires `0.5 < n·d`, `d < 1`.
    private static func durbinMTW(_ n: Int, _ d: Double) -> Probability {
        let nd = Double(n) * d
        let k = Int(nd.rounded(.up))
        let h = Double(k) - nd
        let m = 2 * k - 1

        // v is the first column (and, reversed, the last row) of H; w[j] = 1/j!.
        var v = [Double](repeating: 0, count: m)
        var w = [Double](repeating: 0, count: m)
        var fac = 1.0
        for j in 1...m {
            v[j - 1] = 1.0 - DoubleDouble.pow(h, j)
            w[j - 1] = fac
            fac /= Double(j)
            v[j - 1] *= fac
        }
        let twoHMinus1 = 2 * h - 1.0
        let tt = (twoHMinus1 > 0 ? DoubleDouble.pow(twoHMinus1, m) : 0) - 2 * DoubleDouble.pow(h, m)
        v[m - 1] = (1.0 + tt) * fac

        var hMatrix = [Double](repeating: 0, count: m * m)
        if m > 1 {
            for i in 1..<m {
                for r in (i - 1)..<m { hMatrix[r * m + i] = w[r - (i - 1)] }
            }
        }
        for r in 0..<m { hMatrix[r * m] = v[r] }
        for c in 0..<m { hMatrix[(m - 1) * m + c] = v[m - 1 - c] }

        var power = [Double](repeating: 0, count: m * m)  // the accumulated power of H
        for i in 0..<m { power[i * m + i] = 1 }
        var nn = n
        var exponent = 0  // scaling of `power`
        var hExponent = 0  // scaling of `hMatrix`
        let kk = (k - 1) * m + (k - 1)
        while nn > 0 {
            if nn % 2 == 1 {
                power = multiply(power, hMatrix, m)
                exponent += hExponent
            }
            nn /= 2
            if nn == 0 { break }  // SciPy squares once more; the square is never used.
            hMatrix = multiply(hMatrix, hMatrix, m)
            hExponent *= 2
            if abs(hMatrix[kk]) > e128 {
                for i in 0..<(m * m) { hMatrix[i] /= e128 }
                hExponent += 128
            }
        }

        // Multiply by n!/nⁿ. SciPy's value turns into a long double at the first rescaling.
        let dn = Double(n)
        var p = power[kk]
        var pExtended = DoubleDouble(0.0)
        var extended = false
        for i in 1...n {
            if !extended {
                p = Double(i) * p / dn
                if abs(p) < em128 {
                    pExtended = DoubleDouble(p) * e128
                    exponent -= 128
                    extended = true
                }
            } else {
                pExtended = (Double(i) * pExtended) / dn
                if abs(pExtended.hi) < em128 {
                    pExtended = pExtended * e128
                    exponent -= 128
                }
            }
        }
        if extended {
            if exponent != 0 { pExtended = pExtended.scaled(by: exponent) }
            return Probability(value: pExtended, extended: true)
        }
        if exponent != 0 { p = DoubleDouble.ldexp(p, exponent) }
        return Probability(value: DoubleDouble(p), extended: false)
    }

    /// `a · b` for `m×m` row-major matrices, each entry summed in increasing index order.
    private static func multiply(_ a: [Double], _ b: [Double], _ m: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * m)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for i in 0..<m {
                        for j in 0..<m {
                            var s = 0.0
                            for l in 0..<m { s += a[i * m + l] * b[l * m + j] }
                            c[i * m + j] = s
                        }
                    }
                }
            }
        }
        return c
    }

    // MARK: Pomeranz's recursion (SciPy `_kolmogn_Pomeranz`)

    /// The endpoints of the non-zero interval of row `i` (SciPy `_pomeranz_compute_j1j2`).
    private static func pomeranzBounds(_ i: Int, _ n: Int, _ ll: Int, _ ceilf: Int, _ roundf: Int) -> (Int, Int) {
        var j1: Int
        var j2: Int
        if i == 0 {
            j1 = -ll - ceilf - 1
            j2 = ll + ceilf - 1
        } else {
            let ip1div2 = (i + 1) / 2
            let ip1mod2 = (i + 1) % 2
            if ip1mod2 == 0 {  // i is odd
                if ip1div2 == n + 1 {
                    j1 = n - ll - ceilf - 1
                    j2 = n + ll + ceilf - 1
                } else {
                    j1 = ip1div2 - 1 - ll - roundf - 1
                    j2 = ip1div2 + ll - 1 + ceilf - 1
                }
            } else {
                j1 = ip1div2 - 1 - ll - 1
                j2 = ip1div2 + ll + roundf - 1
            }
        }
        return (max(j1 + 2, 0), min(j2, n))
    }

    /// Python's `a[start:end]` bounds for an array of `count` elements (negative indices count
    /// from the end; out-of-range bounds are clamped).
    private static func pythonSlice(_ start: Int, _ end: Int, count: Int) -> Range<Int> {
        func clamp(_ i: Int) -> Int {
            if i < 0 { return max(i + count, 0) }
            return min(i, count)
        }
        let s = clamp(start)
        let e = clamp(end)
        return s..<max(s, e)
    }

    /// `P(Dₙ ≤ d)` by Pomeranz's two-row recursion over `2n + 1` steps, rescaled by 2^±128.
    private static func pomeranz(_ n: Int, _ x: Double) -> Probability {
        let dn = Double(n)
        let t = dn * x
        let ll = Int(t.rounded(.down))
        let f = 1.0 * (t - Double(ll))
        let g = min(f, 1.0 - f)
        let ceilf = f > 0 ? 1 : 0
        let roundf = f > 0.5 ? 1 : 0
        let npwrs = 2 * (ll + 1)
        var gpower = [Double](repeating: 1, count: npwrs)  // (g/n)^m/m!
        var twogpower = [Double](repeating: 1, count: npwrs)  // (2g/n)^m/m!
        var onem2gpower = [Double](repeating: 1, count: npwrs)  // ((1−2g)/n)^m/m!
        let gOverN = g / dn
        let twoGOverN = 2 * g / dn
        let oneMinusTwoGOverN = (1 - 2 * g) / dn
        if npwrs > 1 {
            for m in 1..<npwrs {
                let dm = Double(m)
                gpower[m] = gpower[m - 1] * gOverN / dm
                twogpower[m] = twogpower[m - 1] * twoGOverN / dm
                onem2gpower[m] = onem2gpower[m - 1] * oneMinusTwoGOverN / dm
            }
        }

        var v0 = [Double](repeating: 0, count: npwrs)
        var v1 = [Double](repeating: 0, count: npwrs)
        v1[0] = 1
        var v0s = 0
        var v1s = 0
        var exponent = 0
        var (j1, j2) = pomeranzBounds(0, n, ll, ceilf, roundf)
        for i in 1..<(2 * n + 2) {
            let k1 = j1
            swap(&v0, &v1)
            swap(&v0s, &v1s)
            for j in 0..<npwrs { v1[j] = 0 }
            (j1, j2) = pomeranzBounds(i, n, ll, ceilf, roundf)
            let pwrs: [Double]
            if i == 1 || i == 2 * n + 1 {
                pwrs = gpower
            } else {
                pwrs = i % 2 == 1 ? twogpower : onem2gpower
            }
            let ln2 = j2 - k1 + 1
            if ln2 > 0 {
                // conv = np.convolve(V0[k1−V0s : k1−V0s+ln2], pwrs[:ln2]); keep the window
                // conv[j1−k1 ..< j1−k1+(j2−j1+1)].
                let aRange = pythonSlice(k1 - v0s, k1 - v0s + ln2, count: npwrs)
                let bRange = pythonSlice(0, ln2, count: npwrs)
                let la = aRange.count
                let lb = bRange.count
                let convStart = j1 - k1
                let convLength = j2 - j1 + 1
                if la == 0 || lb == 0 || convStart < 0 || convLength < 0
                    || convStart + convLength > la + lb - 1 || convLength > npwrs
                {
                    return Probability(value: DoubleDouble(.nan), extended: false)
                }
                for out in 0..<convLength {
                    let kk = convStart + out
                    var s = 0.0
                    if la >= lb {
                        let lo = max(0, kk - (lb - 1))
                        let hi = min(kk, la - 1)
                        if lo <= hi {
                            for ia in lo...hi { s += v0[aRange.lowerBound + ia] * pwrs[bRange.lowerBound + kk - ia] }
                        }
                    } else {
                        let lo = max(0, kk - (la - 1))
                        let hi = min(kk, lb - 1)
                        if lo <= hi {
                            for ib in lo...hi { s += pwrs[bRange.lowerBound + ib] * v0[aRange.lowerBound + kk - ib] }
                        }
                    }
                    v1[out] = s
                }
                // Scale to avoid underflow.
                var largest = -Double.infinity
                for value in v1 where value > largest { largest = value }
                if largest > 0 && largest < em128 {
                    for j in 0..<npwrs { v1[j] *= e128 }
                    exponent -= 128
                }
                v1s = v0s + j1 - k1
            }
        }

        // Multiply by n!. SciPy's value turns into a long double at the first rescaling.
        let index = n - v1s
        guard index >= 0 && index < npwrs else {
            return Probability(value: DoubleDouble(.nan), extended: false)
        }
        var answer = v1[index]
        var answerExtended = DoubleDouble(0.0)
        var extended = false
        for m in 1...n {
            if !extended {
                if abs(answer) > e128 {
                    answerExtended = DoubleDouble(answer) * em128
                    exponent += 128
                    extended = true
                    answerExtended = answerExtended * Double(m)
                } else {
                    answer *= Double(m)
                }
            } else {
                if abs(answerExtended.hi) > e128 {
                    answerExtended = answerExtended * em128
                    exponent += 128
                }
                answerExtended = answerExtended * Double(m)
            }
        }
        if extended {
            if exponent != 0 { answerExtended = answerExtended.scaled(by: exponent) }
            return Probability(value: answerExtended, extended: true)
        }
        if exponent != 0 { answer = DoubleDouble.ldexp(answer, exponent) }
        return Probability(value: DoubleDouble(answer), extended: false)
    }

    // MARK: Pelz–Good (SciPy `_kolmogn_PelzGood`)

    /// The Pelz–Good expansion `K₀ + K₁/√n + K₂/n + K₃/n^1.5` of `P(Dₙ ≤ x)`.
    private static func pelzGood(_ n: Int, _ x: Double) -> Double {
        if x <= 0.0 { return 0.0 }
        if x >= 1.0 { return 1.0 }
        let dn = Double(n)
        let z = dn.squareRoot() * x
        let zsquared = z * z
        let zthree = DoubleDouble.pow(z, 3)
        let zfour = DoubleDouble.pow(z, 4)
        let zsix = DoubleDouble.pow(z, 6)

        let qlog = -piSquared / 8 / zsquared
        if qlog < minLog { return 0.0 }  // z ≈ 0.0417
        var q = DoubleDouble.correctlyRoundedExp(qlog)

        let k1a = -zsquared
        let k1b = piSquared / 4
        let k2a = 6 * zsix + 2 * zfour
        let k2b = (2 * zfour - 5 * zsquared) * piSquared / 4
        let k2c = piFour * (1 - 2 * zsquared) / 16
        let k3d = piSix * (5 - 30 * zsquared) / 64
        let k3c = piFour * (-60 * zsquared + 212 * zfour) / 16
        let k3b = piSquared * (135 * zfour - 96 * zsix) / 4
        let k3a = -30 * zsix - 90 * DoubleDouble.pow(z, 8)

        // Horner scheme for Σ c_i q^(i²) over odd i.
        var k0to3: [Double] = [0, 0, 0, 0]
        let maxk = Int((16 * z / Double.pi).rounded(.up))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let m = 2 * k - 1
                let msquared = Double(m * m)
                let mfour = Double(m * m * m * m)
                let msix = Double(m * m * m * m * m * m)
                let qpower = DoubleDouble.pow(q, 8 * k)
                let coeffs = [
                    1.0,
                    k1a + k1b * msquared,
                    k2a + k2b * msquared + k2c * mfour,
                    k3a + k3b * msquared + k3c * mfour + k3d * msix,
                ]
                for i in 0..<4 {
                    k0to3[i] *= qpower
                    k0to3[i] += coeffs[i]
                }
            }
        }
        for i in 0..<4 { k0to3[i] *= q }
        for i in 0..<4 { k0to3[i] *= sqrt2Pi }
        let divisors = [z, 6 * zfour, 72 * DoubleDouble.pow(z, 7), 6480 * DoubleDouble.pow(z, 10)]
        for i in 0..<4 { k0to3[i] /= divisors[i] }

        // The sum over all integers k for K₂ and K₃.
        q = DoubleDouble.correctlyRoundedExp(-piSquared / 2 / zsquared)
        let sqrt3z = sqrt3 * z
        var k2terms: [Double] = []
        var k3terms: [Double] = []
        k2terms.reserveCapacity(max(maxk, 0))
        k3terms.reserveCapacity(max(maxk, 0))
        if maxk >= 1 {
            for k in stride(from: maxk, through: 1, by: -1) {
                let ksquared = k * k
                let kspi = Double.pi * Double(k)
                let qpwer = DoubleDouble.pow(q, ksquared)
                k2terms.append(Double(ksquared) * qpwer)
                k3terms.append((sqrt3z + kspi) * (sqrt3z - kspi) * Double(ksquared) * qpwer)
            }
        }
        var k2extra = PairwiseSummation.pairwiseSum(k2terms[...])
        k2extra *= piSquared * sqrt2Pi / (-36 * zthree)
        k0to3[2] += k2extra
        var k3extra = PairwiseSummation.pairwiseSum(k3terms[...])
        k3extra *= piSquared * sqrt2Pi / (216 * zsix)
        k0to3[3] += k3extra
        let powersOfN = [1.0, dn.squareRoot(), dn, DoubleDouble.pow1p5(dn)]
        for i in 0..<4 { k0to3[i] /= powersOfN[i] }
        return ((k0to3[0] + k0to3[1]) + k0to3[2]) + k0to3[3]
    }
}
