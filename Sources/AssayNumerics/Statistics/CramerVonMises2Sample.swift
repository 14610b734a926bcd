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
    /// bit; exact p-values bit for bit; asymptotic p-values to about 1e-15 absolute (SciPy's
    /// `K_{1/4}` comes from AMOS, ours from a different algorithm; both are accurate to ~1e-15,
    /// and `1 − C∞` turns their relative error into an absolute one).
    ///
    /// - Throws: ``NumericsError/domain(_:)`` if either sample has fewer than 2 values (SciPy
    ///   returns NaN there), or the exact method's counts exceed 127 bits
    ///   (``NumericsError/notComputable(_:)``); ``NumericsError/nonFinite(where:)`` for a NaN
    ///   value (infinite values are ranked like any other).
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
        let nx = x.count
        let ny = y.count
        guard nx >= 2, ny >= 2 else {
            throw .domain(
                "x has \(nx) and y has \(ny) values: the Cramér–von Mises test needs at least 2 in each sample")
        }
        if let i = x.firstIndex(where: { $0.isNaN }) { throw .nonFinite(where: "x[\(i)]") }
        if let i = y.firstIndex(where: { $0.isNaN }) { throw .nonFinite(where: "y[\(i)]") }
        var resolved = method
        if method == .auto {
            resolved = max(nx, ny) > 20 ? .asymptotic : .exact
        }
        let u = statisticU(x, y)
        let k = nx * ny
        let total = nx + ny
        let t = u / Double(k * total)
            - WideUnsigned.quotient(WideUnsigned(UInt64(4 * k - 1)), WideUnsigned(UInt64(6 * total)))
        let p: Double
        if resolved == .exact {
            p = try exactPValue(u: u, m: nx, n: ny)
        } else {
            p = asymptoticPValue(t: t, nx: nx, ny: ny)
        }
        return CramerVonMisesResult(statistic: t, pValue: p)
    }

    // MARK: Statistic

    /// `U = n·Σ(r_x − i)² + m·Σ(r_y − j)²` with midranks of the pooled sample.
    static func statisticU(_ x: [Double], _ y: [Double]) -> Double {
        let xs = x.sorted()
        let ys = y.sorted()
        let pooled = xs + ys
        let ranks = midranks(pooled)
        let nx = xs.count
        let ny = ys.count
        var dx = [Double](repeating: 0, count: nx)
        for i in 0..<nx {
            let d = ranks[i] - Double(i + 1)
            dx[i] = d * d
        }
        var dy = [Double](repeating: 0, count: ny)
        for j in 0..<ny {
            let d = ranks[nx + j] - Double(j + 1)
            dy[j] = d * d
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
        let lcm = m / gcd(m, n) * n
        let a = lcm / m
        let b = lcm / n
        let mn = m * n
        // zeta = lcm²(m+n)·(6u − mn(4mn − 1)) // (6 m²n²), in NumPy's float64 arithmetic.
        let zeta = numpyFloorDivide(
            Double(lcm * lcm * (m + n)) * (6.0 * u - Double(mn * (4 * mn - 1))),
            Double(6 * mn * mn))

        // gs[v]: the frequency table (sorted values, counts) of the partial sums for paths that
        // end at (u, v) — Xiao, Gordon and Yakovlev (2006), eq. 11–13.
        var tables: [(values: [Int], counts: [WideUnsigned])] = Array(
            repeating: ([], []), count: m + 1)
        tables[0] = ([0], [WideUnsigned(1)])
        for step in 0...n {
            var next: [(values: [Int], counts: [WideUnsigned])] = []
            next.reserveCapacity(m + 1)
            var carry: (values: [Int], counts: [WideUnsigned]) = ([], [])
            for v in 0...m {
                var merged = try merge(carry, tables[v])
                let d = a * v - b * step
                let increment = d * d
                for index in merged.values.indices { merged.values[index] += increment }
                next.append(merged)
                carry = merged
            }
            tables = next
        }
        let final = tables[m]
        var atLeast = WideUnsigned.zero
        var all = WideUnsigned.zero
        for (value, count) in zip(final.values, final.counts) {
            guard let sum = all.adding(count) else { throw overflow(m, n) }
            all = sum
            if Double(value) >= zeta {
                guard let sum = atLeast.adding(count) else { throw overflow(m, n) }
                atLeast = sum
            }
        }
        // all == C(m+n, m). NumPy keeps the counts in uint64 when they fit (and converts both to
        // float64 before dividing); beyond that in Python integers (one correct rounding).
        if all.fitsInUInt64 {
            return Double(atLeast.low) / Double(all.low)
        }
        return WideUnsigned.quotient(atLeast, all)
    }

    private static func overflow(_ m: Int, _ n: Int) -> NumericsError {
        .notComputable(
            "exact Cramér–von Mises p-value for samples of \(m) and \(n): the counts exceed 127 bits; use the asymptotic method")
    }

    /// Merges two frequency tables with sorted values, adding counts of equal values.
    private static func merge(
        _ lhs: (values: [Int], counts: [WideUnsigned]),
        _ rhs: (values: [Int], counts: [WideUnsigned])
    ) throws(NumericsError) -> (values: [Int], counts: [WideUnsigned]) {
        if lhs.values.isEmpty { return rhs }
        if rhs.values.isEmpty { return lhs }
        var values: [Int] = []
        var counts: [WideUnsigned] = []
        values.reserveCapacity(lhs.values.count + rhs.values.count)
        counts.reserveCapacity(lhs.values.count + rhs.values.count)
        var i = 0
        var j = 0
        while i < lhs.values.count || j < rhs.values.count {
            if j == rhs.values.count || (i < lhs.values.count && lhs.values[i] < rhs.values[j]) {
                values.append(lhs.values[i])
                counts.append(lhs.counts[i])
                i += 1
            } else if i == lhs.values.count || rhs.values[j] < lhs.values[i] {
                values.append(rhs.values[j])
                counts.append(rhs.counts[j])
                j += 1
            } else {
                guard let sum = lhs.counts[i].adding(rhs.counts[j]) else {
                    throw .notComputable(
                        "exact Cramér–von Mises p-value: the counts exceed 127 bits; use the asymptotic method")
                }
                values.append(lhs.values[i])
                counts.append(sum)
                i += 1
                j += 1
            }
        }
        return (values, counts)
    }

    // MARK: Asymptotic p-value

    /// `π^1.5` as Python computes `math.pi ** 1.5` (the correctly rounded value).
    private static let piToThreeHalves: Double = 0x1.645f7c63f2c6bp+2

    /// SciPy's `_pval_cvm_2samp_asymptotic`.
    static func asymptoticPValue(t: Double, nx: Int, ny: Int) -> Double {
        let n = nx + ny
        let k = nx * ny
        let et = (1.0 + 1.0 / Double(n)) / 6.0
        // vt = (N+1)(4kN − 3(nx² + ny²) − 2k) / (45·N²·4k), Python integers then one rounding.
        let vt = exactRatio(
            [n + 1, 4 * k * n - 3 * (nx * nx + ny * ny) - 2 * k], [45, n, n, 4, k])
        let tn = 1.0 / 6.0 + (t - et) / (45.0 * vt).squareRoot()
        if tn < 0.003 { return 1.0 }
        return max(1.0 - limitingCDF(tn), 0.0)
    }

    /// `Π numeratorFactors / Π denominatorFactors`, correctly rounded (Python's `int / int`);
    /// all factors positive. Falls back to double arithmetic past 127-bit products.
    private static func exactRatio(_ numeratorFactors: [Int], _ denominatorFactors: [Int])
        -> Double
    {
        func product(_ factors: [Int]) -> WideUnsigned? {
            var result = WideUnsigned(1)
            for factor in factors {
                guard factor > 0, let next = result.multiplied(by: UInt64(factor)) else {
                    return nil
                }
                result = next
            }
            return result
        }
        if let num = product(numeratorFactors), let den = product(denominatorFactors) {
            return WideUnsigned.quotient(num, den)
        }
        return numeratorFactors.reduce(1.0) { $0 * Double($1) }
            / denominatorFactors.reduce(1.0) { $0 * Double($1) }
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
