/// Elementary functions that ``DeterministicMath`` does not provide, built only from IEEE 754
/// arithmetic and ``DeterministicMath/exp(_:)`` / ``DeterministicMath/log(_:)``, so they are
/// bit-identical on every machine.
///
/// - `pow(x, y)` computes `y·log(x)` in double-double arithmetic (Dekker's exact products, no
///   fused multiply-add) and then `exp`, so its error is about one ulp (the error of
///   ``DeterministicMath/exp(_:)``), also for large `y` where `exp(y·log(x))` in plain doubles
///   would lose `|y·log(x)|·2⁻⁵³` relative accuracy.
/// - `sin(x)` for `|x| ≤ π/2 + 0.1` (all the special functions need), by Taylor polynomials on
///   `|x| ≤ π/4` and `sin(x) = cos(π/2 − x)` above.
/// - `sinpi(x) = sin(πx)`, reduced exactly as Cephes' `sinpi` does.
/// - `expm1(x)`, Cephes' `expm1` (a rational approximation on `|x| ≤ 1/2`).
enum ElementaryFunctions {
    // MARK: Double-double building blocks (Dekker 1971, Knuth TAOCP 4.2.2)

    /// `a + b = s + e` exactly, for any `a`, `b` (Knuth's TwoSum).
    @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> (sum: Double, error: Double) {
        let s = a + b
        let bv = s - a
        let av = s - bv
        return (s, (a - av) + (b - bv))
    }

    /// `a + b = s + e` exactly, when `|a| ≥ |b|` or `a == 0` (Dekker's FastTwoSum).
    @inline(__always)
    static func fastTwoSum(_ a: Double, _ b: Double) -> (sum: Double, error: Double) {
        let s = a + b
        return (s, b - (s - a))
    }

    /// Splits `a` into two 26-bit halves, `a = hi + lo` exactly (Veltkamp). Valid for
    /// `|a| < 2⁹⁹⁶`.
    @inline(__always)
    private static func split(_ a: Double) -> (hi: Double, lo: Double) {
        let c = 134_217_729.0 * a  // 2^27 + 1
        let hi = c - (c - a)
        return (hi, a - hi)
    }

    /// `a · b = p + e` exactly (Dekker's product, no FMA), for `|a|, |b| < 2⁹⁹⁶` and no
    /// underflow.
    @inline(__always)
    static func twoProduct(_ a: Double, _ b: Double) -> (product: Double, error: Double) {
        let p = a * b
        let (ah, al) = split(a)
        let (bh, bl) = split(b)
        let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        return (p, e)
    }

    // MARK: log in double-double, pow

    /// ln 2 as a double-double: the double nearest ln 2 and the remainder.
    private static let ln2Hi: Double = 0x1.62e42fefa39efp-1
    private static let ln2Lo: Double = 0x1.abc9e3b39803fp-56

    /// `log(x)` for finite `x > 0` as an unevaluated sum `hi + lo`, with relative error near
    /// 2⁻¹⁰⁰.
    ///
    /// Method: `x = 2ᵏ·m` with `√½ ≤ m < √2`; `log m = 2·atanh(s)` with `s = (m−1)/(m+1)`,
    /// `|s| < 0.172`; the leading `2s` is carried in double-double, the tail
    /// `2s³/3 + 2s⁵/5 + …` (at most 1 % of the total) in double.
    static func logDoubleDouble(_ x: Double) -> (hi: Double, lo: Double) {
        var m = x.significand  // in [1, 2), also for subnormal x
        var k = Double(x.exponent)
        if m > 1.4142135623730951 {
            m *= 0.5
            k += 1
        }
        let f = m - 1  // exact (Sterbenz)
        let (uHi, uLo) = twoSum(m, 1)
        let sHi = f / uHi
        let (p, pe) = twoProduct(sHi, uHi)
        let remainder = ((f - p) - pe) - sHi * uLo
        let sLo = remainder / uHi
        let z = sHi * sHi
        var series = 2.0 / 27.0
        for j in stride(from: 12, through: 1, by: -1) {
            series = series * z + 2.0 / Double(2 * j + 1)
        }
        // series = 2/3 + 2z/5 + … ; the tail is s³·series.
        let tail = sHi * z * series
        let (aHi, aLoProduct) = twoProduct(k, ln2Hi)
        let aLo = aLoProduct + k * ln2Lo
        let (bHi, bLo) = twoSum(aHi, 2 * sHi)
        let lo = ((bLo + aLo) + 2 * sLo) + tail
        let result = fastTwoSum(bHi, lo)
        return (result.sum, result.error)
    }

    /// `xʸ`, bit-identical on every machine, with an error of about one ulp.
    ///
    /// Special values follow C99 `pow` for the cases the special functions can reach: `x⁰ = 1`,
    /// `1ʸ = 1`, NaN in gives NaN, `0ʸ` is `0` (`y > 0`) or `+∞` (`y < 0`), `(+∞)ʸ` is `+∞` or
    /// `0`, and a negative `x` gives `±|x|ʸ` for integer `y` and NaN otherwise.
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if x.isNaN || y.isNaN { return .nan }
        if x < 0 {
            guard y == y.rounded(.towardZero), y.isFinite else { return .nan }
            let odd = abs(y) < 0x1p53 && Int64(y) & 1 == 1
            let magnitude = pow(-x, y)
            return odd ? -magnitude : magnitude
        }
        if x == 0 { return y > 0 ? 0 : .infinity }
        if x.isInfinite { return y > 0 ? .infinity : 0 }
        if y.isInfinite {
            if x > 1 { return y > 0 ? .infinity : 0 }
            return y > 0 ? 0 : .infinity
        }
        if y == 1 { return x }
        let (hi, lo) = logDoubleDouble(x)
        let approximate = y * hi
        if !(abs(approximate) < 1000) || abs(y) > 0x1p900 {
            // Far outside [−745, 710]: the result over- or underflows whatever the low bits.
            return DeterministicMath.exp(approximate)
        }
        var (p, pe) = twoProduct(y, hi)
        pe += y * lo
        (p, pe) = fastTwoSum(p, pe)
        let base = DeterministicMath.exp(p)
        if base == 0 || base.isInfinite { return base }
        return base + base * pe
    }

    // MARK: sin, sinpi

    /// `sin(x)` for `|x| ≤ π/2 + 0.1`, error about one ulp.
    static func sin(_ x: Double) -> Double {
        let ax = abs(x)
        if ax <= 0.7853981633974483 {
            return sinKernel(x)
        }
        precondition(ax <= 1.6708, "ElementaryFunctions.sin: argument outside |x| ≤ π/2 + 0.1")
        // sin(x) = cos(π/2 − x); π/2 − |x| is exact in its leading part (Sterbenz).
        let y = (0x1.921fb54442d18p+0 - ax) + 0x1.1a62633145c07p-54
        let c = cosKernel(y)
        return x < 0 ? -c : c
    }

    /// Taylor polynomial of sin on |x| ≤ π/4 (terms through x²³).
    private static func sinKernel(_ x: Double) -> Double {
        let z = x * x
        // Coefficients (−1)^j / (2j+1)! for j = 11 down to 1.
        var p = -1.0 / 25_852_016_738_884_976_640_000.0
        var factorial = 25_852_016_738_884_976_640_000.0  // 23!
        var sign = -1.0
        for j in stride(from: 10, through: 1, by: -1) {
            factorial /= Double((2 * j + 2) * (2 * j + 3))
            sign = -sign
            p = p * z + sign / factorial
        }
        return x + x * (z * p)
    }

    /// Taylor polynomial of cos on |x| ≤ π/4 (terms through x²²).
    private static func cosKernel(_ x: Double) -> Double {
        let z = x * x
        // cos x = 1 − z/2 + z²·Q(z), Q(z) = 1/4! − z/6! + … − z⁷/22! … (alternating).
        var factorial = 1_124_000_727_777_607_680_000.0  // 22!
        var q = -1.0 / factorial
        var sign = -1.0
        for j in stride(from: 10, through: 2, by: -1) {
            factorial /= Double((2 * j + 1) * (2 * j + 2))
            sign = -sign
            q = q * z + sign / factorial
        }
        return 1.0 - (0.5 * z - z * z * q)
    }

    /// `sin(πx)`, reduced as Cephes' `sinpi`: `r = fmod(|x|, 2)`, then `sin(π·r)`,
    /// `sin(π(r − 2))` or `−sin(π(r − 1))` so the argument stays within `[−π/2, π/2]`.
    static func sinpi(_ x: Double) -> Double {
        var x = x
        var s = 1.0
        if x < 0 {
            x = -x
            s = -1.0
        }
        let r = x.truncatingRemainder(dividingBy: 2.0)  // C fmod: exact
        if r < 0.5 {
            return s * sin(Double.pi * r)
        } else if r > 1.5 {
            return s * sin(Double.pi * (r - 2.0))
        } else {
            return -s * sin(Double.pi * (r - 1.0))
        }
    }

    // MARK: expm1 (Cephes unity.c)

    private static let expm1P: [Double] = [
        1.2617719307481059087798E-4,
        3.0299440770744196129956E-2,
        9.9999999999999999991025E-1,
    ]
    private static let expm1Q: [Double] = [
        3.0019850513866445504159E-6,
        2.5244834034968410419224E-3,
        2.2726554820815502876593E-1,
        2.0000000000000000000897E0,
    ]

    /// `eˣ − 1`, as Cephes `expm1`: `exp(x) − 1` for `|x| > 1/2`, otherwise
    /// `2x·P(x²) / (Q(x²) − x·P(x²))` with Cephes' coefficients.
    static func expm1(_ x: Double) -> Double {
        if !x.isFinite {
            if x.isNaN || x > 0 { return x }
            return -1.0
        }
        if x < -0.5 || x > 0.5 {
            return DeterministicMath.exp(x) - 1.0
        }
        let xx = x * x
        var r = x * SpecialFunctions.polevl(xx, expm1P)
        r = r / (SpecialFunctions.polevl(xx, expm1Q) - r)
        return r + r
    }
}
