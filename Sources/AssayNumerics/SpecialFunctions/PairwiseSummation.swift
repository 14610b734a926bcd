/// NumPy's summation order for `float64` reductions, reproduced so that sums of non-integer data
/// round exactly as SciPy's do.
///
/// `np.sum` over a contiguous run of `n` doubles starts from 0 and adds NumPy's
/// `pairwise_sum`: below 8 values a plain left-to-right loop; up to 128 values eight interleaved
/// accumulators combined as `((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7))` followed by the leftover
/// values; above 128 values the two halves (split at a multiple of 8) summed recursively.
/// Deterministic: the order depends only on `n`.
enum PairwiseSummation {
    /// `0 + pairwise_sum(values)`, NumPy's `np.sum` of a contiguous float64 array.
    static func numpySum(_ values: ArraySlice<Double>) -> Double {
        0.0 + pairwiseSum(values)
    }

    /// `0 + pairwise_sum(values)` for an array.
    static func numpySum(_ values: [Double]) -> Double {
        numpySum(values[...])
    }

    /// NumPy's `pairwise_sum` itself (no leading `0 +`: a sum of −0.0 terms stays −0.0), as the
    /// Kolmogorov–Smirnov code sums its Pelz–Good terms.
    static func pairwiseSum(_ a: ArraySlice<Double>) -> Double {
        let n = a.count
        let start = a.startIndex
        if n < 8 {
            var result = -0.0
            for value in a { result += value }
            return result
        } else if n <= 128 {
            var r0 = a[start]
            var r1 = a[start + 1]
            var r2 = a[start + 2]
            var r3 = a[start + 3]
            var r4 = a[start + 4]
            var r5 = a[start + 5]
            var r6 = a[start + 6]
            var r7 = a[start + 7]
            var i = 8
            while i < n - (n % 8) {
                r0 += a[start + i]
                r1 += a[start + i + 1]
                r2 += a[start + i + 2]
                r3 += a[start + i + 3]
                r4 += a[start + i + 4]
                r5 += a[start + i + 5]
                r6 += a[start + i + 6]
                r7 += a[start + i + 7]
                i += 8
            }
            var result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < n {
                result += a[start + i]
                i += 1
            }
            return result
        } else {
            var n2 = n / 2
            n2 -= n2 % 8
            return pairwiseSum(a[start..<(start + n2)]) + pairwiseSum(a[(start + n2)...])
        }
    }
}
