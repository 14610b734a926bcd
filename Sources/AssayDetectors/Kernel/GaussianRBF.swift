import AssayNumerics

/// Alibi Detect's Gaussian RBF kernel, `k(x, y) = mean over σ of exp(−‖x − y‖² / (2σ²))`, on
/// squared distances computed by the expansion (``PairwiseDistances``), with the median
/// heuristic for σ.
public enum GaussianRBF {
    /// The median heuristic (spec §3.1): sort the squared distances ascending, skip the `r`
    /// near-zero self-distances (`r` = rows when the two sets are the same data), and take the
    /// entry at `r + ⌊(size − r)/2⌋ − 1`; σ = √(0.5 · that). Alibi stores σ through a float32
    /// log/exp round trip; Assay keeps σ in float64 (a difference near 1e-7 relative).
    ///
    /// - Complexity: O(N) expected by quickselect on a copy (deterministic pivots).
    public static func medianSigma(squaredDistances d2: [Double], selfRows r: Int) -> Double {
        let size = d2.count
        let index = r + (size - r) / 2 - 1
        guard size > 0, index >= 0, index < size else { return 1 }
        var copy = d2
        let med = select(&copy, index)
        let sigma = (0.5 * med).squareRoot()
        return sigma > 0 && sigma.isFinite ? sigma : 1
    }

    /// The k-th smallest value (0-based), rearranging `a`: Hoare quickselect with median-of-three
    /// pivots, so the same input always takes the same steps.
    static func select(_ a: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = a.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return a[k] }
        }
        return a[k]
    }

    /// Kernel values `mean_s exp(−d² / (2σ_s²))` for every squared distance, through Assay's own
    /// `exp`, so results are the same on every machine.
    public static func kernel(_ d2: [Double], sigmas: [Double]) -> [Double] {
        let gammas = sigmas.map { 1 / (2 * $0 * $0) }
        let count = Double(gammas.count)
        return d2.map { v in
            var s = 0.0
            for g in gammas { s += DeterministicMath.exp(-g * v) }
            return s / count
        }
    }

    /// ``kernel(_:sigmas:)`` for the entries above the diagonal of an `order × order` matrix of
    /// squared distances (row-major); the other entries are 0. Symmetric statistics need no more.
    public static func upperTriangleKernel(_ d2: [Double], order: Int, sigmas: [Double]) -> [Double] {
        precondition(d2.count == order * order, "upperTriangleKernel: \(d2.count) entries for order \(order)")
        let gammas = sigmas.map { 1 / (2 * $0 * $0) }
        let count = Double(gammas.count)
        var out = [Double](repeating: 0, count: d2.count)
        for i in 0..<order {
            for j in (i + 1)..<max(order, i + 1) {
                var s = 0.0
                for g in gammas { s += DeterministicMath.exp(-g * d2[i * order + j]) }
                out[i * order + j] = s / count
            }
        }
        return out
    }
}
