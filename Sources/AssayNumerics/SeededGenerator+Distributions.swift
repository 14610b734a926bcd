extension SeededGenerator {
    /// Returns a uniformly distributed `Double` in `[0, 1)` made of 53 random bits.
    ///
    /// Exactly `Double(next64() >> 11) * 2⁻⁵³`: the top 53 bits of one ``next64()``, so every
    /// result is a multiple of 2⁻⁵³ and each of the 2⁵³ values is equally likely. Never 1.
    public mutating func uniform() -> Double {
        Double(next64() >> 11) * 0x1p-53
    }

    /// Returns a uniformly distributed `Double` in the closed interval `range`.
    ///
    /// Computes `lower + (upper - lower) * uniform()` and clamps to `upper` against rounding;
    /// uses one ``uniform()``. Preconditions: both bounds and their difference are finite.
    public mutating func uniform(in range: ClosedRange<Double>) -> Double {
        let lower = range.lowerBound, upper = range.upperBound
        let width = upper - lower
        precondition(lower.isFinite && upper.isFinite && width.isFinite,
                     "uniform(in:) needs finite bounds with a finite width")
        return Swift.min(lower + width * uniform(), upper)
    }

    /// Returns a uniformly distributed `Double` in the half-open interval `range`.
    ///
    /// Computes `lower + (upper - lower) * uniform()` and draws again in the rare case that
    /// rounding lands on `upper`. Preconditions: the range is not empty; both bounds and their
    /// difference are finite.
    public mutating func uniform(in range: Range<Double>) -> Double {
        let lower = range.lowerBound, upper = range.upperBound
        let width = upper - lower
        precondition(!range.isEmpty, "uniform(in:) needs a non-empty range")
        precondition(lower.isFinite && upper.isFinite && width.isFinite,
                     "uniform(in:) needs finite bounds with a finite width")
        while true {
            let x = lower + width * uniform()
            if x < upper { return x }
        }
    }

    /// Returns a standard normal deviate (mean 0, variance 1), by Marsaglia's polar method.
    ///
    /// The method, exactly: draw `u = 2·uniform() − 1` then `v = 2·uniform() − 1` (both exact),
    /// let `s = u·u + v·v`, and start again unless `0 < s < 1` (about 21.5% of pairs are
    /// rejected). Then `f = sqrt((−2·log(s)) / s)`, this call returns `u·f` and the **next** call
    /// returns the cached `v·f` without drawing. `log` is ``DeterministicMath/log(_:)`` (never
    /// the platform libm) and `sqrt` is IEEE `squareRoot()` (correctly rounded), so results are
    /// bit-identical on every machine. The cache is part of the generator's value: a copy made
    /// between the two calls returns the same cached value.
    ///
    /// Polar rather than Box–Muller because it needs no sine or cosine, whose deterministic
    /// implementation would be more code to trust; rather than a ziggurat because it needs no
    /// tables and is simple to reimplement (the fixture script does).
    public mutating func normal() -> Double {
        if let spare = spareNormal {
            spareNormal = nil
            return spare
        }
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = ((-2 * DeterministicMath.log(s)) / s).squareRoot()
                spareNormal = v * factor
                return u * factor
            }
        }
    }

    /// Returns a normal deviate with the given mean and standard deviation:
    /// `mean + standardDeviation * normal()`.
    public mutating func normal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * normal()
    }
}
