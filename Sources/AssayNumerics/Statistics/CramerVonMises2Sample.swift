/// How ``CramerVonMises/twoSample(_:_:method:)`` computes its p-value; SciPy's names.
public enum CvMMethod: String, Sendable, Codable, CaseIterable {
    /// Exact when both samples have at most 20 values (SciPy ≥ 1.11; SciPy 1.7–1.10 used 10),
    /// asymptotic otherwise.
    case auto
    /// The exact null distribution of `U` over all `C(n+m, n)` splits of the pooled ranks.
    case exact
    /// The limiting distribution of the normalised statistic.
    case asymptotic
}

/// The result of ``CramerVonMises/twoSample(_:_:method:)``. JSON keys are SciPy's
/// (`statistic`, `pvalue`).
public struct CramerVonMisesResult: Sendable, Equatable, Codable {
    /// The statistic `T = U/(nm(n+m)) − (4nm − 1)/(6(n+m))`.
    public var statistic: Double
    /// The p-value, in `[0, 1]`.
    public var pValue: Double

    /// Creates a result from its parts.
    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }

    enum CodingKeys: String, CodingKey {
        case statistic
        case pValue = "pvalue"
    }
}

/// The two-sample Cramér–von Mises test, with SciPy parity.
public enum CramerVonMises {
    /// Tests whether `x` and `y` come from the same continuous distribution, as
    /// `scipy.stats.cramervonmises_2samp(x, y, method)` in SciPy 1.17.
    ///
    /// - Statistic (Anderson 1962, eq. 9–10): with midranks `r` of the pooled sample (ties
    ///   averaged) and each sample's ranks taken in sorted order,
    ///   `U = n·Σᵢ(r_x,(i) − i)² + m·Σⱼ(r_y,(j) − j)²` and
    ///   `T = U/(nm(n+m)) − (4nm − 1)/(6(n+m))`, summed in NumPy's order.
    /// - `.auto`: `.exact` if `max(n, m) ≤ 20`, else `.asymptotic` (SciPy 1.17's cut-off; SciPy
    ///   1.7–1.10 used 10).
    /// - `.exact`: the fraction of the `C(n+m, n)` rank splits with `U` at least the observed
    ///   one, counted with the Xiao–Gordon–Yakovlev frequency-table recursion exactly as SciPy's
    ///   `_pval_cvm_2samp_exact` (integer counts, the same floating-point threshold `ζ`, NumPy's
    ///   floor division). Cost grows quickly with the sizes: use it for small samples.
    /// - `.asymptotic`: Anderson's normalisation `tₙ = 1/6 + (T − E T)/√(45·Var T)` and
    ///   `p = max(0, 1 − C∞(tₙ))` (`p = 1` when `tₙ < 0.003`), where `C∞` is the limiting
    ///   one-sample distribution (Csörgő and Faraway 1996, eq. 1.2), summed term by term until a
    ///   term is below `1e-7` in absolute value, as SciPy does; the series needs
    ///   `K_{1/4}`, from ``SpecialFunctions/besselK(nu:_:)``.
    ///
    /// Deterministic. Agreement with SciPy 1.17 (see `special_cvm.json`): the statistic bit for
    /// bit; exact p-values bit for bit; asymptotic p-values to within 1e-14 absolute (observed:
    /// 2.4e-15). SciPy's `K_{1/4}` comes from AMOS, which is off by up to ~7e-14 relative near
    /// `q = 1`; ours is within 2e-15 of the true value; `1 − C∞` turns those relative errors
    /// into absolute ones.
    ///
    /// - Throws: ``NumericsError/domain(_:)`` if either sample has fewer than 2 values (SciPy
    ///   returns NaN there); ``NumericsError/nonFinite(where:)`` for a NaN value (infinite values
    ///   are ranked like any other); ``NumericsError/notComputable(_:)`` when `.exact` is asked
    ///   for samples so large that `C(n+m, n)` passes 2¹²⁷ or the table values `lcm(n,m)²(n+m)`
    ///   pass 2⁵³ (SciPy would need hours there too).
    ///
    /// ```swift
    /// let a = (0..<30).map { Double($0) / 29 }             // linspace(0, 1, 30)
    /// let b = (0..<25).map { 0.2 + 1.1 * Double($0) / 24 }  // linspace(0.2, 1.3, 25)
    /// let r = try CramerVonMises.twoSample(a, b)
    /// // r.statistic ≈ 0.624848484848485, r.pValue ≈ 0.019280492868588905
    /// ```
    public static func twoSample(_ x: [Double], _ y: [Double], method: CvMMethod = .auto)
        throws(NumericsError) -> CramerVonMisesResult
    {
        try twoSample(presortedX: x.sorted(), presortedY: y.sorted(), method: method, checkOrder: false)
    }

    /// ``twoSample(_:_:method:)`` for samples already sorted ascending (a detector sorts its
    /// reference once): the midranks come from one merge instead of a sort. Same result, bit
    /// for bit.
    ///
    /// - Throws: as ``twoSample(_:_:method:)``, and ``NumericsError/domain(_:)`` when a sample
    ///   is not sorted ascending.
    /// - Complexity: O(n + m) for the statistic, plus the p-value's cost.
    public static func twoSample(sorted x: [Double], sorted y: [Double], method: CvMMethod = .auto)
        throws(NumericsError) -> CramerVonMisesResult
    {
        try twoSample(presortedX: x, presortedY: y, method: method, checkOrder: true)
    }

    static func twoSample(presortedX x: [Double], presortedY y: [Double], method: CvMMethod, checkOrder: Bool)
        throws(NumericsError) -> CramerVonMisesResult
    {
        let nx = x.count
        let ny = y.count
        guard nx >= 2, ny >= 2 else {
            throw .domain(
                "x has \(nx) and y has \(ny) values: the Cramér–von Mises test needs at least 2 in each sample")
        }
        if let i = x.firstIndex(where: { $0.isNaN }) { throw .nonFinite(where: "x[\(i)]") }
        if let i = y.firstIndex(where: { $0.isNaN }) { throw .nonFinite(where: "y[\(i)]") }
        if checkOrder {
            for (name, s) in [("x", x), ("y", y)] {
                for i in s.indices.dropFirst() where s[i] < s[i - 1] {
                    throw .domain("CramerVonMises.twoSample(sorted:): sample \(name) is not sorted ascending at index \(i)")
                }
            }
        }
        var resolved = method
        if method == .auto {
            resolved = max(nx, ny) > 20 ? .asymptotic : .exact
        }
        let u = statisticU(x, y)
        // T = U/(k·N) − (4k − 1)/(6N) with k = nm, N = n + m: Python divides a float by the exact
        // integer k·N (converted once) and one exact integer by another (one rounding).
        let sizes = SampleSizes(nx: nx, ny: ny)
        let t = u / sizes.kN.doubleValue - WideUnsigned.quotient(sizes.fourKMinusOne, sizes.sixN)
        let p: Double
        if resolved == .exact {
            p = try exactPValue(u: u, m: nx, n: ny)
        } else {
            p = asymptoticPValue(t: t, sizes: sizes)
        }
        return CramerVonMisesResult(statistic: t, pValue: p)
    }

    // MARK: Statistic

    /// `U = n·Σ(r_x − i)² + m·Σ(r_y − j)²` with midranks of the pooled sample, for samples
    /// sorted ascending: one merge assigns each run of equal values the average of the ranks it
    /// spans (the values ``midranks(_:)`` gives).
    static func statisticU(_ xs: [Double], _ ys: [Double]) -> Double {
        let nx = xs.count
        let ny = ys.count
        var dx = [Double](repeating: 0, count: nx)
        var dy = [Double](repeating: 0, count: ny)
        var i = 0, j = 0, position = 0
        while i < nx || j < ny {
            let v = j >= ny || (i < nx && xs[i] <= ys[j]) ? xs[i] : ys[j]
            var ei = i, ej = j
            while ei < nx && xs[ei] == v { ei += 1 }
            while ej < ny && ys[ej] == v { ej += 1 }
            let span = (ei - i) + (ej - j)
            // Positions position+1 … position+span share their average rank.
            let rank = 0.5 * Double(2 * position + span + 1)
            for k in i..<ei { let d = rank - Double(k + 1); dx[k] = d * d }
            for k in j..<ej { let d = rank - Double(k + 1); dy[k] = d * d }
            position += span
            i = ei
            j = ej
        }
        return Double(nx) * PairwiseSummation.numpySum(dx)
            + Double(ny) * PairwiseSummation.numpySum(dy)
    }

    /// Ranks 1…N of `values` with ties given the average of the ranks they span
    /// (`scipy.stats.rankdata(method='average')`).
    static func midranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] {
                end += 1
            }
            // Positions start…end (0-based) share rank (start + 1 + end + 1)/2.
            let rank = 0.5 * Double(start + end + 2)
            for position in start...end { ranks[order[position]] = rank }
            start = end + 1
        }
        return ranks
    }

    // MARK: Exact p-value

    /// NumPy's `floor_divide` for doubles (`npy_floor_divide`): `fmod`, then a correction so
    /// the quotient rounds as Python's `//`.
    static func numpyFloorDivide(_ a: Double, _ b: Double) -> Double {
        if b == 0 { return a / b }
        var mod = a.truncatingRemainder(dividingBy: b)
        var div = (a - mod) / b
        if mod != 0 {
            if (b < 0) != (mod < 0) {
                mod += b
                div -= 1.0
            }
        }
        if div != 0 {
            var floorDiv = div.rounded(.down)
            if div - floorDiv > 0.5 { floorDiv += 1.0 }
            return floorDiv
        }
        return (a / b).sign == .minus ? -0.0 : 0.0
    }

    /// SciPy's `_pval_cvm_2samp_exact(u, m, n)`: the share of rank splits with `U ≥ u`.
    static func exactPValue(u: Double, m: Int, n: Int) throws(NumericsError) -> Double {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        guard let combinations = binomial(m + n, m) else { throw overflow(m, n) }
        let lcm = m / gcd(m, n) * n
        let a = lcm / m
        let b = lcm / n
        let mn = m * n
        // Every value in the frequency tables is at most lcm²(m+n); keep them exact in doubles
        // (SciPy compares them with ζ in float64), and keep 6m²n² within Int.
        let valueBound = lcm.multipliedReportingOverflow(by: lcm).partialValue
            .multipliedReportingOverflow(by: m + n)
        let lcmSquaredOverflow = lcm.multipliedReportingOverflow(by: lcm).overflow
        guard !lcmSquaredOverflow, !valueBound.overflow, valueBound.partialValue <= 1 << 53,
            mn <= 1 << 24
        else { throw overflow(m, n) }
        // zeta = lcm²(m+n)·(6u − mn(4mn − 1)) // (6 m²n²), in NumPy's float64 arithmetic.
        let zeta = numpyFloorDivide(
            Double(valueBound.partialValue) * (6.0 * u - Double(mn * (4 * mn - 1))),
            Double(6 * mn * mn))
        if combinations.fitsInUInt64 {
            // NumPy keeps the counts in uint64 and converts both sums to float64 to divide.
            var atLeast: UInt64 = 0
            var all: UInt64 = 0
            try countSplits(m: m, n: n, a: a, b: b, one: UInt64(1)) {
                (value: Int, count: UInt64) in
                all &+= count
                if Double(value) >= zeta { atLeast &+= count }
            }
            return Double(atLeast) / Double(all)
        }
        // Beyond 64 bits NumPy falls back to Python integers: one correctly rounded division.
        var atLeast = WideUnsigned.zero
        var all = WideUnsigned.zero
        var overflowed = false
        try countSplits(m: m, n: n, a: a, b: b, one: WideUnsigned(1)) {
            (value: Int, count: WideUnsigned) in
            guard let total = all.adding(count) else {
                overflowed = true
                return
            }
            all = total
            if Double(value) >= zeta, let sum = atLeast.adding(count) { atLeast = sum }
        }
        if overflowed { throw overflow(m, n) }
        return WideUnsigned.quotient(atLeast, all)
    }

    /// `C(n, k)` exactly, or nil past 127 bits.
    static func binomial(_ n: Int, _ k: Int) -> WideUnsigned? {
        var result = WideUnsigned(1)
        for i in 0..<min(k, n - k) {
            // result·(n − i)/(i + 1) is C(n, i + 1): an integer at every step.
            guard let product = result.multiplied(by: UInt64(n - i)) else { return nil }
            result = product.dividedExactly(by: UInt64(i + 1))
        }
        return result
    }

    private static func overflow(_ m: Int, _ n: Int) -> NumericsError {
        .notComputable(
            "exact Cramér–von Mises p-value for samples of \(m) and \(n): the counts or values exceed exact integer range; use the asymptotic method")
    }

    /// The Xiao–Gordon–Yakovlev recursion (2006, eq. 11–13, as SciPy runs it): `table[v]` holds
    /// the frequency table (sorted distinct values, counts) of the partial sums
    /// `Σ (a·v' − b·u')²` over lattice paths to `(u, v)`. Calls `visit` with every
    /// (value, count) of the final table, in increasing value order.
    private static func countSplits<Count: SplitCount>(
        m: Int, n: Int, a: Int, b: Int, one: Count,
        visit: (Int, Count) -> Void
    ) throws(NumericsError) {
        var values: [[Int]] = Array(repeating: [], count: m + 1)
        var counts: [[Count]] = Array(repeating: [], count: m + 1)
        values[0] = [0]
        counts[0] = [one]
        for step in 0...n {
            var carryValues: [Int] = []
            var carryCounts: [Count] = []
            for v in 0...m {
                let d = a * v - b * step
                let increment = d * d
                let (mergedValues, mergedCounts) = try mergeShifted(
                    carryValues, carryCounts, values[v], counts[v], increment: increment, m: m,
                    n: n)
                values[v] = mergedValues
                counts[v] = mergedCounts
                carryValues = mergedValues
                carryCounts = mergedCounts
            }
        }
        for (value, count) in zip(values[m], counts[m]) { visit(value, count) }
    }

    /// Merges two frequency tables with sorted distinct values, adding the counts of equal
    /// values, and adds `increment` to every value of the result.
    private static func mergeShifted<Count: SplitCount>(
        _ lhsValues: [Int], _ lhsCounts: [Count], _ rhsValues: [Int], _ rhsCounts: [Count],
        increment: Int, m: Int, n: Int
    ) throws(NumericsError) -> ([Int], [Count]) {
        let capacity = lhsValues.count + rhsValues.count
        var values = [Int]()
        var counts = [Count]()
        values.reserveCapacity(capacity)
        counts.reserveCapacity(capacity)
        var i = 0
        var j = 0
        let lhsCount = lhsValues.count
        let rhsCount = rhsValues.count
        while i < lhsCount && j < rhsCount {
            let left = lhsValues[i]
            let right = rhsValues[j]
            if left < right {
                values.append(left + increment)
                counts.append(lhsCounts[i])
                i += 1
            } else if right < left {
                values.append(right + increment)
                counts.append(rhsCounts[j])
                j += 1
            } else {
                guard let sum = lhsCounts[i].adding(rhsCounts[j]) else { throw overflow(m, n) }
                values.append(left + increment)
                counts.append(sum)
                i += 1
                j += 1
            }
        }
        while i < lhsCount {
            values.append(lhsValues[i] + increment)
            counts.append(lhsCounts[i])
            i += 1
        }
        while j < rhsCount {
            values.append(rhsValues[j] + increment)
            counts.append(rhsCounts[j])
            j += 1
        }
        return (values, counts)
    }

    // MARK: Asymptotic p-value

    /// `π^1.5` as Python computes `math.pi ** 1.5` (the correctly rounded value).
    private static let piToThreeHalves: Double = 0x1.645f7c63f2c6bp+2

    /// The exact integers SciPy's formulas use (Python integers there), for `k = nm` and
    /// `N = n + m`. Every product fits in 127 bits for any sample an array can hold.
    struct SampleSizes {
        let n: Int
        /// `k·N`.
        let kN: WideUnsigned
        /// `4k − 1`.
        let fourKMinusOne: WideUnsigned
        /// `6N`.
        let sixN: WideUnsigned
        /// `(N + 1)(4kN − 3(n² + m²) − 2k)`, the numerator of `Var T` times `45·N²·4k`.
        let varianceNumerator: WideUnsigned
        /// `45·N²·4k`.
        let varianceDenominator: WideUnsigned

        init(nx: Int, ny: Int) {
            let x = UInt64(nx)
            let y = UInt64(ny)
            let total = x + y
            n = nx + ny
            // Sizes below 2^31 each keep every product below 2^127.
            func product(_ factors: UInt64...) -> WideUnsigned {
                var result = WideUnsigned(1)
                for factor in factors { result = result.multiplied(by: factor) ?? WideUnsigned.limit }
                return result
            }
            func sum(_ terms: WideUnsigned...) -> WideUnsigned {
                terms.dropFirst().reduce(terms[0]) { $0.adding($1) ?? WideUnsigned.limit }
            }
            kN = product(x, y, total)
            fourKMinusOne = product(4, x, y).subtracting(WideUnsigned(1))
            sixN = product(6, total)
            let fourKN = product(4, x, y, total)
            let subtrahend = sum(product(3, x, x), product(3, y, y), product(2, x, y))
            varianceNumerator =
                fourKN.subtracting(subtrahend).multiplied(by: total + 1) ?? WideUnsigned.limit
            varianceDenominator = product(45, total, total, 4, x, y)
        }
    }

    /// SciPy's `_pval_cvm_2samp_asymptotic`.
    static func asymptoticPValue(t: Double, sizes: SampleSizes) -> Double {
        let et = (1.0 + 1.0 / Double(sizes.n)) / 6.0
        // vt = (N+1)(4kN − 3(nx² + ny²) − 2k) / (45·N²·4k): Python integers, one rounding.
        let vt = WideUnsigned.quotient(sizes.varianceNumerator, sizes.varianceDenominator)
        let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).squareRoot()
        if tn < 0.003 { return 1.0 }
        return max(1.0 - limitingCDF(tn), 0.0)
    }

    /// The limiting distribution function of the one-sample Cramér–von Mises statistic
    /// (SciPy's `_cdf_cvm_inf`):
    /// `Σ_{k≥0} Γ(k+½)/(Γ(k+1)·π^1.5·√x) · √(4k+1) · e^(−q) · K_{1/4}(q)`, `q = (4k+1)²/(16x)`,
    /// adding terms until one is below 1e-7 in absolute value (that term included).
    static func limitingCDF(_ x: Double) -> Double {
        var total = 0.0
        var k = 0
        while true {
            let u = DeterministicMath.exp(
                SpecialFunctions.logGamma(Double(k) + 0.5) - SpecialFunctions.logGamma(Double(k + 1)))
                / (piToThreeHalves * x.squareRoot())
            let y = 4 * k + 1
            let q = Double(y * y) / (16.0 * x)
            let b = SpecialFunctions.besselK(nu: 0.25, q)
            let z = u * Double(y).squareRoot() * DeterministicMath.exp(-q) * b
            total += z
            if !(abs(z) >= 1e-7) { break }
            k += 1
        }
        return total
    }
}

/// Exact counts for the Cramér–von Mises recursion: `UInt64` when `C(n+m, n)` fits (as NumPy
/// keeps them), ``WideUnsigned`` beyond.
protocol SplitCount: Sendable {
    /// `self + other`, or nil on overflow.
    func adding(_ other: Self) -> Self?
}

extension UInt64: SplitCount {
    func adding(_ other: UInt64) -> UInt64? {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? nil : sum
    }
}

extension WideUnsigned: SplitCount {}
