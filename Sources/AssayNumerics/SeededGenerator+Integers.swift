extension SeededGenerator {
    /// Returns a uniformly distributed integer in `0..<n`, without modulo bias.
    ///
    /// Lemire's multiply-shift with rejection ("Fast Random Integer Generation in an Interval",
    /// 2019): take `x = next64()` and the 128-bit product `m = x · n`; if `low64(m) < n`, compute
    /// `t = (2⁶⁴ − n) mod n` and, while `low64(m) < t`, draw a new `x` and recompute `m`. Return
    /// `high64(m)`. Uses one ``next64()`` per attempt; the chance of a retry is below `n / 2⁶⁴`.
    /// Precondition: `n > 0`.
    public mutating func int(below n: UInt64) -> UInt64 {
        precondition(n > 0, "int(below:) needs n > 0")
        var m = next64().multipliedFullWidth(by: n)
        if m.low < n {
            let threshold = (0 &- n) % n
            while m.low < threshold {
                m = next64().multipliedFullWidth(by: n)
            }
        }
        return m.high
    }

    /// Returns a uniformly distributed integer in `range`: `lower + int(below: upper − lower)`.
    /// Precondition: the range is not empty.
    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "int(in:) needs a non-empty range")
        let width = UInt64(truncatingIfNeeded: range.upperBound &- range.lowerBound)
        return range.lowerBound &+ Int(truncatingIfNeeded: int(below: width))
    }

    /// Returns a uniformly distributed integer in `range`:
    /// `lower + int(below: upper − lower + 1)`, or one raw ``next64()`` when the range covers
    /// every `Int`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(truncatingIfNeeded: range.upperBound &- range.lowerBound) &+ 1
        if width == 0 { return Int(truncatingIfNeeded: next64()) }
        return range.lowerBound &+ Int(truncatingIfNeeded: int(below: width))
    }
}
