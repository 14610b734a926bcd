extension SpecialFunctions {
    // MARK: Cephes lgam coefficients (xsf/cephes/gamma.h, as in SciPy 1.17)

    /// Stirling-series correction for `13 ≤ x < 1000`.
    private static let lgamA: [Double] = [
        8.11614167470508450300E-4, -5.95061904284301438324E-4, 7.93650340457716943945E-4,
        -2.77777777730099687205E-3, 8.33333333333331927722E-2,
    ]
    /// Rational approximation of `log Γ(2 + x)` on `0 ≤ x < 1`: numerator.
    private static let lgamB: [Double] = [
        -1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5,
        -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5,
    ]
    /// Rational approximation of `log Γ(2 + x)` on `0 ≤ x < 1`: denominator (leading 1 implied).
    private static let lgamC: [Double] = [
        -3.51815701436523470549E2, -1.70642106651881159223E4, -2.20528590553854454839E5,
        -1.13933444367982507207E6, -2.53252307177582951285E6, -2.01889141433532773231E6,
    ]
    /// `log √(2π)`.
    private static let logSqrt2Pi = 0.91893853320467274178
    /// `log π`.
    private static let logPi = 1.14472988584940017414
    /// Above this, `log Γ(x)` overflows.
    private static let maxLogGammaArgument = 2.556348e305

    /// The natural logarithm of the absolute value of the gamma function, `log |Γ(x)|`.
    ///
    /// Matches `scipy.special.gammaln` (Cephes `lgam`, SciPy 1.17) branch for branch:
    /// for `x ≥ 13` Stirling's series (`(x − ½)·log x − x + log √(2π)` plus a correction);
    /// for `x < 13` shifting into `[2, 3)` by the recurrence and a rational approximation;
    /// for `x < −34` the reflection formula with ``ElementaryFunctions/sinpi(_:)``.
    ///
    /// Special values: `+∞` at `x = 0, −1, −2, …` (the poles) and at `x = ±∞`; NaN for NaN.
    /// Deterministic (``DeterministicMath/log(_:)`` only). Agreement with SciPy: bit for bit on
    /// every point of `special_gamma.json` (the test allows relative 1e-14, since glibc's `log`
    /// and ours may differ by an ulp elsewhere).
    ///
    /// ```swift
    /// SpecialFunctions.logGamma(0.5)  // 0.5723649429247001 = log √π
    /// ```
    public static func logGamma(_ x: Double) -> Double {
        logGamma(x, log: DeterministicMath.log)
    }

    /// Cephes `lgam` on a given natural logarithm: ``logGamma(_:)`` passes Assay's `log`; the
    /// Kolmogorov–Smirnov binomials pass a correctly rounded one to match SciPy bit for bit.
    static func logGamma(_ xIn: Double, log: (Double) -> Double) -> Double {
        var x = xIn
        if !x.isFinite {
            return x.isNaN ? x : .infinity
        }
        if x < -34.0 {
            let q = -x
            let w = logGamma(q, log: log)
            var p = q.rounded(.down)
            if p == q { return .infinity }
            var z = q - p
            if z > 0.5 {
                p += 1.0
                z = p - q
            }
            z = q * ElementaryFunctions.sinpi(z)
            if z == 0.0 { return .infinity }
            return logPi - log(z) - w
        }
        if x < 13.0 {
            var z = 1.0
            var p = 0.0
            var u = x
            while u >= 3.0 {
                p -= 1.0
                u = x + p
                z *= u
            }
            while u < 2.0 {
                if u == 0.0 { return .infinity }
                z /= u
                p += 1.0
                u = x + p
            }
            if z < 0.0 { z = -z }
            if u == 2.0 { return log(z) }
            p -= 2.0
            x = x + p
            p = x * polevl(x, lgamB) / p1evl(x, lgamC)
            return log(z) + p
        }
        if x > maxLogGammaArgument { return .infinity }
        if x >= 1000.0 {
            let q = (x - 0.5) * log(x) - x + logSqrt2Pi
            if x > 1.0e8 { return q }
            var p = 1.0 / (x * x)
            p = ((7.9365079365079365079365e-4 * p - 2.7777777777777777777778e-3) * p
                + 0.0833333333333333333333) / x
            return q + p
        }
        let q = (x - 0.5) * log(x) - x + logSqrt2Pi
        let p = 1.0 / (x * x)
        return q + polevl(p, lgamA) / x
    }

    // MARK: lgam1p (Cephes unity.c)

    /// ζ(n) for n = 2 … 41, exactly as SciPy 1.17's Cephes `zeta(n, 1)` returns them (within
    /// two ulp of the true values), for the Taylor series of `log Γ(1 + x)`.
    private static let zetaValues: [Double] = [
        0x1.a51a6625307d4p+0, 0x1.33ba004f00620p+0, 0x1.151322ac7d848p+0, 0x1.097418eca7cd0p+0,
        0x1.0470984c09243p+0, 0x1.02232da14cf39p+0, 0x1.010b36af86398p+0, 0x1.00839f3d816b7p+0,
        0x1.00412e33a5bbap+0, 0x1.0020631be48b3p+0, 0x1.001020a5b2cd2p+0, 0x1.00080ac9d08bcp+0,
        0x1.00040392bcad3p+0, 0x1.0002012f797e3p+0, 0x1.00010064cdeb1p+0, 0x1.00008021839b3p+0,
        0x1.0000400b2654ep+0, 0x1.00002003b611ep+0, 0x1.000010013c594p+0, 0x1.00000800695d5p+0,
        0x1.000004002319bp+0, 0x1.000002000bb1ep+0, 0x1.0000010003e5ap+0, 0x1.00000080014c7p+0,
        0x1.00000040006edp+0, 0x1.000000200024fp+0, 0x1.00000010000c5p+0, 0x1.0000000800042p+0,
        0x1.0000000400016p+0, 0x1.0000000200007p+0, 0x1.0000000100002p+0, 0x1.0000000080001p+0,
        0x1.0000000040000p+0, 0x1.0000000020000p+0, 0x1.0000000010000p+0, 0x1.0000000008000p+0,
        0x1.0000000004000p+0, 0x1.0000000002000p+0, 0x1.0000000001000p+0, 0x1.0000000000800p+0,
    ]

    /// Euler's constant γ as Cephes writes it.
    static let eulerGamma = 0.577215664901532860606512090082402431

    /// Machine epsilon as Cephes uses it (2⁻⁵³).
    static let cephesMachineEpsilon = 1.11022302462515654042E-16

    /// `log Γ(1 + x)` near `x = 0` by its Taylor series `−γx + Σ (−x)ⁿ ζ(n)/n`.
    private static func logGamma1pTaylor(_ x: Double) -> Double {
        if x == 0 { return 0 }
        var result = -eulerGamma * x
        var xfac = -x
        for n in 2..<42 {
            xfac *= -x
            let coefficient = zetaValues[n - 2] * xfac / Double(n)
            result += coefficient
            if abs(coefficient) < cephesMachineEpsilon * abs(result) { break }
        }
        return result
    }

    /// `log Γ(1 + x)`, accurate near `x = 0` and `x = 1` (Cephes `lgam1p`).
    static func logGamma1p(_ x: Double) -> Double {
        if abs(x) <= 0.5 {
            return logGamma1pTaylor(x)
        } else if abs(x - 1) < 0.5 {
            return DeterministicMath.log(x) + logGamma1pTaylor(x - 1)
        } else {
            return logGamma(x + 1)
        }
    }

    // MARK: Lanczos approximation (Boost lanczos13m53, as in Cephes lanczos.h)

    /// The Lanczos `g` of Boost's `lanczos13m53`.
    static let lanczosG = 6.024680040776729583740234375

    private static let lanczosSumExpGScaledNumerator: [Double] = [
        0.006061842346248906525783753964555936883222, 0.5098416655656676188125178644804694509993,
        19.51992788247617482847860966235652136208, 449.9445569063168119446858607650988409623,
        6955.999602515376140356310115515198987526, 75999.29304014542649875303443598909137092,
        601859.6171681098786670226533699352302507, 3481712.15498064590882071018964774556468,
        14605578.08768506808414169982791359218571, 43338889.32467613834773723740590533316085,
        86363131.28813859145546927288977868422342, 103794043.1163445451906271053616070238554,
        56906521.91347156388090791033559122686859,
    ]
    private static let lanczosSumExpGScaledDenominator: [Double] = [
        1, 66, 1925, 32670, 357423, 2637558, 13339535, 45995730, 105258076, 150917976,
        120543840, 39916800, 0,
    ]

    /// Boost's `lanczos13m53::lanczos_sum_expG_scaled(x)`: the Lanczos sum scaled by `e⁻ᵍ`,
    /// so that `Γ(x) ≈ ((x + g − ½)/e)^(x − ½) · lanczosSumExpGScaled(x)`.
    static func lanczosSumExpGScaled(_ x: Double) -> Double {
        ratevl(
            x, numerator: lanczosSumExpGScaledNumerator,
            denominator: lanczosSumExpGScaledDenominator)
    }

    // MARK: log1p, log1pmx (Cephes unity.c)

    private static let log1pP: [Double] = [
        4.5270000862445199635215E-5, 4.9854102823193375972212E-1, 6.5787325942061044846969E0,
        2.9911919328553073277375E1, 6.0949667980987787057556E1, 5.7112963590585538103336E1,
        2.0039553499201281259648E1,
    ]
    private static let log1pQ: [Double] = [
        1.5062909083469192043167E1, 8.3047565967967209469434E1, 2.2176239823732856465394E2,
        3.0909872225312059774938E2, 2.1642788614495947685003E2, 6.0118660497603843919306E1,
    ]

    /// Cephes `log1p`: `log(1 + x)` by a rational approximation when `1 + x ∈ [√½, √2]`.
    static func cephesLog1p(_ x: Double) -> Double {
        var z = 1.0 + x
        if z < 0.70710678118654752440 || z > 1.41421356237309504880 {
            return DeterministicMath.log(z)
        }
        z = x * x
        z = -0.5 * z + x * (z * polevl(x, log1pP) / p1evl(x, log1pQ))
        return x + z
    }

    /// `log(1 + x) − x` (Cephes `log1pmx`): the alternating series for `|x| < ½`.
    static func log1pmx(_ x: Double) -> Double {
        if abs(x) < 0.5 {
            var xfac = x
            var result = 0.0
            var n = 2.0
            while n < 500 {
                xfac *= -x
                let term = xfac / n
                result += term
                if abs(term) < cephesMachineEpsilon * abs(result) { break }
                n += 1
            }
            return result
        }
        return cephesLog1p(x) - x
    }
}
