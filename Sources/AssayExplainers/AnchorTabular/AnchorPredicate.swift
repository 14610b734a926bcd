/// One condition of an anchor: feature ``feature`` lies in the bins ``bins`` (for a categorical
/// feature, one category code). For a numerical feature with cut points `q`, bins `lo…hi` mean
/// `q[lo−1] < value <= q[hi]` (no lower bound when `lo` is 0, no upper one when `hi` is the last
/// bin).
///
/// Alibi builds the candidates from the instance (``AnchorTabular/predicates(for:)``): one per
/// categorical feature (its category) and, for a numerical feature with B bins, one per cut
/// point j: `value <= q_j` (bins `0…j`) when the instance's bin is at most j, else `value > q_j`
/// (bins `j+1…B−1`).
public struct AnchorPredicate: Sendable, Hashable, Codable {
    /// The feature (column) the predicate constrains.
    public var feature: Int
    /// The allowed bins (or category code).
    public var bins: ClosedRange<Int>

    public init(feature: Int, bins: ClosedRange<Int>) {
        self.feature = feature
        self.bins = bins
    }
}
