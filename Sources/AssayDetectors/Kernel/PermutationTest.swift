import AssayNumerics

/// The permutation-test bookkeeping Alibi Detect's MMD and LSDD detectors share (spec §3.2):
/// `p_val = #{b : observed ≤ permuted_b} / B` (no +1, so it can be 0), `distance_threshold` =
/// the permuted statistics sorted descending at index `⌊p_val_level · B⌋`.
public enum PermutationTest {
    /// `p_val` and `distance_threshold` from the observed statistic and the permuted ones.
    public static func summarize(observed: Double, permuted: [Double], level: Double) -> (pValue: Double, distanceThreshold: Double) {
        let b = permuted.count
        guard b > 0 else { return (.nan, .nan) }
        let count = permuted.reduce(0) { $0 + (observed <= $1 ? 1 : 0) }
        let sorted = permuted.sorted(by: >)
        let index = min(Int(level * Double(b)), b - 1)
        return (Double(count) / Double(b), sorted[index])
    }

    /// `count` permutations of `0..<n`, drawn in order from `rng` by Fisher–Yates.
    public static func permutations(_ count: Int, of n: Int, rng: inout SeededGenerator) -> [[Int]] {
        (0..<count).map { _ in
            var idx = Array(0..<n)
            rng.shuffle(&idx)
            return idx
        }
    }
}
