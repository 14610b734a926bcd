/// Special functions with SciPy parity: log-gamma, the regularised incomplete gamma functions and
/// the modified Bessel function of the second kind.
///
/// Every function here is bit-identical on every machine: it uses only IEEE 754 `+`, `−`, `×`,
/// `÷`, `sqrt`, and ``DeterministicMath`` (never the platform libm or Foundation), with fixed
/// evaluation order. Where SciPy's result comes from a specific algorithm (Cephes `lgam`, `igam`,
/// `igamc`), the same algorithm is followed step for step with the same coefficients, so the
/// results agree with SciPy 1.17 to within a few units in the last place (the libm calls inside
/// SciPy may differ from ``DeterministicMath`` by one ulp). Tolerances per function are stated
/// on each function and checked against `Tests/AssayNumericsTests/Fixtures/special_*.json`
/// (written by `scripts/fixtures/numerics_special.py`).
///
/// Domain errors follow SciPy: the function returns NaN rather than throwing, so that results can
/// be compared value for value with SciPy's.
public enum SpecialFunctions {}

extension SpecialFunctions {
    /// Cephes `polevl`: `c[0]·xᴺ + c[1]·xᴺ⁻¹ + … + c[N]` by Horner's rule, in Cephes' order.
    @inline(__always)
    static func polevl(_ x: Double, _ coefficients: [Double]) -> Double {
        var result = coefficients[0]
        for index in 1..<coefficients.count {
            result = result * x + coefficients[index]
        }
        return result
    }

    /// Cephes `p1evl`: as ``polevl(_:_:)`` with an implied leading coefficient 1.
    @inline(__always)
    static func p1evl(_ x: Double, _ coefficients: [Double]) -> Double {
        var result = x + coefficients[0]
        for index in 1..<coefficients.count {
            result = result * x + coefficients[index]
        }
        return result
    }

    /// Cephes `ratevl` with equal numerator and denominator degrees: `num(x)/den(x)`, where
    /// `num(x) = num[0]·xᴹ + … + num[M]` (descending powers), evaluated as polynomials in `1/x`
    /// when `|x| > 1`.
    static func ratevl(_ x: Double, numerator: [Double], denominator: [Double]) -> Double {
        precondition(numerator.count == denominator.count)
        let degree = numerator.count - 1
        if abs(x) > 1 {
            let y = 1 / x
            var num = numerator[degree]
            var den = denominator[degree]
            for index in stride(from: degree - 1, through: 0, by: -1) {
                num = num * y + numerator[index]
            }
            for index in stride(from: degree - 1, through: 0, by: -1) {
                den = den * y + denominator[index]
            }
            // Cephes multiplies by pow(x, M − N) = pow(x, 0) = 1 here.
            return 1 * num / den
        }
        var num = numerator[0]
        var den = denominator[0]
        for index in 1...degree {
            num = num * x + numerator[index]
        }
        for index in 1...degree {
            den = den * x + denominator[index]
        }
        return num / den
    }
}
