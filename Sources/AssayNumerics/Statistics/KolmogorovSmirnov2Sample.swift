/// The alternative hypothesis of a two-sample Kolmogorov–Smirnov test, with SciPy's names.
///
/// With `F` the distribution of the first sample and `G` that of the second:
/// `twoSided` tests `F ≠ G`; `less` tests `F(x) < G(x)` somewhere (statistic `max(G − F)`, the
/// first sample tends to larger values); `greater` tests `F(x) > G(x)` somewhere (statistic
/// `max(F − G)`, the first sample tends to smaller values).
public enum KSAlternative: String, Sendable, Codable, CaseIterable {
    /// `F ≠ G`; the statistic is `max |F − G|`.
    case twoSided = "two-sided"
    /// `F < G` somewhere; the statistic is `max(G − F)`, clipped at 0.
    case less
    /// `F > G` somewhere; the statistic is `max(F − G)`.
    case greater
}

/// How the p-value of a two-sample Kolmogorov–Smirnov test is computed, with SciPy's names.
public enum KSMethod: String, Sendable, Codable, CaseIterable {
    /// Asymptotic: `kstwo.sf(D, round(n·m/(n+m)))` two-sided, Hodges' eq. 5.3 one-sided.
    case asymp
    /// The exact null distribution by lattice-path counting (Hodges 1958); falls back to
    /// `asymp` when the computation fails or the sizes are too large, as SciPy does.
    case exact
    /// `exact` when both samples have at most 10 000 values, otherwise `asymp`.
    case auto
}

/// The result of a two-sample Kolmogorov–Smirnov test (SciPy's `KstestResult`).
public struct KSResult: Sendable, Equatable {
    /// The statistic `D`, a distance between the two empirical distribution functions, in
    /// `[0, 1]`. For `method` `exact`, SciPy's value `h / lcm(n, m)` with `h` the rounded
    /// lattice distance. May be `-0.0` for `less` (SciPy clips `−0.0` to itself). NaN when an
    /// input holds a NaN.
    public var statistic: Double
    /// The p-value, in `[0, 1]`; NaN when an input holds a NaN, or for the asymptotic two-sided
    /// test with one value in each sample (SciPy's `kstwo` with `n = round(0.5) = 0`).
    public var pValue: Double
    /// The pooled data value at which the statistic is attained (SciPy's `statistic_location`).
    public var statisticLocation: Double
    /// `+1` when the first sample's empirical distribution function exceeds the second's at
    /// ``statisticLocation``, `−1` otherwise; `0` when an input holds a NaN (SciPy: NaN).
    public var statisticSign: Int
    /// The method that produced ``pValue``: `exact` or `asymp` (never `auto`); `asymp` when an
    /// exact computation was attempted and fell back.
    public var method: KSMethod

    /// A result with the given fields.
    public init(statistic: Double, pValue: Double, statisticLocation: Double, statisticSign: Int, method: KSMethod) {
        self.statistic = statistic
        self.pValue = pValue
        self.statisticLocation = statisticLocation
        self.statisticSign = statisticSign
        self.method = method
    }
}

/// Two-sample Kolmogorov–Smirnov test, a port of `scipy.stats.ks_2samp` (SciPy 1.17.1) with the
/// same branches, method switching, fall-backs and clipping.
///
/// - Statistic: `F₁(v) − F₂(v)` for the right-continuous empirical distribution functions at every
///   pooled value (ties are counted with `≤`); `D⁺` its maximum, `D⁻ = clip(−min, 0, 1)`.
/// - Exact p-values: Hodges' path counting; two-sided with `n = m` by the reflection series,
///   otherwise Viehmann's `1 − p` recursion (SciPy's `_compute_outer_prob_inside_method`);
///   one-sided with `n = m` as `Π (n−j)/(n+j+1)`, otherwise `paths / C(n+m, n)` with SciPy's
///   `scipy.special.binom` (ported as `CephesBinomial`). Any overflow or a result outside `[0, 1]` falls
///   back to the asymptotic p-value, as SciPy does (SciPy also warns; Assay reports it in
///   ``KSResult/method``). An explicit `exact` with `n/g ≥ (2³¹−1)/(m/g)` (`g = gcd`) goes
///   straight to `asymp`.
/// - Asymptotic p-values: two-sided `Kolmogorov.sf(D, n: round(en))` with `en = nm/(n+m)` rounded
///   half to even; one-sided `exp(−2z² − 2z(M+2N)/√(MN(M+N))/3)` with `z = √en · D`, `M ≥ N`.
///
/// Differences from SciPy, by design: an empty sample throws ``NumericsError/domain(_:)`` (SciPy
/// warns and returns NaN); a NaN anywhere gives NaN statistic, NaN p-value, NaN location and sign
/// `0` (SciPy's `nan_policy='propagate'` gives NaN for the sign too). Infinities are ordinary
/// values, as in SciPy.
///
/// Determinism: sorting, counting and IEEE arithmetic in a fixed order; `exp` (one-sided
/// asymptotic p-value) is computed in double-double and rounded, as glibc's correctly rounding
/// `exp` returns it. The same inputs give the same bits on every machine and thread count.
/// Statistic, location and sign equal SciPy's bit for bit; p-values agree to 2 ulps with SciPy's
/// code run with sequential sums (nearly always exactly) and to 1e-12 with plain SciPy, whose
/// two-sided asymptotic p-value goes through BLAS (see ``Kolmogorov``).
public enum KolmogorovSmirnov {
    /// The largest sample size for which `auto` tries the exact p-value (SciPy's `MAX_AUTO_N`).
    public static let maxAutoExactSize = 10_000

    /// `scipy.stats.ks_2samp(x, y, alternative, method)`.
    ///
    /// - Parameters:
    ///   - x: the first sample (`data1`; in Alibi's `KSDrift`, the reference), any order.
    ///   - y: the second sample (`data2`), any order.
    ///   - alternative: the alternative hypothesis; default two-sided.
    ///   - method: how to compute the p-value; default `asymp` (what Alibi's `KSDrift` uses;
    ///     SciPy's own default is `auto`).
    /// - Returns: the statistic, p-value, where the statistic is attained and the method used.
    /// - Throws: ``NumericsError/domain(_:)`` when a sample is empty.
    /// - Complexity: O((n+m) log(n+m)) for the statistic; the exact p-value costs up to
    ///   O(n·m) (two-sided, unequal sizes) or O(min(n,m)²) binomials (one-sided).
    public static func twoSample(
        _ x: [Double], _ y: [Double], alternative: KSAlternative = .twoSided, method: KSMethod = .asymp
    ) throws(NumericsError) -> KSResult {
        try checkNonEmpty(x, y)
        if x.contains(where: { $0.isNaN }) || y.contains(where: { $0.isNaN }) {
            return nanResult(x.count, y.count, method)
        }
        return compute(x.sorted(), y.sorted(), alternative: alternative, method: method)
    }

    /// ``twoSample(_:_:alternative:method:)`` for samples already sorted ascending, for callers
    /// that sort a reference once and test many batches against it. Same result as the unsorted
    /// entry point.
    ///
    /// - Throws: ``NumericsError/domain(_:)`` when a sample is empty or not sorted ascending
    ///   (a sample holding a NaN is not checked for order; the result is NaN).
    /// - Complexity: O(n+m) for the statistic, plus the p-value's cost.
    public static func twoSample(
        sorted x: [Double], sorted y: [Double], alternative: KSAlternative = .twoSided, method: KSMethod = .asymp
    ) throws(NumericsError) -> KSResult {
        try checkNonEmpty(x, y)
        if x.contains(where: { $0.isNaN }) || y.contains(where: { $0.isNaN }) {
            return nanResult(x.count, y.count, method)
        }
        for (name, s) in [("x", x), ("y", y)] {
            for i in s.indices.dropFirst() where s[i] < s[i - 1] {
                throw .domain("KolmogorovSmirnov.twoSample(sorted:): sample \(name) is not sorted ascending at index \(i). Sort it, or call twoSample(_:_:).")
            }
        }
        return compute(x, y, alternative: alternative, method: method)
    }

    private static func checkNonEmpty(_ x: [Double], _ y: [Double]) throws(NumericsError) {
        if x.isEmpty || y.isEmpty {
            throw .domain("KolmogorovSmirnov.twoSample: sample \(x.isEmpty ? "x" : "y") is empty. Pass at least one value in each sample.")
        }
    }

    private static func resolvedMethod(_ method: KSMethod, _ n1: Int, _ n2: Int) -> KSMethod {
        method == .auto ? (max(n1, n2) <= maxAutoExactSize ? .exact : .asymp) : method
    }

    private static func nanResult(_ n1: Int, _ n2: Int, _ method: KSMethod) -> KSResult {
        KSResult(statistic: .nan, pValue: .nan, statisticLocation: .nan, statisticSign: 0,
                 method: resolvedMethod(method, n1, n2))
    }

    // MARK: The statistic

    /// The smallest and largest `F₁(v) − F₂(v)` over `v` in `data1 ++ data2` (both sorted), with
    /// the first value attaining each, as NumPy's `argmin`/`argmax` over SciPy's `cddiffs`.
    ///
    /// NumPy scans data1's values, then data2's. A value of data2 that also occurs in data1
    /// repeats a difference already seen there, so one merge of the two sorted samples suffices:
    /// it keeps the extremes among values present in data1 and, apart, among values only in
    /// data2, which win only when strictly more extreme. Each difference is
    /// `c₁/n₁ − c₂/n₂` from tables of the quotients (the same correctly rounded divisions NumPy
    /// makes), and the merge selects rather than branches, since which sample holds the next
    /// value is a coin toss for the branch predictor.
    static func extremeDifferences(_ data1: [Double], _ data2: [Double]) -> (min: Double, minAt: Double, max: Double, maxAt: Double) {
        let n1 = data1.count
        let n2 = data2.count
        let dn1 = Double(n1)
        let dn2 = Double(n2)
        let f1 = (0...n1).map { Double($0) / dn1 }
        let f2 = (0...n2).map { Double($0) / dn2 }
        let upper1 = upperCounts(data1)
        let upper2 = upperCounts(data2)
        // Index 0: values present in data1; index 1: values only in data2.
        var minValue = (Double.infinity, Double.infinity)
        var maxValue = (-Double.infinity, -Double.infinity)
        var minAt = (0.0, 0.0)
        var maxAt = (0.0, 0.0)
        @inline(__always) func visit(_ v: Double, _ diff: Double, onlyTwo: Bool) {
            let lower0 = !onlyTwo && diff < minValue.0
            let lower1 = onlyTwo && diff < minValue.1
            let higher0 = !onlyTwo && diff > maxValue.0
            let higher1 = onlyTwo && diff > maxValue.1
            minValue.0 = lower0 ? diff : minValue.0
            minAt.0 = lower0 ? v : minAt.0
            minValue.1 = lower1 ? diff : minValue.1
            minAt.1 = lower1 ? v : minAt.1
            maxValue.0 = higher0 ? diff : maxValue.0
            maxAt.0 = higher0 ? v : maxAt.0
            maxValue.1 = higher1 ? diff : maxValue.1
            maxAt.1 = higher1 ? v : maxAt.1
        }
        data1.withUnsafeBufferPointer { d1 in
            data2.withUnsafeBufferPointer { d2 in
                f1.withUnsafeBufferPointer { f1 in
                    f2.withUnsafeBufferPointer { f2 in
                        upper1.withUnsafeBufferPointer { u1 in
                            upper2.withUnsafeBufferPointer { u2 in
                                var i = 0
                                var j = 0
                                while i < n1 && j < n2 {
                                    let a = d1[i]
                                    let b = d2[j]
                                    // data2 first on ties, so a data1 value sees every data2 value ≤ it.
                                    let takeTwo = b <= a
                                    let same = b == a
                                    let c1 = takeTwo ? (same ? u1[i] : i) : u1[i]
                                    let c2 = takeTwo ? u2[j] : j
                                    // A data2 value equal to a data1 value reports data1's (−0.0 vs 0.0).
                                    visit(takeTwo && !same ? b : a, f1[c1] - f2[c2], onlyTwo: takeTwo && !same)
                                    j &+= takeTwo ? 1 : 0
                                    i &+= takeTwo ? 0 : 1
                                }
                                while i < n1 {
                                    visit(d1[i], f1[u1[i]] - f2[n2], onlyTwo: false)
                                    i += 1
                                }
                                while j < n2 {
                                    visit(d2[j], f1[n1] - f2[u2[j]], onlyTwo: true)
                                    j += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        let min = minValue.1 < minValue.0 ? (minValue.1, minAt.1) : (minValue.0, minAt.0)
        let max = maxValue.1 > maxValue.0 ? (maxValue.1, maxAt.1) : (maxValue.0, maxAt.0)
        return (min.0, min.1, max.0, max.1)
    }

    /// For each index `i` of a sorted sample, the number of values `≤ sample[i]` (the end of its
    /// run of ties).
    private static func upperCounts(_ sample: [Double]) -> [Int] {
        let n = sample.count
        return [Int](unsafeUninitializedCapacity: n) { buffer, count in
            sample.withUnsafeBufferPointer { s in
                var next = n
                var i = n - 1
                while i >= 0 {
                    next = i + 1 < n && s[i] == s[i + 1] ? next : i + 1
                    buffer[i] = next
                    i -= 1
                }
            }
            count = n
        }
    }

    // MARK: The test (SciPy `ks_2samp`)

    private static func compute(_ data1: [Double], _ data2: [Double], alternative: KSAlternative, method: KSMethod) -> KSResult {
        let n1 = data1.count
        let n2 = data2.count
        let dn1 = Double(n1)
        let dn2 = Double(n2)

        // cddiffs over data_all = data1 ++ data2, each value's ECDFs by counting ≤ (searchsorted
        // right); argmin and argmax keep the first occurrence.
        let (minValue, minLocation, maxValue, maxLocation) = extremeDifferences(data1, data2)

        // np.clip(-min, 0, 1) keeps −0.0.
        var minS = -minValue
        if minS < 0 { minS = 0 } else if minS > 1 { minS = 1 }
        let maxS = maxValue

        var d: Double
        let location: Double
        let sign: Int
        if alternative == .less || (alternative == .twoSided && minS > maxS) {
            d = minS
            location = minLocation
            sign = -1
        } else {
            d = maxS
            location = maxLocation
            sign = 1
        }

        let g = gcd(n1, n2)
        let n1g = n1 / g
        let n2g = n2 / g
        var mode = method
        if mode == .auto {
            mode = max(n1, n2) <= maxAutoExactSize ? .exact : .asymp
        } else if mode == .exact {
            // lcm(n1, n2) too big for the exact computation.
            if Double(n1g) >= Double(Int32.max) / Double(n2g) { mode = .asymp }
        }

        var prob = -Double.infinity
        if mode == .exact {
            let attempt = attemptExact(n1, n2, g, d, alternative)
            d = attempt.d
            if attempt.success {
                prob = attempt.prob
            } else {
                mode = .asymp
            }
        }
        if mode == .asymp {
            let m = max(dn1, dn2)
            let n = min(dn1, dn2)
            let en = m * n / (m + n)
            if alternative == .twoSided {
                let rounded = en.rounded(.toNearestOrEven)
                prob = rounded >= 1 && rounded < 0x1p62 ? Kolmogorov.sf(d, n: Int(rounded)) : .nan
            } else {
                let z = en.squareRoot() * d
                let expt = -2 * (z * z) - 2 * z * (m + 2 * n) / (m * n * (m + n)).squareRoot() / 3.0
                prob = DoubleDouble.correctlyRoundedExp(expt)
            }
        }
        if prob < 0 { prob = 0 } else if prob > 1 { prob = 1 }
        return KSResult(statistic: d, pValue: prob, statisticLocation: location, statisticSign: sign, method: mode)
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int {
        var a = a
        var b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    /// `floor(a / b)` for `b > 0` (Python's `//`).
    private static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && a < 0) ? q - 1 : q
    }

    // MARK: Exact p-values (SciPy `_attempt_exact_2kssamp` and helpers)

    /// SciPy's `_attempt_exact_2kssamp`: `(success, d, p)`, with `d` replaced by `h/lcm`.
    static func attemptExact(_ n1: Int, _ n2: Int, _ g: Int, _ d: Double, _ alternative: KSAlternative)
        -> (success: Bool, d: Double, prob: Double)
    {
        let lcm = (n1 / g) * n2
        let h = Int((d * Double(lcm)).rounded(.toNearestOrEven))
        let dExact = Double(h) * 1.0 / Double(lcm)
        if h == 0 { return (true, dExact, 1.0) }
        var prob = Double.nan
        if alternative == .twoSided {
            prob = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h)
        } else if n1 == n2 {
            // binom(2n, n−h) / binom(2n, n), as a product.
            prob = 1.0
            for j in 0..<h { prob *= Double(n1 - j) / (Double(n1 + j) + 1.0) }
        } else {
            // SciPy raises (and falls back) on overflow; any non-finite value ends the same way.
            let bin = CephesBinomial.binom(Double(n1 + n2), Double(n1))
            guard bin.isFinite, let numPaths = countPathsOutside(n1, n2, g, h), numPaths <= bin else {
                return (false, dExact, .nan)
            }
            prob = numPaths / bin
        }
        if !(0 <= prob && prob <= 1) { return (false, dExact, prob) }
        return (true, dExact, prob)
    }

    /// `P(D_{n,n} ≥ h/n)` by the reflection series in Horner form (SciPy
    /// `_compute_prob_outside_square`).
    static func probOutsideSquare(_ n: Int, _ h: Int) -> Double {
        var p = 0.0
        var k = n / h
        while k >= 0 {
            var p1 = 1.0
            for j in 0..<h {
                p1 = Double(n - k * h - j) * p1 / Double(n + k * h + j + 1)
            }
            p = p1 * (1.0 - p)
            k -= 1
        }
        return 2 * p
    }

    /// The proportion of lattice paths from (0,0) to (m,n) that leave the band
    /// `|x/m − y/n| < h/lcm(m,n)`, computed directly as `1 − p` (Viehmann's recursion; SciPy
    /// `_compute_outer_prob_inside_method`).
    static func outerProbInside(_ m: Int, _ n: Int, _ g: Int, _ h: Int) -> Double {
        var m = m
        var n = n
        if m < n { swap(&m, &n) }
        let mg = m / g
        let ng = n / g
        var minj = 0
        var maxj = min(Int((Double(h) / Double(mg)).rounded(.up)), n + 1)
        var curlen = maxj - minj
        let lenA = min(2 * maxj + 2, n + 1)
        var a = [Double](repeating: 1, count: lenA)
        for j in minj..<min(maxj, lenA) { a[j] = 0 }
        for i in 1...m {
            let lastminj = minj
            let lastlen = curlen
            minj = max(Int((Double(ng * i - h) / Double(mg)).rounded(.down)) + 1, 0)
            minj = min(minj, n)
            maxj = min(Int((Double(ng * i + h) / Double(mg)).rounded(.up)), n + 1)
            if maxj <= minj { return 1.0 }
            var val = minj == 0 ? 0.0 : 1.0
            let di = Double(i)
            for jj in 0..<(maxj - minj) {
                let j = jj + minj
                let index = jj + minj - lastminj
                guard index >= 0 && index < lenA && jj < lenA else { return .nan }
                val = (a[index] * di + val * Double(j)) / Double(i + j)
                a[jj] = val
            }
            curlen = maxj - minj
            if lastlen > curlen {
                let lo = maxj - minj
                let hi = min(lo + (lastlen - curlen), lenA)
                if lo < hi { for j in lo..<hi { a[j] = 1 } }
            }
        }
        let last = maxj - minj - 1
        return last >= 0 && last < lenA ? a[last] : .nan
    }

    /// The number of lattice paths from (0,0) to (m,n) that reach `m·y ≤ n·x − h·g`, as a double
    /// (SciPy `_count_paths_outside_method`, after Hodges); nil when a value overflows (SciPy
    /// raises `FloatingPointError` there).
    static func countPathsOutside(_ m: Int, _ n: Int, _ g: Int, _ h: Int) -> Double? {
        var m = m
        var n = n
        if m < n { swap(&m, &n) }
        let mg = m / g
        let ng = n / g
        let lxj = n + floorDivide(mg - h, mg)
        if lxj <= 0 { return CephesBinomial.binom(Double(m + n), Double(n)) }
        let xj = (0..<lxj).map { (h + mg * $0 + ng - 1) / ng }
        var b = [Double](repeating: 0, count: lxj)
        b[0] = 1
        if lxj > 1 {
            for j in 1..<lxj {
                var bj = CephesBinomial.binom(Double(xj[j] + j), Double(j))
                for i in 0..<j {
                    let bin = CephesBinomial.binom(Double(xj[j] - xj[i] + j - i), Double(j - i))
                    bj -= bin * b[i]
                }
                guard bj.isFinite else { return nil }
                b[j] = bj
            }
        }
        var numPaths = 0.0
        for j in 0..<lxj {
            let bin = CephesBinomial.binom(Double((m - xj[j]) + (n - j)), Double(n - j))
            numPaths += b[j] * bin
        }
        return numPaths.isFinite ? numPaths : nil
    }
}
