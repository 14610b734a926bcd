/// A 127-bit unsigned integer in two 64-bit limbs, for exact counts and for the correctly
/// rounded quotients that Python's `int / int` produces.
///
/// (The standard library's `UInt128` needs macOS 15; the package supports macOS 14.)
struct WideUnsigned: Sendable, Equatable, Comparable {
    var high: UInt64
    var low: UInt64

    static let zero = WideUnsigned(high: 0, low: 0)

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    init(_ value: UInt64) {
        self.init(high: 0, low: value)
    }

    /// The largest value kept: 2¹²⁷ − 1. Arithmetic that would pass it reports overflow.
    static let limit = WideUnsigned(high: UInt64.max >> 1, low: UInt64.max)

    var bitLength: Int {
        high != 0 ? 128 - high.leadingZeroBitCount : 64 - low.leadingZeroBitCount
    }

    var isZero: Bool { high == 0 && low == 0 }

    /// Whether the value fits in 64 bits.
    var fitsInUInt64: Bool { high == 0 }

    static func < (lhs: WideUnsigned, rhs: WideUnsigned) -> Bool {
        lhs.high != rhs.high ? lhs.high < rhs.high : lhs.low < rhs.low
    }

    /// `self + other`, or nil past ``limit``.
    func adding(_ other: WideUnsigned) -> WideUnsigned? {
        let (low, carry) = self.low.addingReportingOverflow(other.low)
        let (high1, overflow1) = self.high.addingReportingOverflow(other.high)
        let (high, overflow2) = high1.addingReportingOverflow(carry ? 1 : 0)
        let result = WideUnsigned(high: high, low: low)
        if overflow1 || overflow2 || result > WideUnsigned.limit { return nil }
        return result
    }

    /// `self − other` for `other ≤ self`.
    func subtracting(_ other: WideUnsigned) -> WideUnsigned {
        let (low, borrow) = self.low.subtractingReportingOverflow(other.low)
        let high = self.high &- other.high &- (borrow ? 1 : 0)
        return WideUnsigned(high: high, low: low)
    }

    /// `self × factor`, or nil past ``limit``.
    func multiplied(by factor: UInt64) -> WideUnsigned? {
        let lowProduct = low.multipliedFullWidth(by: factor)
        let highProduct = high.multipliedFullWidth(by: factor)
        if highProduct.high != 0 { return nil }
        let (high, overflow) = highProduct.low.addingReportingOverflow(lowProduct.high)
        let result = WideUnsigned(high: high, low: lowProduct.low)
        if overflow || result > WideUnsigned.limit { return nil }
        return result
    }

    /// `self / divisor` for a nonzero divisor that divides `self` exactly (the remainder is
    /// dropped).
    func dividedExactly(by divisor: UInt64) -> WideUnsigned {
        let (q1, r1) = high.quotientAndRemainder(dividingBy: divisor)
        let (q0, _) = divisor.dividingFullWidth((high: r1, low: low))
        return WideUnsigned(high: q1, low: q0)
    }

    /// `self · 2^shift`, for results that stay within 127 bits.
    func shiftedLeft(_ shift: Int) -> WideUnsigned {
        if shift == 0 { return self }
        if shift >= 64 { return WideUnsigned(high: low << UInt64(shift - 64), low: 0) }
        return WideUnsigned(
            high: high << UInt64(shift) | low >> UInt64(64 - shift), low: low << UInt64(shift))
    }

    /// Bit `position` (0 = least significant).
    func bit(_ position: Int) -> Bool {
        position >= 64 ? (high >> UInt64(position - 64)) & 1 == 1 : (low >> UInt64(position)) & 1 == 1
    }

    /// The value rounded to the nearest double (ties to even), as C converts an integer.
    var doubleValue: Double {
        WideUnsigned.quotient(self, WideUnsigned(1))
    }

    /// `numerator / denominator` correctly rounded to the nearest double (ties to even), as
    /// Python's true division of two integers. `denominator` must not be zero.
    static func quotient(_ numerator: WideUnsigned, _ denominator: WideUnsigned) -> Double {
        precondition(!denominator.isZero, "WideUnsigned.quotient: division by zero")
        if numerator.isZero { return 0 }
        if numerator.high == 0 && denominator.high == 0 && numerator.low <= 1 << 53
            && denominator.low <= 1 << 53
        {
            return Double(numerator.low) / Double(denominator.low)  // both exact: one rounding
        }
        let la = numerator.bitLength
        let lb = denominator.bitLength
        // Scale by 2^scale so that the quotient lies in [2^54, 2^56).
        let scale = 55 - (la - lb)
        var divisor = denominator
        var extraDividendBits = 0
        if scale >= 0 {
            extraDividendBits = scale
        } else {
            divisor = denominator.shiftedLeft(-scale)
        }
        // Restoring long division, one dividend bit at a time; the remainder stays below the
        // divisor (< 2^127), so 2·remainder + 1 fits.
        var remainder = WideUnsigned.zero
        var quotient: UInt64 = 0
        let totalBits = la + extraDividendBits
        for index in 0..<totalBits {
            let position = totalBits - 1 - index - extraDividendBits
            let incoming: UInt64 = position >= 0 && numerator.bit(position) ? 1 : 0
            remainder = remainder.shiftedLeft(1)
            remainder.low |= incoming
            quotient <<= 1
            if !(remainder < divisor) {
                remainder = remainder.subtracting(divisor)
                quotient |= 1
            }
        }
        let sticky = !remainder.isZero
        let dropped = (64 - quotient.leadingZeroBitCount) - 53
        var mantissa = quotient >> UInt64(dropped)
        let rest = quotient & ((1 << UInt64(dropped)) - 1)
        let half: UInt64 = 1 << UInt64(dropped - 1)
        if rest > half || (rest == half && (sticky || mantissa & 1 == 1)) {
            mantissa += 1
        }
        return Double(sign: .plus, exponent: dropped - scale, significand: Double(mantissa))
    }
}
