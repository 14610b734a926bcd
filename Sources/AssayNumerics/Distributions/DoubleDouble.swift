/// An unevaluated sum `hi + lo` of two doubles with `|lo| ≤ ulp(hi)/2`: about 106 significant
/// bits, for the few places where the Kolmogorov–Smirnov distributions need more than a double.
///
/// The operations are those of the QD library (Hida, Li, Bailey, v2.3.18) as SciPy's `xsf`
/// (`cephes/dd_real.h`) uses them, so sums and products give the same bits as SciPy's. The exact
/// product error comes from a fused multiply-add, `fma(a, b, −a·b)`, which IEEE 754 requires to
/// be correctly rounded on every machine (in hardware or software), so it is as deterministic as
/// `+ − × ÷`; it equals Dekker's split product wherever the split is exact, and is cheaper.
struct DoubleDouble: Sendable, Equatable {
    /// The leading part, the double nearest to the value.
    var hi: Double
    /// The trailing part, `value − hi` rounded.
    var lo: Double

    init(_ hi: Double, _ lo: Double) {
        self.hi = hi
        self.lo = lo
    }

    init(_ value: Double) {
        hi = value
        lo = 0
    }

    init(_ value: Int) {
        hi = Double(value)
        lo = 0
    }

    /// Whether the leading part is finite.
    var isFinite: Bool { hi.isFinite }

    // MARK: Error-free transformations

    /// `fl(a + b)` and its rounding error, assuming `|a| ≥ |b|`.
    @inline(__always)
    static func quickTwoSum(_ a: Double, _ b: Double) -> (Double, Double) {
        let s = a + b
        let c = s - a
        return (s, b - c)
    }

    /// `fl(a + b)` and its rounding error (Knuth).
    @inline(__always)
    static func twoSum(_ a: Double, _ b: Double) -> (Double, Double) {
        let s = a + b
        let c = s - a
        let d = b - c
        let e = s - c
        return (s, (a - e) + d)
    }

    @inline(__always)
    static func twoProd(_ a: Double, _ b: Double) -> (Double, Double) {
        let p = a * b
        // The special cases give what fma(a, b, −p) gives.
        if !a.isFinite || !b.isFinite { return (p, .nan) }
        if !p.isFinite { return (p, -p) }  // overflow: the exact product is finite
        if a == 0 || b == 0 { return (p, 0) }
        // The fused multiply-add is correctly rounded by IEEE 754, so fma(a, b, −p) is the exact
        // product error: the value Dekker's split computes wherever the split is exact.
        return (p, (-p).addingProduct(a, b))
    }

    // MARK: Arithmetic (QD semantics)

    static prefix func - (x: DoubleDouble) -> DoubleDouble { DoubleDouble(-x.hi, -x.lo) }

    static func + (lhs: DoubleDouble, rhs: DoubleDouble) -> DoubleDouble {
        var (s1, s2) = twoSum(lhs.hi, rhs.hi)
        let (t1, t2) = twoSum(lhs.lo, rhs.lo)
        s2 += t1
        (s1, s2) = quickTwoSum(s1, s2)
        s2 += t2
        (s1, s2) = quickTwoSum(s1, s2)
        return DoubleDouble(s1, s2)
    }

    static func + (lhs: DoubleDouble, rhs: Double) -> DoubleDouble {
        var (s1, s2) = twoSum(lhs.hi, rhs)
        s2 += lhs.lo
        (s1, s2) = quickTwoSum(s1, s2)
        return DoubleDouble(s1, s2)
    }

    static func + (lhs: Double, rhs: DoubleDouble) -> DoubleDouble {
        var (s1, s2) = twoSum(lhs, rhs.hi)
        s2 += rhs.lo
        (s1, s2) = quickTwoSum(s1, s2)
        return DoubleDouble(s1, s2)
    }

    static func - (lhs: DoubleDouble, rhs: DoubleDouble) -> DoubleDouble { lhs + (-rhs) }

    static func - (lhs: DoubleDouble, rhs: Double) -> DoubleDouble {
        var (s1, s2) = twoSum(lhs.hi, -rhs)
        s2 += lhs.lo
        (s1, s2) = quickTwoSum(s1, s2)
        return DoubleDouble(s1, s2)
    }

    static func - (lhs: Double, rhs: DoubleDouble) -> DoubleDouble {
        var (s1, s2) = twoSum(lhs, -rhs.hi)
        s2 -= rhs.lo
        (s1, s2) = quickTwoSum(s1, s2)
        return DoubleDouble(s1, s2)
    }

    static func * (lhs: DoubleDouble, rhs: DoubleDouble) -> DoubleDouble {
        var (p1, p2) = twoProd(lhs.hi, rhs.hi)
        p2 += (lhs.hi * rhs.lo + lhs.lo * rhs.hi)
        (p1, p2) = quickTwoSum(p1, p2)
        return DoubleDouble(p1, p2)
    }

    static func * (lhs: DoubleDouble, rhs: Double) -> DoubleDouble {
        let (p1, e1) = twoProd(lhs.hi, rhs)
        let (p2, e2) = twoProd(lhs.lo, rhs)
        let (s, e) = quickTwoSum(p1, e2 + p2 + e1)
        return DoubleDouble(s, e)
    }

    static func * (lhs: Double, rhs: DoubleDouble) -> DoubleDouble {
        let (p1, e1) = twoProd(lhs, rhs.hi)
        let (p2, e2) = twoProd(lhs, rhs.lo)
        let (s, e) = quickTwoSum(p1, e2 + p2 + e1)
        return DoubleDouble(s, e)
    }

    static func / (lhs: DoubleDouble, rhs: DoubleDouble) -> DoubleDouble {
        var q1 = lhs.hi / rhs.hi
        var r = lhs - rhs * q1
        var q2 = r.hi / rhs.hi
        r = r - rhs * q2
        let q3 = r.hi / rhs.hi
        (q1, q2) = quickTwoSum(q1, q2)
        return DoubleDouble(q1, q2) + q3
    }

    static func / (lhs: DoubleDouble, rhs: Double) -> DoubleDouble { lhs / DoubleDouble(rhs) }
    static func / (lhs: Double, rhs: DoubleDouble) -> DoubleDouble { DoubleDouble(lhs) / rhs }

    /// `a · a` (QD's `sqr`).
    static func square(_ a: DoubleDouble) -> DoubleDouble {
        var (p1, p2) = twoProd(a.hi, a.hi)
        p2 += 2.0 * a.hi * a.lo
        p2 += a.lo * a.lo
        let (s1, s2) = quickTwoSum(p1, p2)
        return DoubleDouble(s1, s2)
    }

    /// The largest integer not above the value (QD's `floor`).
    func floor() -> DoubleDouble {
        let h = hi.rounded(.down)
        if h == hi {
            let (s, e) = DoubleDouble.quickTwoSum(h, lo.rounded(.down))
            return DoubleDouble(s, e)
        }
        return DoubleDouble(h, 0)
    }

    /// `value · 2^e`, part by part (QD's `ldexp`).
    func scaled(by e: Int) -> DoubleDouble {
        DoubleDouble(DoubleDouble.ldexp(hi, e), DoubleDouble.ldexp(lo, e))
    }

    /// Mantissa and exponent with `value = m · 2^e` and `0.5 ≤ |m.hi| < 1` (or `|m.hi| = 1`
    /// with `m.lo` of the opposite sign), as SciPy's `frexp(double_double)`.
    func frexp() -> (DoubleDouble, Int) {
        var (man, e) = DoubleDouble.frexp(hi)
        var b1 = DoubleDouble.ldexp(lo, -e)
        if (man == 0.5 || man == -0.5) && man * b1 < 0 {
            man *= 2
            b1 *= 2
            e -= 1
        }
        return (DoubleDouble(man, b1), e)
    }
}

extension DoubleDouble {
    // MARK: Binary scaling (C's ldexp and frexp, exact)

    /// `x · 2^e`: exact unless the result overflows or falls below the normal range.
    static func ldexp(_ x: Double, _ e: Int) -> Double {
        Double(sign: .plus, exponent: e, significand: x)
    }

    /// `(m, e)` with `x = m · 2^e` and `0.5 ≤ |m| < 1`; `(x, 0)` for zero, infinity and NaN.
    static func frexp(_ x: Double) -> (Double, Int) {
        if x == 0 || !x.isFinite { return (x, 0) }
        let e = Int(x.exponent) + 1
        let m = Double(sign: x.sign, exponent: -1, significand: x.significand)
        return (m, e)
    }

    // MARK: Powers and roots, accurate to about 2^-100 before the final rounding

    /// `a^n` for `n ≥ 0` by repeated squaring in double-double. The relative error is about
    /// `n · 2^-104`, so rounding the result to a double gives the correctly rounded power except
    /// in rare near-tie cases (the same value a correctly rounding `pow` returns).
    static func power(_ a: DoubleDouble, _ n: Int) -> DoubleDouble {
        precondition(n >= 0, "DoubleDouble.power: negative exponent")
        var result = DoubleDouble(1.0)
        var base = a
        var e = n
        while e > 0 {
            if e & 1 == 1 { result = result * base }
            e >>= 1
            if e > 0 { base = square(base) }
        }
        return result
    }

    /// `√a` in double-double (one Newton step on the double square root).
    static func sqrt(_ a: DoubleDouble) -> DoubleDouble {
        if a.hi <= 0 || !a.hi.isFinite { return DoubleDouble(a.hi.squareRoot()) }
        let s = a.hi.squareRoot()
        let residual = a - square(DoubleDouble(s))
        let (h, l) = quickTwoSum(s, residual.hi / (2 * s))
        return DoubleDouble(h, l)
    }

    /// `x^n` for an integer `n`, rounded to the nearest double (what C's `pow(x, n)` returns in
    /// glibc, which rounds correctly in all but rare cases). Uses only `+ − × ÷`.
    static func pow(_ x: Double, _ n: Int) -> Double {
        if n == 0 { return 1 }
        if x.isNaN { return x }
        if n == 1 { return x }
        if n == 2 { return x * x }
        if n > 0 { return power(DoubleDouble(x), n).hi }
        return (1.0 / power(DoubleDouble(x), -n)).hi
    }

    /// `x^(k/4)` for `x > 0` and an integer `k`, rounded to the nearest double: the powers the
    /// cephes Gamma function takes (`x^(x − 1/2)`, `x^(x/2 − 1/4)` for integer `x`).
    static func pow(_ x: Double, quarters k: Int) -> Double {
        precondition(x > 0, "DoubleDouble.pow(_:quarters:): x must be positive")
        let whole = k >= 0 ? k / 4 : -((-k + 3) / 4)
        let rest = k - 4 * whole  // 0, 1, 2 or 3
        var value = power(DoubleDouble(x), abs(whole))
        if whole < 0 { value = 1.0 / value }
        if rest != 0 {
            let root2 = sqrt(DoubleDouble(x))
            switch rest {
            case 1: value = value * sqrt(root2)
            case 2: value = value * root2
            default: value = value * root2 * sqrt(root2)
            }
        }
        return value.hi
    }

    /// `x^1.5` for `x ≥ 0`, rounded to the nearest double (C's `pow(x, 1.5)`).
    static func pow1p5(_ x: Double) -> Double {
        if x == 0 || !x.isFinite { return x.isNaN ? x : (x == 0 ? 0 : .infinity) }
        return (x * sqrt(DoubleDouble(x))).hi
    }
}

extension DoubleDouble {
    // MARK: Logarithm

    private static let ln2 = DoubleDouble(0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56)

    /// `1/(2j+1)` for j = 0…21, as double-doubles.
    private static let oddReciprocals: [DoubleDouble] = (0...21).map { DoubleDouble(1.0) / Double(2 * $0 + 1) }

    /// `log(x)` for finite `x > 0` in double-double, relative error about 2⁻¹⁰⁴, so `.hi` is the
    /// correctly rounded logarithm (what glibc's `log` returns in all but rare cases).
    ///
    /// Method: `x = 2ᵏ·m` with `√½ < m ≤ √2`; `log m = 2·atanh(s)`, `s = (m−1)/(m+1)`, `|s| < 0.172`,
    /// summed to 22 terms in double-double; plus `k·ln 2`.
    static func log(_ x: Double) -> DoubleDouble {
        if !(x > 0) || !x.isFinite {
            return DoubleDouble(DeterministicMath.log(x))
        }
        var m = x.significand
        var k = Double(x.exponent)
        if m > 1.4142135623730951 {
            m *= 0.5
            k += 1
        }
        let s = DoubleDouble(m - 1) / (DoubleDouble(m) + 1.0)
        let s2 = square(s)
        var acc = oddReciprocals[21]
        for j in stride(from: 20, through: 0, by: -1) {
            acc = acc * s2 + oddReciprocals[j]
        }
        let logm = 2.0 * (s * acc)
        if k == 0 { return logm }
        return k * ln2 + logm
    }

    // MARK: Exponential

    /// `1/j!` for j = 2…11, as double-doubles.
    private static let inverseFactorials: [DoubleDouble] = {
        var out: [DoubleDouble] = []
        var f = DoubleDouble(1.0)
        for j in 2...11 {
            f = f / Double(j)
            out.append(f)
        }
        return out
    }()

    /// `eˣ` in double-double, relative error about 2⁻¹⁰⁰ where the result is normal, so `.hi`
    /// is the correctly rounded exponential (what glibc's `exp` returns in all but rare cases).
    /// Outside `[−708, 709]` it returns ``DeterministicMath/exp(_:)``.
    ///
    /// Method (as QD's `exp`): `x = k·ln 2 + r`, `|r| ≤ ln 2 / 2`; `e^(r/512) − 1` by its Taylor
    /// series in double-double, squared up nine times (`u ← 2u + u²`), then scaled by `2ᵏ`.
    static func exp(_ x: Double) -> DoubleDouble {
        if !(x > -708 && x < 709) { return DoubleDouble(DeterministicMath.exp(x)) }
        let k = (x / ln2.hi).rounded(.toNearestOrAwayFromZero)
        let r = (DoubleDouble(x) - k * ln2).scaled(by: -9)
        var p = inverseFactorials[9]
        for j in stride(from: 8, through: 0, by: -1) {
            p = p * r + inverseFactorials[j]
        }
        var u = r + square(r) * p  // e^(r/512) − 1
        for _ in 0..<9 {
            u = 2.0 * u + square(u)
        }
        return (u + 1.0).scaled(by: Int(k))
    }

    /// `eˣ` correctly rounded (in all but rare near-tie cases): the value glibc's `exp` gives,
    /// which is what SciPy's C and NumPy code see. Deterministic: IEEE arithmetic only.
    static func correctlyRoundedExp(_ x: Double) -> Double {
        if x.isNaN { return x }
        return exp(x).hi
    }

    /// `log(x)` correctly rounded (in all but rare near-tie cases): the value glibc's `log`
    /// gives. Deterministic: IEEE arithmetic only.
    static func correctlyRoundedLog(_ x: Double) -> Double {
        log(x).hi
    }
}
