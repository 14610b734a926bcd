/// The alternative hypothesis of ``FisherExact``, with SciPy's spellings as raw values.
public enum FisherAlternative: String, Sendable, Codable, CaseIterable {
    /// The odds ratio differs from 1.
    case twoSided = "two-sided"
    /// The odds ratio is less than 1 (`table[0][0]` is small).
    case less
    /// The odds ratio is greater than 1 (`table[0][0]` is large).
    case greater
}

/// The result of ``FisherExact/test(_:alternative:)``.
///
/// JSON keys follow SciPy's `SignificanceResult` (`statistic` is the odds ratio, `pvalue`).
public struct FisherExactResult: Sendable, Equatable, Codable {
    /// The sample (unconditional maximum likelihood) odds ratio
    /// `table[0][0]·table[1][1] / (table[0][1]·table[1][0])`: `+∞` when the denominator is 0,
    /// NaN when a row or column sums to 0.
    public var oddsRatio: Double
    /// The exact p-value, in `[0, 1]`.
    public var pValue: Double

    /// Creates a result from its parts.
    public init(oddsRatio: Double, pValue: Double) {
        self.oddsRatio = oddsRatio
        self.pValue = pValue
    }

    enum CodingKeys: String, CodingKey {
        case oddsRatio = "statistic"
        case pValue = "pvalue"
    }

    /// Equality that treats two NaN odds ratios as equal (a table with an empty row or column
    /// always gives NaN).
    public static func == (lhs: FisherExactResult, rhs: FisherExactResult) -> Bool {
        (lhs.oddsRatio == rhs.oddsRatio || (lhs.oddsRatio.isNaN && rhs.oddsRatio.isNaN))
            && lhs.pValue == rhs.pValue
    }
}

/// Fisher's exact test on a 2 × 2 contingency table, with SciPy parity.
public enum FisherExact {
    /// Tests a 2 × 2 table of counts, as `scipy.stats.fisher_exact(table, alternative)` in
    /// SciPy 1.17.
    ///
    /// With `M` the total, `n1` the first row's sum and `n` the first column's sum, the count
    /// `table[0][0]` is hypergeometric (``Hypergeometric``, population `M`, `n1` successes, `n`
    /// draws) under the null hypothesis.
    /// - `.less`: `P(X ≤ table[0][0])`.
    /// - `.greater`: `P(Y ≤ table[0][1])` with `Y` hypergeometric with `n1` successes and
    ///   `table[0][1] + table[1][1]` draws (the same as `P(X ≥ table[0][0])`).
    /// - `.twoSided`: the total probability of tables no more likely than the observed one, with
    ///   SciPy's relative tolerance `1e-14`: if the observed table's probability is within
    ///   `1e-14` (relative) of the mode's, the p-value is 1; otherwise the far tail starts where
    ///   the probability first exceeds `pmf(observed)·(1 + 1e-14)`, found by SciPy's binary
    ///   search. (Older SciPy releases used `1e-4`; this pins `1e-14`.)
    /// - The p-value is clipped to at most 1. If a row or column sums to zero the result is
    ///   `(NaN, 1)`.
    ///
    /// Deterministic. Agreement with SciPy 1.17: bit for bit on every fixture table with total
    /// ≤ 104723 (the probabilities use Boost's exact algorithms, see ``Hypergeometric``),
    /// about 1e-15 relative above; the tests require relative 1e-13.
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` unless `table` is 2 × 2;
    ///   ``NumericsError/domain(_:)`` for a negative count or a total of 2³¹ − 2 or more (SciPy's
    ///   Boost backend works in 32-bit unsigned integers).
    ///
    /// ```swift
    /// let r = try FisherExact.test([[12, 30], [88, 70]], alternative: .greater)
    /// // r.oddsRatio ≈ 0.3181818181818182, r.pValue ≈ 0.9995853829415944
    /// ```
    public static func test(_ table: [[Int]], alternative: FisherAlternative = .twoSided)
        throws(NumericsError) -> FisherExactResult
    {
        guard table.count == 2, table[0].count == 2, table[1].count == 2 else {
            let shape = "\(table.count) × \(table.map { String($0.count) }.joined(separator: "/"))"
            throw .shapeMismatch("table: expected 2 × 2 counts, got \(shape)")
        }
        for i in 0..<2 {
            for j in 0..<2 where table[i][j] < 0 {
                throw .domain("table[\(i)][\(j)] = \(table[i][j]): counts must be nonnegative")
            }
        }
        let c00 = table[0][0]
        let c01 = table[0][1]
        let c10 = table[1][0]
        let c11 = table[1][1]
        let limit = Int(Int32.max) - 2
        guard c00 <= limit, c01 <= limit, c10 <= limit, c11 <= limit,
            c00 + c01 + c10 + c11 <= limit
        else {
            throw .domain("table: total count exceeds \(limit); Fisher's exact test needs smaller counts")
        }
        if c00 + c10 == 0 || c01 + c11 == 0 || c00 + c01 == 0 || c10 + c11 == 0 {
            return FisherExactResult(oddsRatio: .nan, pValue: 1)
        }
        let oddsRatio: Double
        if c10 > 0 && c01 > 0 {
            oddsRatio = Double(c00 * c11) / Double(c10 * c01)
        } else {
            oddsRatio = .infinity
        }
        let n1 = c00 + c01
        let n2 = c10 + c11
        let n = c00 + c10
        let total = n1 + n2
        func pmf(_ x: Int) -> Double {
            Hypergeometric.pmf(x, population: total, successes: n1, draws: n)
        }
        func cdf(_ x: Int) -> Double {
            Hypergeometric.cdf(x, population: total, successes: n1, draws: n)
        }
        func sf(_ x: Int) -> Double {
            Hypergeometric.sf(x, population: total, successes: n1, draws: n)
        }

        var pValue: Double
        switch alternative {
        case .less:
            pValue = cdf(c00)
        case .greater:
            pValue = Hypergeometric.cdf(c01, population: total, successes: n1, draws: c01 + c11)
        case .twoSided:
            let mode = Int((Double((n + 1) * (n1 + 1)) / Double(total + 2)).rounded(.towardZero))
            let pExact = pmf(c00)
            let pMode = pmf(mode)
            let epsilon = 1e-14
            let gamma = 1 + epsilon
            if abs(pExact - pMode) / max(pExact, pMode) <= epsilon {
                return FisherExactResult(oddsRatio: oddsRatio, pValue: 1)
            } else if c00 < mode {
                let pLower = cdf(c00)
                if pmf(n) > pExact * gamma {
                    return FisherExactResult(oddsRatio: oddsRatio, pValue: pLower)
                }
                let guess = binarySearch({ -pmf($0) }, -pExact * gamma, mode, n)
                pValue = pLower + sf(guess)
            } else {
                let pUpper = sf(c00 - 1)
                if pmf(0) > pExact * gamma {
                    return FisherExactResult(oddsRatio: oddsRatio, pValue: pUpper)
                }
                let guess = binarySearch(pmf, pExact * gamma, 0, mode)
                pValue = pUpper + cdf(guess)
            }
        }
        pValue = min(pValue, 1.0)
        return FisherExactResult(oddsRatio: oddsRatio, pValue: pValue)
    }

    /// SciPy's `_binary_search_for_binom_tst`: for `f` ascending on `lo…hi`, the index `i` with
    /// `f(i) ≤ d < f(i + 1)`, found by bisection exactly as SciPy probes it.
    static func binarySearch(_ f: (Int) -> Double, _ d: Double, _ lowIn: Int, _ highIn: Int)
        -> Int
    {
        var lo = lowIn
        var hi = highIn
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let midValue = f(mid)
            if midValue < d {
                lo = mid + 1
            } else if midValue > d {
                hi = mid - 1
            } else {
                return mid
            }
        }
        return f(lo) <= d ? lo : lo - 1
    }
}
