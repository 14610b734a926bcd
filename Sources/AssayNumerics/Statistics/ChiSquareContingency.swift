/// The result of a chi-square test of independence on a contingency table.
///
/// JSON keys are SciPy's (`statistic`, `pvalue`, `dof`, `expected_freq`).
public struct ContingencyResult: Sendable, Equatable, Codable {
    /// Pearson's chi-square statistic `Σ (O − E)²/E` (after Yates' correction when it applies).
    public var statistic: Double
    /// `P(χ²_dof ≥ statistic)`, the upper tail of the chi-square distribution; 1 when `dof = 0`.
    public var pValue: Double
    /// Degrees of freedom, `(rows − 1)·(columns − 1)`.
    public var degreesOfFreedom: Int
    /// Expected counts under independence, `rowSum[i]·columnSum[j]/total`, in the table's shape.
    public var expected: [[Double]]

    /// Creates a result from its parts.
    public init(statistic: Double, pValue: Double, degreesOfFreedom: Int, expected: [[Double]]) {
        self.statistic = statistic
        self.pValue = pValue
        self.degreesOfFreedom = degreesOfFreedom
        self.expected = expected
    }

    enum CodingKeys: String, CodingKey {
        case statistic
        case pValue = "pvalue"
        case degreesOfFreedom = "dof"
        case expected = "expected_freq"
    }
}

/// Pearson's chi-square test of independence on a two-way contingency table, with SciPy parity.
public enum ChiSquareContingency {
    /// Tests independence of rows and columns of `observed`, as
    /// `scipy.stats.chi2_contingency(observed, correction=correction)` with the default
    /// `lambda_=None` (Pearson) in SciPy ≥ 1.7.
    ///
    /// - Expected counts are `E[i][j] = rowSum[i]·columnSum[j]/total`, the sums taken in NumPy's
    ///   order (row sums and the total pairwise, column sums top to bottom), so non-integer
    ///   tables round as SciPy's do.
    /// - `dof = (rows − 1)(columns − 1)`. With `dof = 0` (one row or one column) the statistic is
    ///   0 and the p-value 1.
    /// - With `dof = 1` and `correction` (the default), Yates' continuity correction moves each
    ///   observed count towards its expected count by `min(0.5, |E − O|)` (SciPy ≥ 1.7; older
    ///   SciPy moved by a fixed 0.5).
    /// - The statistic is `Σ (O − E)²/E` summed in NumPy's pairwise order over the cells in row
    ///   order; the p-value is ``ChiSquare/sf(_:degreesOfFreedom:)``.
    ///
    /// Deterministic. Agreement with SciPy 1.17 on `special_contingency.json`: the statistic and
    /// expected counts bit for bit, the p-value within a few ulp (the tests allow relative 1e-15
    /// and 2e-13, the bound of ``ChiSquare/sf(_:degreesOfFreedom:)``).
    ///
    /// - Throws: ``NumericsError/shapeMismatch(_:)`` for an empty or ragged table;
    ///   ``NumericsError/nonFinite(where:)`` for a NaN or infinite count;
    ///   ``NumericsError/domain(_:)`` for a negative count, or when an expected count is zero
    ///   (a row or column that sums to zero), naming the first such cell in row order, as SciPy's
    ///   `ValueError` does; also for a table whose counts are all zero (where SciPy returns NaN).
    ///
    /// ```swift
    /// let r = try ChiSquareContingency.test([[30, 50, 20], [40, 35, 25]])
    /// // r.statistic ≈ 4.631185807656395, r.pValue ≈ 0.09870764250999253, r.degreesOfFreedom == 2
    /// ```
    public static func test(_ observed: [[Double]], correction: Bool = true) throws(NumericsError)
        -> ContingencyResult
    {
        let rows = observed.count
        guard rows > 0, let columns = observed.first?.count, columns > 0 else {
            throw .shapeMismatch("observed: no data; the table has size 0. Pass at least one row and one column")
        }
        for (i, row) in observed.enumerated() where row.count != columns {
            throw .shapeMismatch(
                "observed[\(i)]: \(row.count) cells, but row 0 has \(columns); every row needs the same number of columns")
        }
        for (i, row) in observed.enumerated() {
            for (j, value) in row.enumerated() {
                if !value.isFinite { throw .nonFinite(where: "observed[\(i)][\(j)]") }
                if value < 0 {
                    throw .domain("observed[\(i)][\(j)] = \(value): counts must be nonnegative")
                }
            }
        }

        // Margins in NumPy's order.
        let rowSums = observed.map { PairwiseSummation.numpySum($0) }
        var columnSums = [Double](repeating: 0, count: columns)
        for row in observed {
            for j in 0..<columns { columnSums[j] += row[j] }
        }
        let flat = observed.flatMap { $0 }
        let total = PairwiseSummation.numpySum(flat)
        if total == 0 {
            // SciPy divides 0 by 0 here and returns NaN; a table without counts is an input error.
            throw .domain("observed: every count is zero; there is nothing to test")
        }
        var expected = [[Double]](repeating: [Double](repeating: 0, count: columns), count: rows)
        for i in 0..<rows {
            for j in 0..<columns {
                expected[i][j] = rowSums[i] * columnSums[j] / total
            }
        }
        for i in 0..<rows {
            for j in 0..<columns where expected[i][j] == 0 {
                throw .domain(
                    "expected[\(i)][\(j)] = 0: row \(i) or column \(j) of the observed table sums to zero; remove categories that occur in neither sample")
            }
        }

        let dof = rows * columns - rows - columns + 1
        if dof == 0 {
            return ContingencyResult(
                statistic: 0, pValue: 1, degreesOfFreedom: 0, expected: expected)
        }
        var adjusted = observed
        if dof == 1 && correction {
            for i in 0..<rows {
                for j in 0..<columns {
                    let diff = expected[i][j] - observed[i][j]
                    let direction: Double = diff > 0 ? 1 : (diff < 0 ? -1 : 0)
                    let magnitude = min(0.5, abs(diff))
                    adjusted[i][j] = observed[i][j] + magnitude * direction
                }
            }
        }
        var terms = [Double]()
        terms.reserveCapacity(rows * columns)
        for i in 0..<rows {
            for j in 0..<columns {
                let d = adjusted[i][j] - expected[i][j]
                terms.append(d * d / expected[i][j])
            }
        }
        let statistic = PairwiseSummation.numpySum(terms)
        let pValue = ChiSquare.sf(statistic, degreesOfFreedom: Double(dof))
        return ContingencyResult(
            statistic: statistic, pValue: pValue, degreesOfFreedom: dof, expected: expected)
    }
}
