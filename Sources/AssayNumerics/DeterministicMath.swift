/// Transcendental functions that give bit-identical results on every machine.
///
/// The platform's libm (glibc, Apple's libm, musl) may return different last bits for the same
/// input, and may change between versions. Anything Assay hashes or records must not depend on
/// that, so these functions use only IEEE 754 `+`, `−`, `×`, `÷` in round-to-nearest (which every
/// conforming machine computes identically), integer operations and bit manipulation. No libm or
/// Foundation call, no fused multiply-add (Swift does not contract `a * b + c`), no lookup
/// tables.
///
/// The algorithms and coefficients are those of Sun's fdlibm 5.3 (`e_log.c`, `e_exp.c`,
/// `s_log1p.c`, with FreeBSD's later threshold fix in `log1p`), rewritten in Swift. fdlibm states
/// an error below 1 ulp for each; the tests check that against correctly rounded values from
/// mpmath (`Tests/AssayNumericsTests/Fixtures/deterministic_math.json`). Each coefficient is
/// written as a hexadecimal float literal, so it is exact.
///
/// Special values follow IEEE 754 / C99 Annex F. A NaN argument is returned unchanged (payload
/// and sign kept, so no dependence on the hardware's NaN propagation rules); a NaN produced here
/// is `Double.nan` (bit pattern `0x7ff8000000000000`).
///
/// This is the one file through which Assay calls transcendental functions.
public enum DeterministicMath {
    // MARK: Constants shared by log and log1p (fdlibm e_log.c, s_log1p.c)

    /// ln 2 split in two: `ln2Hi` has its last 32 bits zero, so `k · ln2Hi` is exact for |k| < 2¹¹.
    private static let ln2Hi: Double = 0x1.62e42fee00000p-1  // 6.93147180369123816490e-01
    private static let ln2Lo: Double = 0x1.a39ef35793c76p-33  // 1.90821492927058770002e-10
    private static let two54: Double = 0x1p54

    /// Minimax coefficients of `R(z) ≈ (log((1+s)/(1−s)) − 2s) / s` in `z = s²`.
    private static let lg1: Double = 0x1.5555555555593p-1  // 6.666666666666735130e-01
    private static let lg2: Double = 0x1.999999997fa04p-2  // 3.999999999940941908e-01
    private static let lg3: Double = 0x1.2492494229359p-2  // 2.857142874366239149e-01
    private static let lg4: Double = 0x1.c71c51d8e78afp-3  // 2.222219843214978396e-01
    private static let lg5: Double = 0x1.7466496cb03dep-3  // 1.818357216161805012e-01
    private static let lg6: Double = 0x1.39a09d078c69fp-3  // 1.531383769920937332e-01
    private static let lg7: Double = 0x1.2f112df3e5244p-3  // 1.479819860511658591e-01

    // MARK: Constants for exp (fdlibm e_exp.c)

    private static let overflowThreshold: Double = 0x1.62e42fefa39efp+9  // 7.09782712893383973096e+02
    private static let underflowThreshold: Double = -0x1.74910d52d3051p+9  // -7.45133219101941108420e+02
    private static let invLn2: Double = 0x1.71547652b82fep+0  // 1.44269504088896338700e+00
    private static let twoM1000: Double = 0x1p-1000
    /// Minimax coefficients of `R(r²) ≈ r·(e^r + 1)/(e^r − 1)` on |r| ≤ ln2/2.
    private static let p1: Double = 0x1.555555555553ep-3  // 1.66666666666666019037e-01
    private static let p2: Double = -0x1.6c16c16bebd93p-9  // -2.77777777770155933842e-03
    private static let p3: Double = 0x1.1566aaf25de2cp-14  // 6.61375632143793436117e-05
    private static let p4: Double = -0x1.bbd41c5d26bf1p-20  // -1.65339022054652515390e-06
    private static let p5: Double = 0x1.6376972bea4d0p-25  // 4.13813679705723846039e-08

    // MARK: Bit access

    /// The upper 32 bits of `x` (sign, exponent, top 20 mantissa bits), as a signed integer.
    @inline(__always)
    private static func highWord(_ x: Double) -> Int32 {
        Int32(bitPattern: UInt32(truncatingIfNeeded: x.bitPattern >> 32))
    }

    /// The lower 32 bits of `x`'s mantissa.
    @inline(__always)
    private static func lowWord(_ x: Double) -> UInt32 {
        UInt32(truncatingIfNeeded: x.bitPattern)
    }

    /// `x` with its upper 32 bits replaced by `high`.
    @inline(__always)
    private static func settingHighWord(_ x: Double, _ high: Int32) -> Double {
        Double(bitPattern: UInt64(UInt32(bitPattern: high)) << 32 | (x.bitPattern & 0xffff_ffff))
    }

    // MARK: log

    /// The natural logarithm of `x`, bit-identical on every machine (error < 1 ulp).
    ///
    /// Special values: `log(±0) = −∞`, `log(x < 0) = NaN`, `log(+∞) = +∞`, `log(1) = +0`, NaN
    /// returned unchanged. Subnormal arguments are handled exactly (scaled by 2⁵⁴ first).
    ///
    /// Method (fdlibm `e_log.c`): write `x = 2^k · (1 + f)` with `√2/2 < 1 + f < √2`; with
    /// `s = f / (2 + f)`, `log(1 + f) = f − s·(f − R)` or `f − (hfsq − s·(hfsq + R))` with
    /// `hfsq = f²/2` and `R` a degree-14 minimax polynomial in `s`; then add `k · ln2` in two parts.
    public static func log(_ x: Double) -> Double {
        var x = x
        var hx = highWord(x)
        var k: Int32 = 0
        if hx < 0x0010_0000 {  // x < 2^-1022: zero, negative, or subnormal
            if (hx & 0x7fff_ffff) == 0 && lowWord(x) == 0 { return -.infinity }
            if hx < 0 { return x.isNaN ? x : .nan }
            k -= 54
            x *= two54  // exact: scales a subnormal into the normal range
            hx = highWord(x)
        }
        if hx >= 0x7ff0_0000 { return x }  // +inf or NaN
        k += (hx >> 20) - 1023
        hx &= 0x000f_ffff
        let i = (hx &+ 0x95f64) & 0x0010_0000
        x = settingHighWord(x, hx | (i ^ 0x3ff0_0000))  // normalize x or x/2
        k += i >> 20
        let f = x - 1.0
        let dk = Double(k)
        if (0x000f_ffff & (2 &+ hx)) < 3 {  // -2^-20 <= f < 2^-20
            if f == 0 {
                return k == 0 ? 0 : dk * ln2Hi + dk * ln2Lo
            }
            let r = f * f * (0.5 - 0.33333333333333333 * f)
            return k == 0 ? f - r : dk * ln2Hi - ((r - dk * ln2Lo) - f)
        }
        let s = f / (2.0 + f)
        let z = s * s
        let w = z * z
        let t1 = w * (lg2 + w * (lg4 + w * lg6))
        let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
        let r = t2 + t1
        if ((hx &- 0x6147a) | (0x6b851 &- hx)) > 0 {
            let hfsq = 0.5 * f * f
            if k == 0 { return f - (hfsq - s * (hfsq + r)) }
            return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
        } else {
            if k == 0 { return f - s * (f - r) }
            return dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f)
        }
    }

    // MARK: log1p

    /// `log(1 + x)`, accurate also when `x` is tiny, bit-identical on every machine
    /// (error < 1 ulp).
    ///
    /// Special values: `log1p(−1) = −∞`, `log1p(x < −1) = NaN`, `log1p(+∞) = +∞`,
    /// `log1p(±0) = ±0`, NaN returned unchanged; for |x| < 2⁻⁵⁴ the result is `x`.
    ///
    /// Method (fdlibm `s_log1p.c`): as ``log(_:)`` applied to `u = 1 + x` rounded, with a
    /// correction term `c ≈ (1 + x − u) / u` for the rounding of `u`.
    public static func log1p(_ x: Double) -> Double {
        let hx = highWord(x)
        let ax = hx & 0x7fff_ffff
        var k: Int32 = 1
        var f = 0.0
        var c = 0.0
        var hu: Int32 = 0
        if hx < 0x3fda_827a {  // x < 0.41422 (including every negative x)
            if ax >= 0x3ff0_0000 {  // x <= -1, -inf, or a NaN with the sign bit set
                if x == -1.0 { return -.infinity }
                return x.isNaN ? x : .nan
            }
            if ax < 0x3e20_0000 {  // |x| < 2^-29
                if ax < 0x3c90_0000 { return x }  // |x| < 2^-54
                return x - x * x * 0.5
            }
            if hx > 0 || hx <= Int32(bitPattern: 0xbfd2_bec4) {  // -0.2929 < x < 0.41422
                k = 0
                f = x
                hu = 1
            }
        }
        if hx >= 0x7ff0_0000 { return x }  // +inf or NaN
        if k != 0 {
            var u: Double
            if hx < 0x4340_0000 {  // x < 2^53
                u = 1.0 + x
                hu = highWord(u)
                k = (hu >> 20) - 1023
                c = k > 0 ? 1.0 - (u - x) : x - (u - 1.0)  // correction term
                c /= u
            } else {
                u = x
                hu = highWord(u)
                k = (hu >> 20) - 1023
                c = 0
            }
            hu &= 0x000f_ffff
            if hu < 0x6a09e {
                u = settingHighWord(u, hu | 0x3ff0_0000)  // normalize u
            } else {
                k += 1
                u = settingHighWord(u, hu | 0x3fe0_0000)  // normalize u/2
                hu = (0x0010_0000 - hu) >> 2
            }
            f = u - 1.0
        }
        let dk = Double(k)
        let hfsq = 0.5 * f * f
        if hu == 0 {  // |f| < 2^-20
            if f == 0 {
                if k == 0 { return 0 }
                c += dk * ln2Lo
                return dk * ln2Hi + c
            }
            let r = hfsq * (1.0 - 0.66666666666666666 * f)
            if k == 0 { return f - r }
            return dk * ln2Hi - ((r - (dk * ln2Lo + c)) - f)
        }
        let s = f / (2.0 + f)
        let z = s * s
        let r = z * (lg1 + z * (lg2 + z * (lg3 + z * (lg4 + z * (lg5 + z * (lg6 + z * lg7))))))
        if k == 0 { return f - (hfsq - s * (hfsq + r)) }
        return dk * ln2Hi - ((hfsq - (s * (hfsq + r) + (dk * ln2Lo + c))) - f)
    }

    // MARK: exp

    /// `e` raised to `x`, bit-identical on every machine (error < 1 ulp).
    ///
    /// Special values: `exp(±0) = 1`, `exp(+∞) = +∞`, `exp(−∞) = +0`, NaN returned unchanged;
    /// `x > 709.782712893384` overflows to `+∞` and `x < −745.1332191019411` underflows to `+0`.
    /// Results below 2⁻¹⁰²² are subnormal, with one extra rounding.
    ///
    /// Method (fdlibm `e_exp.c`): reduce `x = k·ln2 + r` with |r| ≤ ln2/2 (`ln2` in two parts,
    /// so `r = hi − lo` is nearly exact); approximate `e^r = 1 + 2r / (R(r²) − r)` with a degree-5
    /// minimax polynomial `R`; scale by 2^k by adding `k` to the exponent field.
    public static func exp(_ x: Double) -> Double {
        var x = x
        var hx = UInt32(truncatingIfNeeded: x.bitPattern >> 32)
        let negative = (hx >> 31) == 1
        hx &= 0x7fff_ffff  // high word of |x|
        var hi = 0.0
        var lo = 0.0
        var k: Int32 = 0
        if hx >= 0x4086_2e42 {  // |x| >= 709.78...
            if hx >= 0x7ff0_0000 {
                if (hx & 0x000f_ffff) | lowWord(x) != 0 { return x }  // NaN
                return negative ? 0 : x  // exp(-inf) = 0, exp(+inf) = inf
            }
            if x > overflowThreshold { return .infinity }
            if x < underflowThreshold { return 0 }
        }
        if hx > 0x3fd6_2e42 {  // |x| > ln2/2
            if hx < 0x3ff0_a2b2 {  // and |x| < 1.5 ln2: k = ±1
                if negative {
                    hi = x + ln2Hi
                    lo = -ln2Lo
                    k = -1
                } else {
                    hi = x - ln2Hi
                    lo = ln2Lo
                    k = 1
                }
            } else {
                k = Int32(invLn2 * x + (negative ? -0.5 : 0.5))  // truncates toward zero
                let t = Double(k)
                hi = x - t * ln2Hi  // t * ln2Hi is exact here
                lo = t * ln2Lo
            }
            x = hi - lo
        } else if hx < 0x3e30_0000 {  // |x| < 2^-28
            return 1.0 + x
        }
        // x is now in the primary range |x| <= ln2/2.
        let t = x * x
        let c = x - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))))
        if k == 0 { return 1.0 - ((x * c) / (c - 2.0) - x) }
        let y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi)
        if k >= -1021 {
            return settingHighWord(y, highWord(y) + (k << 20))  // y · 2^k
        }
        return settingHighWord(y, highWord(y) + ((k + 1000) << 20)) * twoM1000
    }
}
