/// How per-feature p-values become one batch decision, as Alibi Detect's univariate detectors do.
public enum Correction: String, Sendable, Codable, CaseIterable {
    /// Threshold `p_val / K`; drift when any p-value is below it.
    case bonferroni
    /// Benjamini–Hochberg at level `p_val`.
    case fdr
}

/// Alibi Detect's `drift_type`: one decision for the batch, or one per feature.
public enum DriftType: String, Sendable, Codable, CaseIterable {
    case batch
    case feature
}

/// The decision rules of Alibi Detect's univariate drift detectors (spec §2.1), including their
/// float32 semantics: per-feature p-values are stored as float32 there, and a Python-float
/// threshold compared with a float32 array is rounded to float32 (NumPy 1.x casting); the FDR
/// levels are a float64 array, so that comparison is in float64.
public enum MultipleTesting {
    /// `is_drift` and `threshold` for per-feature p-values.
    ///
    /// - `feature`: `is_drift[f] = p[f] < p_val`, threshold `p_val`.
    /// - `batch` + `bonferroni`: threshold `t = p_val/K`, drift when any `p[f] < t`.
    /// - `batch` + `fdr`: sort p ascending, `q_i = p_val·i/K`; drift when any `p_(i) < q_i`; the
    ///   threshold is `q_i` at the largest such i, or the whole vector `q` when there is none.
    /// NaN p-values never signal drift.
    public static func decide(pValues: [Double], pVal: Double, correction: Correction, driftType: DriftType) -> (isDrift: FlagOrArray, threshold: NumberOrArray) {
        let p32 = pValues.map { Float($0) }
        let k = pValues.count
        switch (driftType, correction) {
        case (.feature, _):
            let t = Float(pVal)
            return (.array(p32.map { $0 < t ? 1 : 0 }), .number(pVal))
        case (.batch, .bonferroni):
            let t = pVal / Double(k)
            let t32 = Float(t)
            return (.flag(p32.contains { $0 < t32 } ? 1 : 0), .number(t))
        case (.batch, .fdr):
            let sorted = p32.map(Double.init).sorted { a, b in
                // NaN last, as NumPy sorts it.
                a.isNaN ? false : (b.isNaN ? true : a < b)
            }
            let q = (1...max(k, 1)).prefix(k).map { pVal * Double($0) / Double(k) }
            var largest: Int? = nil
            for i in 0..<k where sorted[i] < q[i] { largest = i }
            if let i = largest { return (.flag(1), .number(q[i])) }
            return (.flag(0), .array(q))
        }
    }
}
