import AssayNumerics

/// Alibi Detect's `categories_per_feature` value for one feature: infer the categories from the
/// reference (`null`), `0..<k` (a count), or an explicit list of values.
public enum CategorySpec: Sendable, Equatable, Codable {
    case fromReference
    case count(Int)
    case values([Double])

    /// The categories of `column` under this spec, sorted.
    public func categories(referenceColumn column: [Double]) -> [Double] {
        switch self {
        case .fromReference:
            var seen = Set<UInt64>()
            var out: [Double] = []
            for v in column where seen.insert(v.bitPattern).inserted { out.append(v) }
            return out.sorted()
        case .count(let k):
            return (0..<max(k, 0)).map(Double.init)
        case .values(let vs):
            var seen = Set<UInt64>()
            return vs.filter { seen.insert($0.bitPattern).inserted }.sorted()
        }
    }
}
